"""Security headers on every response: what the browser may load, frame and tell others.

Chorus pages run no inline script (scripts are files in static/), so the policy allows
scripts from this site only; an injected <script> or onclick= would not run. Styles may be
inline: a progress bar's width and the map's tile positions are style attributes, which
cannot run code. Representatives' photos come from public sites over https.
"""

from __future__ import annotations

from flask import Flask, Response, request

_POLICY = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' https: data:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
]
# The one decision about framing: no page may be framed by any site, except the
# embeddable sign form (app/public/embed.py), which any partner's site may frame.
CONTENT_SECURITY_POLICY = "; ".join([*_POLICY, "frame-ancestors 'none'"])
EMBED_POLICY = "; ".join([*_POLICY, "frame-ancestors *"])
EMBEDDABLE = {"public.embed", "public.embed_sign", "public.embed_thanks"}
# Pages whose URL is a credential (a signer's link, a representative's private page): they
# send no Referer at all, not even to this site's own logs.
TOKEN_PATHS = ("/confirm/", "/withdraw/", "/unsubscribe/", "/r/")


def _headers(embeddable: bool, carries_token: bool) -> list[tuple[str, str]]:
    headers = [("X-Content-Type-Options", "nosniff")]
    if embeddable:
        headers.append(("Content-Security-Policy", EMBED_POLICY))
    else:
        headers.append(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        headers.append(("X-Frame-Options", "DENY"))  # frame-ancestors for browsers that predate it
    referrer = "no-referrer" if carries_token else "strict-origin-when-cross-origin"
    headers.append(("Referrer-Policy", referrer))
    return headers


# Made once: setting them one by one on every response cost 0.1 M instructions a request.
_HEADERS = {(embed, token): _headers(embed, token) for embed in (0, 1) for token in (0, 1)}


def _add_security_headers(response: Response) -> Response:
    response.headers.update(
        _HEADERS[request.endpoint in EMBEDDABLE, request.path.startswith(TOKEN_PATHS)]
    )
    return response


def register_security_headers(app: Flask) -> None:
    """Add the security headers to every response, error pages and static files included."""
    app.after_request(_add_security_headers)
