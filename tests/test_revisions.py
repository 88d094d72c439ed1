"""Explainer history: each change of public text is a revision with who, when and why."""

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import Campaign, CampaignRevision, CampaignStatus
from app.services.campaigns.revisions import diff_lines
from tests.factories import make_campaign

CONTENT = """---
title: "Removals"
summary: "What the report said."
status: open
change_reason: "{reason}"
sources:
  - title: A report
    publisher: A paper
---
## What happened

{body} [1]
"""


def _revisions(campaign_id: int) -> list[CampaignRevision]:
    return list(
        db.session.scalars(
            sa.select(CampaignRevision)
            .where(CampaignRevision.campaign_id == campaign_id)
            .order_by(CampaignRevision.id)
        )
    )


def _seed(runner, tmp_path, reason: str, body: str):
    (tmp_path / "removals.md").write_text(CONTENT.format(reason=reason, body=body))
    result = runner.invoke(args=["seed", "--overwrite", "--content", str(tmp_path)])
    assert result.exit_code == 0, result.output
    return db.session.scalar(sa.select(Campaign).where(Campaign.slug == "removals"))


def test_seeding_keeps_a_revision_with_the_content_files_reason(runner, client, tmp_path):
    campaign = _seed(runner, tmp_path, "First version.", "A judge paused the order.")
    _seed(runner, tmp_path, "Nothing changed, so no revision.", "A judge paused the order.")
    assert [r.reason for r in _revisions(campaign.id)] == ["First version."]

    _seed(
        runner, tmp_path, "Matched the report: blocked, not paused.", "A judge blocked the order."
    )
    first, second = _revisions(campaign.id)
    assert second.reason == "Matched the report: blocked, not paused."
    assert second.author_id is None and "judge blocked" in second.text["explainer"]

    page = client.get("/c/removals/changes").get_data(as_text=True)
    assert page.index("Matched the report") < page.index("First version.")
    assert "Loaded from the campaign’s content file" in page
    assert re.search(r"<del>.*paused.*</del>\s*<ins>.*blocked.*</ins>", page)
    assert "The first version on record" in page


def test_the_changes_page_is_public_cached_and_escapes_the_text(client):
    campaign = make_campaign(slug="escaped")
    db.session.add(
        CampaignRevision(campaign_id=campaign.id, reason="<b>why</b>", text={"explainer": "a"})
    )
    db.session.add(
        CampaignRevision(
            campaign_id=campaign.id, reason="Second", text={"explainer": "<script>x</script>"}
        )
    )
    db.session.commit()
    response = client.get("/c/escaped/changes")
    page = response.get_data(as_text=True)
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "<b>why" not in page and "&lt;b&gt;why&lt;/b&gt;" in page
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    assert (
        client.get(
            "/c/escaped/changes", headers={"If-None-Match": response.headers["ETag"]}
        ).status_code
        == 304
    )

    draft = make_campaign(status=CampaignStatus.DRAFT)
    assert client.get(f"/c/{draft.slug}/changes").status_code == 404


def test_each_source_links_back_to_every_place_it_is_cited(client):
    campaign = make_campaign(
        explainer="## A\n\nBoth [1, 2].\n\nOne [1].\n",
        sources=[{"title": "First", "publisher": "P"}, {"title": "Second", "publisher": "Q"}],
    )
    page = client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    assert 'id="cite-1" tabindex="-1"' in page and 'id="cite-2" tabindex="-1"' in page
    assert 'id="cite-3"' not in page
    first = re.search(r'<li id="source-1" tabindex="-1">(.*?)</li>', page, re.S).group(1)
    second = re.search(r'<li id="source-2" tabindex="-1">(.*?)</li>', page, re.S).group(1)
    assert re.findall(r'href="#cite-(\d+)"', first) == ["1", "2"]
    assert re.findall(r'href="#cite-(\d+)"', second) == ["1"]
    assert (
        "Back to text" in second
        and 'aria-label="Back to text: place 1 of 1 citing source 2"' in second
    )


def test_word_diff_marks_only_the_changed_words():
    assert diff_lines(["No decision had been made."], ["No final decision has been made."]) == [
        [
            ("same", "No"),
            ("added", "final"),
            ("same", "decision"),
            ("removed", "had"),
            ("added", "has"),
            ("same", "been made."),
        ]
    ]
    assert diff_lines(["Same.", "Gone entirely here."], ["Same.", "Something else."]) == [
        [("removed", "Gone entirely here.")],
        [("added", "Something else.")],
    ]
