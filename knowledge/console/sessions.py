"""Flask's signed-cookie sessions, without their cost on requests that carry no session cookie."""

from typing import Any

from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class LazySessionInterface(SecureCookieSessionInterface):
    """Opens an empty session without building a signing serializer when there is no cookie.

    Flask opens the session on every request, and the stock interface builds its serializer
    first even when there is nothing to read. WeChat pushes never carry the console's cookie and
    they are the hot path. Saving an empty, untouched session is skipped for the same reason;
    a request that reads the session still gets ``Vary: Cookie``, and one that puts something in
    it (a login) a signed cookie.
    """

    def open_session(self, app: Any, request: Any) -> SecureCookieSession | None:
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Any, session: Any, response: Any) -> None:
        # An empty session nobody touched: the stock method would compute six cookie attributes
        # and then do nothing with them.
        if not session and not session.modified and not session.accessed:
            return
        super().save_session(app, session, response)
