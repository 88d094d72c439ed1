"""Checks a fact-checker would run on a campaign content file; each returns what it found wrong.

A source's text is read from the source pack when the source names its `file` there.
"""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt

CITATION = re.compile(r"\[(\d{1,3}(?:,\s*\d{1,3})*)\](?!\()")
QUOTE = re.compile(r'"([^"]+)"')
# Sections that tell the reader what they can do, rather than state facts (in each language).
ACTION_SECTIONS = {"What you can do", "Lo que usted puede hacer"}
# Eight words in the same order outside a quotation is copying, not paraphrase.
RUN_LENGTH = 8


def blocks(explainer: str) -> list[tuple[str, str]]:
    """(section heading, text) for every paragraph and list item of the explainer."""
    tokens = MarkdownIt("commonmark").parse(explainer)
    found, section = [], ""
    for opening, inline in zip(tokens, tokens[1:], strict=False):
        if opening.type == "heading_open":
            section = inline.content
        elif opening.type == "paragraph_open":
            found.append((section, inline.content))
    return found


def cited_numbers(text: str) -> list[int]:
    return [int(n) for match in CITATION.findall(text) for n in match.split(",")]


def source_texts(fields: dict, source_dir: Path) -> list[str]:
    """The text of every listed source that names a file in the source pack."""
    texts = []
    for source in fields.get("sources") or []:
        if source.get("file"):
            text = (source_dir / source["file"]).read_text(encoding="utf-8")
            texts.append(text.replace("\u201c", '"').replace("\u201d", '"'))
    return texts


def own_words(fields: dict) -> str:
    """Everything the campaign says in its own voice: summary, letter and explainer."""
    return "\n".join(fields.get(k) or "" for k in ("summary", "letter_body", "explainer"))


def uncited_paragraphs(fields: dict) -> list[str]:
    """Paragraphs and list items of the factual sections that carry no citation."""
    return [
        f"{section}: {text}"
        for section, text in blocks(fields["explainer"])
        if section not in ACTION_SECTIONS and not cited_numbers(text)
    ]


def unknown_citations(fields: dict) -> list[int]:
    """Cited numbers with no entry in the sources list."""
    listed = range(1, len(fields.get("sources") or []) + 1)
    return sorted({n for n in cited_numbers(fields["explainer"]) if n not in listed})


def misquotes(fields: dict, source_dir: Path) -> list[str]:
    """Quotations that are not word for word in any listed source file."""
    texts = source_texts(fields, source_dir)
    return [
        quote
        for quote in QUOTE.findall(own_words(fields))
        if not any(quote.strip(" .,") in text for text in texts)
    ]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:['\u2019][a-z]+)?", text.lower())


def _runs(text: str) -> set[tuple[str, ...]]:
    words = _words(text)
    return {tuple(words[i : i + RUN_LENGTH]) for i in range(len(words) - RUN_LENGTH + 1)}


def copied_runs(fields: dict, source_dir: Path) -> list[str]:
    """Runs of RUN_LENGTH words shared with a listed source file, outside quotation marks."""
    source_runs = set().union(*(_runs(text) for text in source_texts(fields, source_dir)))
    # Quotes are meant to be verbatim; everything between them must not be.
    segments = QUOTE.split(own_words(fields))[::2]
    copied = set().union(*(_runs(CITATION.sub(" ", s)) for s in segments)) & source_runs
    return sorted(" ".join(run) for run in copied)
