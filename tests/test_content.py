"""Campaign content files: every fact cited, quotes exact and attributed, own words."""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from app import ROOT
from app.clock import utcnow
from app.services.campaigns.content import ContentError, parse_content_file
from tests import content_checks
from tests.content_checks import ACTION_SECTIONS, CITATION, QUOTE, blocks

CONTENT_DIR = ROOT / "content" / "campaigns"
CONTENT = CONTENT_DIR / "third-country-deportations.md"
# The shared source pack sits beside the repository; SOURCE_PACK points elsewhere (a worktree).
SOURCE_PACK = Path(os.environ.get("SOURCE_PACK") or ROOT.parent / "shared" / "sources")
# Officials quoted in the explainer; each quote must sit beside the name of who said it.
SPEAKERS = ("Rubio", "State Department")
# Reading speed for the reading-time estimate, in words a minute.
WORDS_PER_MINUTE = 200


@pytest.fixture(scope="module")
def source_pack() -> Path:
    if not any(SOURCE_PACK.glob("*.txt")):
        pytest.skip(f"the source pack is not at {SOURCE_PACK} (set SOURCE_PACK)")
    return SOURCE_PACK


@pytest.fixture(scope="module")
def campaign() -> dict:
    return parse_content_file(CONTENT)


@pytest.fixture(scope="module")
def source_text(campaign, source_pack) -> str:
    return "\n".join(content_checks.source_texts(campaign, source_pack))


def _all_content_files() -> list[Path]:
    return sorted(CONTENT_DIR.glob("*.md"))


@pytest.mark.parametrize("path", _all_content_files(), ids=lambda p: p.stem)
def test_every_content_file_passes_the_fact_checks(path, source_pack):
    fields = parse_content_file(path)
    assert content_checks.uncited_paragraphs(fields) == []
    assert content_checks.unknown_citations(fields) == []
    assert content_checks.misquotes(fields, source_pack) == []
    assert content_checks.copied_runs(fields, source_pack) == []


BAD_FILE = """---
title: Bad
summary: "The administration is exploring the possibility of sending migrants with criminal records"
sources:
  - title: The report
    publisher: Unknown
    file: {file}
---
## What was proposed

A fact with no citation.

A fact citing a source that is not listed. [2]

Rubio said: "We want to send you the finest people." [1]

## What you can do

Sign it.
"""


@pytest.fixture
def bad_file(tmp_path, source_pack) -> dict:
    path = tmp_path / "bad.md"
    report = next(iter(sorted(source_pack.glob("*.txt")))).name
    path.write_text(BAD_FILE.format(file=report))
    return parse_content_file(path)


def test_the_checks_catch_a_bad_content_file(bad_file, source_pack):
    assert content_checks.uncited_paragraphs(bad_file) == [
        "What was proposed: A fact with no citation."
    ]
    assert content_checks.unknown_citations(bad_file) == [2]
    assert content_checks.misquotes(bad_file, source_pack) == [
        "We want to send you the finest people."
    ]
    assert content_checks.copied_runs(bad_file, source_pack) == [
        "administration is exploring the possibility of sending migrants",
        "exploring the possibility of sending migrants with criminal",
        "is exploring the possibility of sending migrants with",
        "the possibility of sending migrants with criminal records",
    ]


def test_a_quote_is_checked_only_against_sources_with_a_file(bad_file, source_pack):
    bad_file["sources"][0].pop("file")
    quote = "We want to send you some of the most despicable human beings"
    bad_file["explainer"] += f'\nRubio said: "{quote}" [1]\n'
    assert quote in content_checks.misquotes(bad_file, source_pack)


def test_the_page_reads_in_under_three_minutes(campaign):
    text = CITATION.sub(" ", campaign["explainer"])
    words = len(re.findall(r"[A-Za-z0-9\u2019'.-]+", text.replace("#", "").replace("*", "")))
    assert words / WORDS_PER_MINUTE < 3, f"{words} words"


def test_every_factual_paragraph_cites_a_listed_source(campaign):
    sources = len(campaign["sources"])
    factual = [(s, text) for s, text in blocks(campaign["explainer"]) if s not in ACTION_SECTIONS]
    assert len(factual) >= 10
    for section, text in factual:
        cited = content_checks.cited_numbers(text)
        assert cited, f"no citation in {section!r}: {text!r}"
        assert all(1 <= n <= sources for n in cited), f"unknown source in {text!r}"
        # One marker per paragraph or claim group, not one per sentence.
        assert len(CITATION.findall(text)) <= 2, f"too many markers in {text!r}"


def test_every_source_is_cited_and_described(campaign):
    cited = {int(n) for match in CITATION.findall(campaign["explainer"]) for n in match.split(",")}
    assert cited == set(range(1, len(campaign["sources"]) + 1))
    for source in campaign["sources"]:
        assert source["title"] and source["publisher"]


def test_the_sections_a_reader_needs_are_there(campaign):
    sections = {s for s, _ in blocks(campaign["explainer"])}
    for needed in ("proposed", "Libya", "Rwanda", "officials", "court", "unknown", "can do"):
        assert any(needed in s for s in sections), f"no section about {needed!r}: {sections}"


def test_quotes_are_exact_and_attributed(campaign, source_text):
    quoted = 0
    for _, text in blocks(campaign["explainer"]):
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


def test_nothing_is_copied_from_the_source_beyond_exact_quotes(campaign, source_pack):
    copied = content_checks.copied_runs(campaign, source_pack)
    assert not copied, f"copied from the source: {copied[0]!r}"


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
    assert 'href="/c/third-country-deportations/changes">See all updates</a>' in page


def test_the_report_names_its_source_pack_file_but_never_shows_it(campaign, runner, client):
    [report] = [source for source in campaign["sources"] if source.get("file")]
    if SOURCE_PACK.is_dir():
        assert (SOURCE_PACK / report["file"]).is_file(), report["file"]
    for field in ("title", "publisher", "date", "note"):
        assert report[field] and report["file"] not in report[field]
    for unknown in ("publisher", "author", "web address", "date", "republished", "title is ours"):
        assert unknown in report["note"]
    assert runner.invoke(args=["seed"]).exit_code == 0
    page = client.get("/c/third-country-deportations").get_data(as_text=True)
    assert report["file"] not in page
    assert not re.search(r"[0-9a-f]{3}_[0-9a-f]{16}", page)


def test_later_sources_say_who_published_them_when_and_where(campaign):
    later = [source for source in campaign["sources"] if not source.get("file")]
    assert len(later) >= 5
    for source in later:
        assert source["title"] and source["publisher"] and source["date"]
        assert source["url"].startswith("https://")


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
