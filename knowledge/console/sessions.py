"""Flask's signed-cookie sessions, without their cost on requests that carry no session cookie."""

from typing import Any

from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class LazySessionInterface(SecureCookieSessionInterface):
    """Opens an empty session without building a signing serializer when there is no cookie.

    Flask opens the session on every request, and the stock interface builds its serializer
    first even when there is nothing to read. WeChat pushes never carry the console's cookie and
    they are the hot path. Saving is unchanged: a request that puts something in the session
    (a login) still gets a signed cookie.
    """

    def open_session(self, app: Any, request: Any) -> SecureCookieSession | None:
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)
