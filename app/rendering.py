"""Safe Markdown: raw HTML in content or user text is escaped, never rendered."""

import itertools
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


def _link_citations(html: str) -> tuple[str, dict[int, list[int]]]:
    """Link citations in text only: never inside a tag's attributes, code or a link.

    Each citation gets an id, cite-1, cite-2..., so the sources list can link back to every
    place a source is cited; also returns those places: {source number: [citation ids]}.
    """
    parts = _TAG.split(html)
    places: dict[int, list[int]] = {}
    markers = itertools.count(1)

    def cite(match: re.Match) -> str:
        marker = next(markers)
        numbers = [int(n) for n in match.group(1).split(",")]
        for n in dict.fromkeys(numbers):
            places.setdefault(n, []).append(marker)
        links = ",".join(f'<a href="#source-{n}" aria-label="Source {n}">{n}</a>' for n in numbers)
        # The wrapper takes focus when a source's "back to text" link leads here.
        return (
            f'<span class="cite-place" id="cite-{marker}" tabindex="-1">'
            f'<sup class="cite">[{links}]</sup></span>'
        )

    open_literals = 0
    for i, part in enumerate(parts):
        if i % 2:
            name = _TAG_NAME.match(part)
            if name and name.group(1).lower() in _LITERAL:
                open_literals += -1 if part.startswith("</") else 1
        elif not open_literals:
            parts[i] = _CITATION.sub(cite, part)
    return "".join(parts), places


@lru_cache(maxsize=64)
def _render(text: str) -> tuple[Markup, tuple[tuple[int, tuple[int, ...]], ...]]:
    html, places = _link_citations(_markdown.render(text or ""))
    return Markup(html), tuple((n, tuple(ids)) for n, ids in sorted(places.items()))


def render_markdown(text: str) -> Markup:
    """Render Markdown to HTML that is safe to place in a page.

    Cached by text: an explainer is rendered on every page view but changes rarely.
    """
    return _render(text)[0]


def citation_places(text: str) -> dict[int, list[int]]:
    """Where render_markdown(text) cites each source: {source number: [citation ids]}."""
    return {n: list(ids) for n, ids in _render(text)[1]}
