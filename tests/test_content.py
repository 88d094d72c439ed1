"""The first campaign's explainer: every fact cited, quotes exact and attributed, own words."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from app import ROOT
from app.clock import utcnow
from app.services.campaigns.content import ContentError, parse_content_file

CONTENT = ROOT / "content" / "campaigns" / "third-country-deportations.md"
SOURCE_PACK = ROOT.parent / "shared" / "sources"
# Sections that tell the reader what they can do, rather than state facts.
ACTION_SECTIONS = {"What you can do"}
# Officials quoted in the explainer; each quote must sit beside the name of who said it.
SPEAKERS = ("Rubio", "State Department")
CITATION = re.compile(r"\[(\d{1,3}(?:,\s*\d{1,3})*)\](?!\()")
# A sentence ends at . ? or ! (after any closing quote) followed by a capital letter.
SENTENCE_END = re.compile(r'(?<=[.?!])"?\s+(?=[A-Z])')
QUOTE = re.compile(r'"([^"]+)"')
# Eight words in the same order outside a quotation is copying, not paraphrase.
RUN_LENGTH = 8


@pytest.fixture(scope="module")
def campaign() -> dict:
    return parse_content_file(CONTENT)


@pytest.fixture(scope="module")
def source_text() -> str:
    files = sorted(SOURCE_PACK.glob("*.txt"))
    if not files:
        pytest.skip(f"the source pack is not at {SOURCE_PACK}")
    text = "\n".join(path.read_text(encoding="utf-8") for path in files)
    return text.replace("\u201c", '"').replace("\u201d", '"')


def _blocks(explainer: str) -> list[tuple[str, str]]:
    """(section heading, text) for every paragraph and list item of the explainer."""
    tokens = MarkdownIt("commonmark").parse(explainer)
    blocks, section = [], ""
    for opening, inline in zip(tokens, tokens[1:], strict=False):
        if opening.type == "heading_open":
            section = inline.content
        elif opening.type == "paragraph_open":
            blocks.append((section, inline.content))
    return blocks


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:['\u2019][a-z]+)?", text.lower())


def _runs(text: str) -> set[tuple[str, ...]]:
    words = _words(text)
    return {tuple(words[i : i + RUN_LENGTH]) for i in range(len(words) - RUN_LENGTH + 1)}


def test_every_factual_sentence_cites_a_listed_source(campaign):
    sources = len(campaign["sources"])
    factual = [(s, text) for s, text in _blocks(campaign["explainer"]) if s not in ACTION_SECTIONS]
    assert len(factual) >= 10
    for section, text in factual:
        for sentence in SENTENCE_END.split(text):
            cited = [int(n) for match in CITATION.findall(sentence) for n in match.split(",")]
            assert cited, f"no citation in {section!r}: {sentence!r}"
            assert all(1 <= n <= sources for n in cited), f"unknown source in {sentence!r}"


def test_every_source_is_cited_and_described(campaign):
    cited = {int(n) for match in CITATION.findall(campaign["explainer"]) for n in match.split(",")}
    assert cited == set(range(1, len(campaign["sources"]) + 1))
    for source in campaign["sources"]:
        assert source["title"] and source["publisher"]


def test_the_sections_a_reader_needs_are_there(campaign):
    sections = {s for s, _ in _blocks(campaign["explainer"])}
    for needed in ("proposed", "Libya", "Rwanda", "officials", "court", "undecided", "can do"):
        assert any(needed in s for s in sections), f"no section about {needed!r}: {sections}"


def test_quotes_are_exact_and_attributed(campaign, source_text):
    quoted = 0
    for _, text in _blocks(campaign["explainer"]):
        for quote in QUOTE.findall(text):
            assert quote.strip(" .") in source_text, f"not in the source word for word: {quote!r}"
            if len(quote.split()) < 5:
                continue  # a term such as "safe third country", not a statement
            quoted += 1
            at = source_text.index(quote.strip(" ."))
            around = source_text[max(0, at - 300) : at + len(quote) + 300]
            speakers = [s for s in SPEAKERS if s in text and s in around]
            assert speakers, f"quote not attributed to who said it: {quote!r}"
    assert quoted >= 3


def test_nothing_is_copied_from_the_source_beyond_exact_quotes(campaign, source_text):
    source_runs = _runs(source_text)
    own_words = "\n".join([campaign["summary"], campaign["letter_body"], campaign["explainer"]])
    # Quotes of officials are meant to be verbatim; everything between them must not be.
    for segment in QUOTE.split(own_words)[::2]:
        copied = _runs(CITATION.sub(" ", segment)) & source_runs
        assert not copied, f"copied from the source: {' '.join(sorted(copied)[0])!r}"


def test_the_explainer_says_when_it_was_last_updated(campaign):
    assert isinstance(campaign["last_updated"], date)
    assert campaign["last_updated"] <= utcnow().date()


def test_the_seeded_campaign_page_shows_date_sources_and_form(runner, client):
    assert runner.invoke(args=["seed"]).exit_code == 0
    page = client.get("/c/third-country-deportations").get_data(as_text=True)
    assert "Deportations to third countries" in page
    assert re.search(r'Last updated <time datetime="\d{4}-\d{2}-\d{2}">', page)
    assert 'id="source-1"' in page
    assert 'href="#source-1"' in page
    assert "Sign the petition" in page


def test_source_pack_file_named_in_the_sources_exists(campaign):
    notes = " ".join(source.get("note", "") for source in campaign["sources"])
    for name in re.findall(r"\b[0-9a-f]{3}_[0-9a-f]{16}\.txt\b", notes):
        if SOURCE_PACK.is_dir():
            assert (SOURCE_PACK / name).is_file(), name
        assert Path(name).suffix == ".txt"


def test_content_times_are_wall_clock_in_the_campaigns_time_zone(tmp_path):
    # As an organizer enters them in the browser: 17:00 in New York in December is 22:00 UTC.
    path = tmp_path / "tz.md"
    path.write_text(
        "---\ntitle: T\ntimezone: America/New_York\nopens_at: 2026-07-01 09:00:00\n"
        "closes_at: 2026-12-01 17:00:00\n---\nBody\n"
    )
    fields = parse_content_file(path)
    assert fields["opens_at"] == datetime(2026, 7, 1, 13, 0)  # summer time, UTC-4
    assert fields["closes_at"] == datetime(2026, 12, 1, 22, 0)
    path.write_text("---\ntitle: T\ntimezone: Mars/Olympus\ncloses_at: 2026-12-01\n---\nBody\n")
    with pytest.raises(ContentError, match="closes_at: Unknown time zone"):
        parse_content_file(path)
