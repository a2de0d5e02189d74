"""The tracker command: export, seed check."""

import json

from tracker.cli import export, seed


def test_export_json_of_longnan_gives_exact_strings_and_sources(app, seeded, db, tmp_path):
    output = tmp_path / "longnan.json"
    result = app.test_cli_runner().invoke(export, ["--format", "json", "--region", "360783",
                                                   "--output", str(output)])
    assert result.exit_code == 0, result.output
    projects = json.loads(output.read_text(encoding="utf-8"))["projects"]
    by_name = {p["name"]: p for p in projects}
    lab = by_name["赣州市龙南市疾病预防控制中心实验楼建设项目"]
    assert lab["total_investment_wan_yuan"] == "1320"
    assert lab["land_area_mu"] == "4" and lab["land_area_approx"] is True
    assert lab["region_code"] == "360783" and lab["region_name"] == "龙南市"
    assert lab["plan_files"] == ["002_6be73d2b01aff470.txt"]
    # Each source names its plan by key: a plan added in the tracker has no file (a QA walk read
    # "file": null on every source of one and could not tell its plans apart).
    assert lab["plans"] == ["longnan-14th-regional-plan"]
    assert {"plan": "longnan-14th-regional-plan", "file": "002_6be73d2b01aff470.txt", "line": 194,
            "quote": "1,320", "fields": ["total_investment_wan_yuan"]} in lab["sources"]
    stated = [p["total_investment_wan_yuan"] for p in projects if p["total_investment_wan_yuan"]]
    assert sum(int(amount) for amount in stated) == 145735
    for key in ("id", "aliases", "kind", "category", "build_nature", "floor_area_m2", "beds",
                "new_beds", "status", "milestones"):
        assert key in lab


def test_export_json_to_stdout_is_valid_json(app, seeded, db):
    result = app.test_cli_runner().invoke(export, ["--region", "360783"])
    assert result.exit_code == 0
    assert len(json.loads(result.output)["projects"]) >= 8


def test_export_of_an_unknown_region_fails_with_a_message(app, db):
    result = app.test_cli_runner().invoke(export, ["--region", "123456"])
    assert result.exit_code != 0
    assert "123456" in result.output


def test_seed_check_passes_on_the_committed_seed(app):
    from .conftest import SHARED_SEEDS
    if not SHARED_SEEDS.is_dir():
        import pytest
        pytest.skip(f"the plan documents are not at {SHARED_SEEDS}")
    result = app.test_cli_runner().invoke(seed, ["--check"])
    assert result.exit_code == 0, result.output
    assert "0 problem(s)" in result.output


def test_a_database_that_cannot_be_used_is_said_in_a_line_not_a_traceback(tmp_path, monkeypatch):
    """A cron job's `tracker reminders --send` mailed the admin 150 lines of traceback when the
    database was stopped; an unmigrated one printed "no such table" inside another 130."""
    from click.testing import CliRunner

    from tracker.cli import main

    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'never-migrated.db'}")
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("TRACKER_SECRET_KEY", "cli-test")
    result = CliRunner().invoke(main, ["users", "list"])
    assert result.exit_code == 1
    assert "the database cannot be used: no such table: users" in result.output
    assert "tracker db upgrade" in result.output and "Traceback" not in result.output
