"""The cheap header edits (app/headers.py) give the headers werkzeug's own would."""

import pytest
from werkzeug.wrappers import Response

from app.headers import add_vary, set_default


@pytest.mark.parametrize("present", [None, "", "Cookie", "cookie", "Accept-Language, Cookie", "*"])
@pytest.mark.parametrize("name", ["Cookie", "Accept-Language"])
def test_adding_to_vary_gives_what_response_vary_gives(present, name):
    ours, werkzeugs = Response(), Response()
    if present is not None:
        ours.headers["Vary"] = werkzeugs.headers["Vary"] = present
    add_vary(ours.headers, name)
    werkzeugs.vary.add(name)
    assert ours.headers.getlist("Vary") == werkzeugs.headers.getlist("Vary")


@pytest.mark.parametrize("present", [None, "public, max-age=60"])
def test_a_default_header_is_set_only_when_missing_as_setdefault_does(present):
    ours, werkzeugs = Response(), Response()
    if present is not None:
        ours.headers["Cache-Control"] = werkzeugs.headers["Cache-Control"] = present
    set_default(ours.headers, "Cache-Control", "private, no-store")
    werkzeugs.headers.setdefault("Cache-Control", "private, no-store")
    assert ours.headers.to_wsgi_list() == werkzeugs.headers.to_wsgi_list()
