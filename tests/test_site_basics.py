"""What every site answers: a bookmarked form result, the icon, robots.txt."""

from tests.factories import make_campaign


def test_a_bookmarked_sign_result_goes_back_to_the_campaign(client):
    campaign = make_campaign()
    response = client.get(f"/c/{campaign.slug}/sign")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/c/{campaign.slug}"


def test_the_site_has_an_icon_that_pages_link_to(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert b"<svg" in icon.data
    assert 'rel="icon" href="/favicon.ico"' in client.get("/").get_data(as_text=True)


def test_robots_keeps_crawlers_out_of_the_workspace_and_private_links(client):
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and robots.mimetype == "text/plain"
    lines = robots.get_data(as_text=True).splitlines()
    assert "Disallow: /organizer/" in lines and "Disallow: /r/" in lines
    assert "Disallow: /c/" not in lines
