"""The workspace dashboard shows the reference data in force and what is missing."""


def test_the_dashboard_shows_each_dataset_and_warns_of_missing_member_data(app, login, tmp_path):
    path = tmp_path / "zccd.csv"
    path.write_text("state_fips,state_abbr,zcta,cd\n48,TX,75001,3\n")
    result = app.test_cli_runner().invoke(args=["zips", "import", str(path), "--congress", "119"])
    assert result.exit_code == 0, result.output
    page = login().get("/organizer/").get_data(as_text=True)
    assert "ZIP-to-district map, 119th Congress" in page
    assert "2025-01-03 to 2027-01-03" in page
    assert "No members of Congress imported for the " in page
