"""Flask's signed-cookie sessions, opened only for requests that carry the cookie.

Why: citizens' pages and forms never have a session (app/cross_origin.py), yet Flask
builds the cookie's signing serializer on every request before looking for the cookie;
that was a tenth of a signature's request overhead. With no cookie the answer is the
same empty session either way.
"""

from __future__ import annotations

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from app.headers import add_vary


class CookieSessionInterface(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SecureCookieSession, response: Response) -> None:
        # With nothing to store or delete Flask only adds Vary: Cookie when the session was
        # read (Flask-Login reads it on every request), after working out each attribute of
        # a cookie it then does not set.
        if not session and not session.modified:
            if session.accessed:
                add_vary(response.headers, "Cookie")
            return
        super().save_session(app, session, response)
