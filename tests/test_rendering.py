"""Markdown rendering: content and user text never put markup or script on a page."""

import pytest

from app.rendering import render_markdown
from app.templating import web_url
from tests.factories import make_campaign


@pytest.mark.parametrize(
    ("markdown", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src="x" onerror="alert(1)">', "<img"),
        ("<iframe src='https://evil.example'></iframe>", "<iframe"),
        ("[click](javascript:alert(1))", 'href="javascript:'),
        ("[click](JaVaScRiPt:alert(1))", "href="),
        ("[click](vbscript:msgbox(1))", "href="),
        ("![pic](data:text/html;base64,PHNjcmlwdD4=)", "<img"),
        ("<a href='javascript:alert(1)'>x</a>", "<a "),
    ],
)
def test_raw_html_and_script_links_are_not_rendered(markdown, forbidden):
    html = render_markdown(markdown)
    assert forbidden.lower() not in html.lower()


def test_raw_html_is_shown_as_text():
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in render_markdown("<script>alert(1)</script>")


def test_ordinary_markdown_keeps_its_structure():
    html = render_markdown("## Heading\n\nSome *text* and a [link](https://example.org).\n\n- one")
    assert "<h2>Heading</h2>" in html
    assert "<em>text</em>" in html
    assert '<a href="https://example.org">link</a>' in html
    assert "<li>one</li>" in html


def test_citations_become_links_to_the_sources_list():
    html = render_markdown("A fact [1]. Two facts [2, 3].")
    assert '<sup class="cite">[<a href="#source-1" aria-label="Source 1">1</a>]</sup>' in html
    assert 'href="#source-2"' in html
    assert 'href="#source-3"' in html


def test_citation_like_text_in_attributes_code_and_links_is_left_alone():
    html = render_markdown(
        '[a](https://e.org "see [2]") and `code [3]` and [link [4]](https://e.org)'
    )
    assert 'title="see [2]"' in html
    assert "<code>code [3]</code>" in html
    assert '<a href="https://e.org">link [4]</a>' in html
    assert "source-" not in html


def test_markdown_link_with_a_number_is_not_taken_for_a_citation():
    html = render_markdown("[1](https://example.org)")
    assert '<a href="https://example.org">1</a>' in html
    assert "cite" not in html


def test_hostile_explainer_reaches_the_campaign_page_only_as_text(client):
    campaign = make_campaign(
        explainer="Hello <script>alert('x')</script> [go](javascript:alert(1)) [1]\n",
        summary='"><script>alert(2)</script>',
        title="<b>Bold</b> title",
    )
    page = client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    assert "<script>alert" not in page
    assert 'href="javascript:' not in page
    assert "&lt;b&gt;Bold&lt;/b&gt; title" in page
    assert 'href="#source-1"' in page


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://www.congress.gov/", True),
        ("http://example.org/form", True),
        ("javascript:alert(1)", False),
        (" JaVaScRiPt:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("//evil.example/x", False),
        ("", False),
    ],
)
def test_only_web_addresses_reach_an_href(url, kept):
    assert (web_url(url) != "") is kept


def test_a_source_link_with_another_scheme_is_shown_as_plain_text(client):
    campaign = make_campaign(
        sources=[{"title": "Click me", "url": "javascript:alert(document.domain)"}]
    )
    page = client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    assert "Click me" in page
    assert "javascript:" not in page
