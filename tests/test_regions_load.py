"""Every region of China is known: `tracker regions load` reads the national divisions package."""

import time

import sqlalchemy as sa

from tracker.audit.models import AuditEntry
from tracker.audit.services import CLI
from tracker.models import Project, Region
from tracker.regions.cli import regions as regions_command
from tracker.regions.national import load_national, national_divisions
from tracker.seeding.loader import load as load_seed
from tracker.vocabulary import RegionLevel


def region(db, key: str) -> Region | None:
    return db.session.scalar(sa.select(Region).where(Region.key == key))


def table_state(db) -> list[tuple]:
    return db.session.execute(sa.select(Region.id, Region.key, Region.code, Region.name,
                                        Region.level, Region.parent_id, Region.path)
                              .order_by(Region.id)).all()


def test_the_package_has_every_province_city_and_county():
    divisions = national_divisions()
    levels = {level: sum(1 for d in divisions if d.level == level) for level in RegionLevel}
    # 34 provincial divisions (Taiwan, Hong Kong, Macao included), 333 prefecture-level, and the
    # county-level divisions (2,845, among them those directly under a province: 仙桃市, 济源市).
    assert levels == {RegionLevel.PROVINCE: 34, RegionLevel.CITY: 333, RegionLevel.COUNTY: 2845,
                      RegionLevel.ZONE: 0}
    codes = [d.code for d in divisions]
    assert len(codes) == len(set(codes)) and all(len(c) == 6 and c.isdigit() for c in codes)


def test_load_knows_longnan_under_ganzhou_under_jiangxi(db):
    report = load_national(CLI)
    db.session.commit()
    assert report.created == 3212
    longnan = region(db, "360783")
    assert (longnan.name, longnan.level) == ("龙南市", RegionLevel.COUNTY)
    assert longnan.parent.key == "360700" and longnan.parent.name == "赣州市"
    assert longnan.parent.parent.key == "360000" and longnan.parent.parent.parent is None
    assert longnan.path == "/360000/360700/360783/"
    assert longnan.full_name == "江西省赣州市龙南市"
    # A city of a province that no seed mentions, a municipality's district, a county-level city
    # directly under its province, and a city with no counties.
    assert region(db, "510100").full_name == "四川省成都市"
    assert region(db, "110101").path == "/110000/110101/"
    assert region(db, "429004").parent.key == "420000"
    assert region(db, "441900").level == RegionLevel.CITY
    counts = dict(db.session.execute(sa.select(Region.level, sa.func.count())
                                     .group_by(Region.level)).all())
    assert counts == {RegionLevel.PROVINCE: 34, RegionLevel.CITY: 333, RegionLevel.COUNTY: 2845}


def test_a_second_load_changes_nothing(db):
    load_national(CLI)
    db.session.commit()
    before = table_state(db)
    entries = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    report = load_national(CLI)
    db.session.commit()
    assert (report.created, report.renamed, report.moved) == (0, [], 0)
    assert table_state(db) == before
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == entries


def test_load_after_the_seed_keeps_every_seeded_region_project_and_former_name(db, app, seeded):
    projects_before = dict(db.session.execute(sa.select(Project.id, Project.region_id)).all())
    seeded_regions = {row.key: row for row in table_state(db)}
    report = load_national(CLI)
    db.session.commit()
    assert report.kept == 1  # 海陵试验区, a zone with no code of its own
    assert dict(db.session.execute(sa.select(Project.id, Project.region_id)).all()) == projects_before
    after = {row.key: row for row in table_state(db)}
    assert all(after[key] == row for key, row in seeded_regions.items())
    assert region(db, "441700-hailing").parent.key == "441700"
    assert [(f.code, f.name) for f in region(db, "360783").former_names] == [("360727", "龙南县")]
    assert [(f.code, f.name) for f in region(db, "320614").former_names] == [("320684", "海门市")]
    assert len(after) == 3212 + 1


def test_make_run_order_load_then_seed_keeps_the_seeds_former_names_and_zone(db, app, country, country_database):
    """`make run` loads the divisions before the seed: the seed adds only what the package lacks.
    ``country_database`` is loaded in that order (tests/conftest.py); its report is the seed's."""
    report = country_database.report
    assert report.regions == 1  # only the zone 海陵试验区 is new
    assert [(f.code, f.name) for f in region(db, "360783").former_names] == [("360727", "龙南县")]
    assert [(f.code, f.name) for f in region(db, "320614").former_names] == [("320684", "海门市")]
    longnan_projects = db.session.scalar(sa.select(sa.func.count(Project.id)).join(Region)
                                         .where(Region.key == "360783"))
    assert longnan_projects > 0
    # The seed run again, and the load again: nothing more.
    assert load_seed(app.config["SEED_DIR"]).regions == 0
    assert [(f.code, f.name) for f in region(db, "360783").former_names] == [("360727", "龙南县")]
    assert load_national(CLI).created == 0


def test_a_renamed_division_gets_its_new_name_and_keeps_the_old_one(db, seeded):
    longnan = region(db, "360783")
    longnan.name = "龙南县"  # as a table loaded before the change to a city would have it
    db.session.commit()
    report = load_national(CLI)
    db.session.commit()
    assert report.renamed == [("360783", "龙南县", "龙南市")]
    db.session.refresh(longnan)
    assert longnan.name == "龙南市"
    assert ("360783", "龙南县") in [(f.code, f.name) for f in longnan.former_names]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "region:rename"))
    assert entry.changes == {"name": ["龙南县", "龙南市"]} and entry.object_id == longnan.id


def test_a_region_the_package_does_not_list_is_never_deleted(db, seeded):
    gone = Region(key="360727", code="360727", name="龙南县", level=RegionLevel.COUNTY,
                  parent=region(db, "360700"), path="/360000/360700/360727/")
    db.session.add(gone)
    db.session.commit()
    report = load_national(CLI)
    db.session.commit()
    assert region(db, "360727") is not None and report.kept == 2


def test_the_load_takes_a_few_seconds_at_most(db):
    started = time.perf_counter()
    load_national(CLI)
    db.session.commit()
    assert time.perf_counter() - started < 5


def test_tracker_regions_load_command(app, db):
    result = app.test_cli_runner().invoke(regions_command, ["load"])
    assert result.exit_code == 0, result.output
    assert "3212 new" in result.output
    assert region(db, "360783").name == "龙南市"
    again = app.test_cli_runner().invoke(regions_command, ["load"])
    assert "0 new, 0 renamed" in again.output


def test_the_audit_log_can_be_filtered_to_region_changes(app, db, make_user):
    from .conftest import login_as
    load_national(CLI)
    db.session.commit()
    admin = app.test_client()
    login_as(admin, make_user("admin", username="auditor"))
    html = admin.get("/admin/audit?action=region:").get_data(as_text=True)
    assert '<option value="region:" selected>' in html
    assert "载入全国行政区划：新增 3212 个，更名 0 个" in html
