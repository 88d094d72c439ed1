"""Safe Markdown: raw HTML in content or user text is escaped, never rendered."""

import re

from markdown_it import MarkdownIt
from markupsafe import Markup

# "commonmark" with html disabled escapes any tag; markdown-it also refuses javascript:,
# vbscript: and data: links by default.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.enable("table")

# "[3]" or "[1, 4]" in the rendered text becomes superscript links to the sources list.
_CITATION = re.compile(r"\[(\d{1,3}(?:,\s*\d{1,3})*)\](?!\()")


def _link_citations(html: str) -> str:
    def replace(match: re.Match) -> str:
        numbers = [n.strip() for n in match.group(1).split(",")]
        links = ",".join(f'<a href="#source-{n}" aria-label="Source {n}">{n}</a>' for n in numbers)
        return f'<sup class="cite">[{links}]</sup>'

    return _CITATION.sub(replace, html)


def render_markdown(text: str) -> Markup:
    """Render Markdown to HTML that is safe to place in a page."""
    return Markup(_link_citations(_markdown.render(text or "")))
