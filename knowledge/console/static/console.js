// guidebot console: the little behaviour pages need, as data attributes (the Content-Security-Policy
// allows no inline scripts or event handlers).
"use strict";
// <form data-confirm="…">: ask before submitting.
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) { event.preventDefault(); }
}, true);
// <select data-autosubmit>: submit its form when the choice changes.
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) {
    if (field.form.requestSubmit) { field.form.requestSubmit(); } else { field.form.submit(); }
  }
});
