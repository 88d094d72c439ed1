"""Safe Markdown: raw HTML in content or user text is escaped, never rendered."""

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup

# "commonmark" with html disabled escapes any tag; markdown-it also refuses javascript:,
# vbscript: and data: links by default.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.enable("table")

# "[3]" or "[1, 4]" in the rendered text becomes superscript links to the sources list.
_CITATION = re.compile(r"\[(\d{1,3}(?:,\s*\d{1,3})*)\](?!\()")
# markdown-it escapes "<" and ">" in text and attributes, so in its output every "<...>"
# is a tag and everything between tags is text.
_TAG = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"</?([a-zA-Z0-9]+)")
# Citations are not linked inside code (shown literally) or inside an existing link.
_LITERAL = {"code", "pre", "a"}


def _cite(match: re.Match) -> str:
    numbers = [n.strip() for n in match.group(1).split(",")]
    links = ",".join(f'<a href="#source-{n}" aria-label="Source {n}">{n}</a>' for n in numbers)
    return f'<sup class="cite">[{links}]</sup>'


def _link_citations(html: str) -> str:
    """Link citations in text only: never inside a tag's attributes, code or a link."""
    parts = _TAG.split(html)
    open_literals = 0
    for i, part in enumerate(parts):
        if i % 2:
            name = _TAG_NAME.match(part)
            if name and name.group(1).lower() in _LITERAL:
                open_literals += -1 if part.startswith("</") else 1
        elif not open_literals:
            parts[i] = _CITATION.sub(_cite, part)
    return "".join(parts)


@lru_cache(maxsize=64)
def render_markdown(text: str) -> Markup:
    """Render Markdown to HTML that is safe to place in a page.

    Cached by text: an explainer is rendered on every page view but changes rarely.
    """
    return Markup(_link_citations(_markdown.render(text or "")))
