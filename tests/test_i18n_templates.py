"""No English in a template outside the catalogs: every text a reader sees (an HTML text
node, a label-like attribute, a plain-text email's line) goes through _() or {% trans %}."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Attributes a reader sees or hears (a submit input's value is its label).
SPOKEN = {"title", "alt", "placeholder", "aria-label", "value"}
# Elements whose text is code or a field's value (as an input's value is).
UNSPOKEN = {"script", "style", "textarea"}
# Meta tags whose content a reader sees in a link card or a search result.
SPOKEN_META = {"description", "og:title", "og:description", "og:image:alt", "twitter:image:alt"}
# Jinja that leaves no text behind: comments, trans blocks, expressions, tags.
JINJA = re.compile(
    r"{#.*?#}|{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}|{{.*?}}|{%.*?%}",
    re.DOTALL,
)
WORD = re.compile(r"[A-Za-z_]{2,}")
# Text that is the same in every language: names, codes, units, markup.
SAME_IN_EVERY_LANGUAGE = {
    "Chorus", "English", "Español", "CWC", "CSV", "PDF", "API", "OSDI", "URL", "HMAC",
    "SHA", "https", "http", "summary_large_image",
}  # fmt: skip


class _Texts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in UNSPOKEN:
            self._skip += 1
        named = dict(attrs)
        for name, value in attrs:
            submit = tag == "input" and named.get("type") == "submit"
            if name in SPOKEN and value and (name != "value" or submit):
                self.found.append(value)
        if tag == "meta" and (named.get("name") or named.get("property")) in SPOKEN_META:
            self.found.append(named.get("content") or "")

    def handle_endtag(self, tag):
        if tag in UNSPOKEN:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.found.append(data)


def english_outside_catalogs(source: str, html: bool) -> list[str]:
    """The texts of a template's source that are not marked for translation."""
    bare = JINJA.sub(" ", source)
    if html:
        parser = _Texts()
        parser.feed(bare)
        texts = parser.found
    else:
        texts = bare.splitlines()
    return [
        text.strip()
        for text in texts
        if any(word not in SAME_IN_EVERY_LANGUAGE for word in WORD.findall(text))
    ]


TEMPLATE_FILES = sorted(
    path.relative_to(TEMPLATES).as_posix()
    for path in TEMPLATES.rglob("*")
    if path.suffix in (".html", ".txt")
)


@pytest.mark.parametrize("name", TEMPLATE_FILES)
def test_every_template_text_goes_through_the_catalogs(name):
    source = (TEMPLATES / name).read_text()
    assert english_outside_catalogs(source, html=name.endswith(".html")) == []


@pytest.mark.parametrize(
    "source, html",
    [
        ('<p>{{ _("Signed") }}</p>\n<p>Thank you</p>', True),
        ('<input placeholder="Your name">', True),
        ('<meta property="og:image:alt" content="{{ n }} signatures">', True),
        ('<input type="submit" value="Save">', True),
        ("<p>{% if ok %}in force{% endif %}</p>", True),
        ("{{ _('Hello') }}\nSee you soon", False),
    ],
)
def test_an_unwrapped_text_is_caught(source, html):
    assert english_outside_catalogs(source, html) != []


def test_wrapped_texts_names_machine_values_and_markup_pass():
    source = (
        '<meta charset="utf-8"><meta name="robots" content="noindex"><input value="x y">'
        '<button type="submit" name="decision" value="hide_comment">{{ _("Hide") }}</button>'
        "<p title=\"{{ _('Open') }}\">{% trans n=1 %}{{ n }} left{% endtrans %} · Chorus</p>"
        "<script>var a = 'b';</script>"
    )
    assert english_outside_catalogs(source, html=True) == []
