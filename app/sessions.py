"""Flask's signed-cookie sessions, opened only for requests that carry the cookie.

Why: citizens' pages and forms never have a session (app/cross_origin.py), yet Flask
builds the cookie's signing serializer on every request before looking for the cookie;
that was a tenth of a signature's request overhead. With no cookie the answer is the
same empty session either way.
"""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class CookieSessionInterface(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)
