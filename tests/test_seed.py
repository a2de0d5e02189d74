"""The seed holds what the five plans say, loads idempotently and never overwrites an edit."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tracker.audit.models import AuditEntry
from tracker.audit.services import Actor
from tracker.models import Milestone, Plan, Project, Region
from tracker.projects import services
from tracker.seeding.loader import load
from tracker.seeding.provenance import SeedChecker, appears_in

from .conftest import SHARED_SEEDS

LONGNAN_TABLE_6 = {
    "赣州市龙南市疾病预防控制中心实验楼建设项目": "1320",
    "赣州市龙南市医疗物资储备库建设项目": "2500",
    "赣州市龙南市第七人民医院门诊综合楼建设项目": "9000",
    "赣州市龙南市第一人民医院感染大楼建设项目": "7515",
    "赣州市龙南市第六人民医院门诊综合楼建设项目": "5400",
    "龙南第五人民医院（公立中医院）建设项目": "50000",
    "龙南公共卫生服务能力提升建设项目": "40000",
    "龙南医养综合服务中心": "30000",
}


def by_name(db, name: str) -> Project:
    return db.session.scalar(sa.select(Project).where(Project.name == name))


def test_longnan_table_6_as_printed(db, seeded):
    for name, amount in LONGNAN_TABLE_6.items():
        project = by_name(db, name)
        assert project.total_investment == Decimal(amount), name
        assert project.region.code == "360783"
    total = db.session.scalar(sa.select(sa.func.sum(Project.total_investment)).where(
        Project.name.in_(LONGNAN_TABLE_6)))
    assert total == Decimal("145735")


def test_approximate_and_added_figures_stay_marked(db, seeded):
    lab = by_name(db, "赣州市龙南市疾病预防控制中心实验楼建设项目")
    assert (lab.land_area_mu, lab.land_area_approx) == (Decimal("4"), True)
    assert (lab.floor_area_m2, lab.floor_area_approx) == (Decimal("4400"), False)
    infection = by_name(db, "赣州市龙南市第一人民医院感染大楼建设项目")
    assert infection.new_beds == 86 and infection.beds is None
    assert infection.land_area_mu is None  # the row states no land area: unknown, not 0
    assert infection.floor_area_m2 == Decimal("16698.95") and infection.floor_area_approx
    sixth = by_name(db, "赣州市龙南市第六人民医院门诊综合楼建设项目")
    assert sixth.floor_area_term == "建设面积"


def test_regions_carry_codes_parents_and_former_names(db, seeded):
    longnan = db.session.scalar(sa.select(Region).where(Region.code == "360783"))
    assert longnan.parent.code == "360700" and longnan.parent.parent.code == "360000"
    assert [(f.code, f.name) for f in longnan.former_names] == [("360727", "龙南县")]


def test_every_project_cites_its_plan(db, seeded):
    without_source = db.session.scalars(
        sa.select(Project.name).where(~Project.sources.any())).all()
    assert without_source == []
    # Only what a plan reports as built before it is cited without being linked (issue 16).
    without_plan = db.session.scalars(sa.select(Project.status).where(~Project.plans.any())).all()
    assert len(without_plan) == sum(BUILT_BEFORE.values())
    assert {status.value for status in without_plan} == {"completed", "in_use"}


def test_a_second_load_changes_nothing(db, seeded, app):
    entries = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    versions = dict(db.session.execute(sa.select(Project.id, Project.version)).all())
    report = load(app.config["SEED_DIR"])
    db.session.commit()
    assert report.created == report.updated == 0
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == entries
    assert dict(db.session.execute(sa.select(Project.id, Project.version)).all()) == versions


def test_seeding_is_audited(db, seeded):
    created = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(
        AuditEntry.action == "project:create", AuditEntry.via == "seed"))
    assert created == db.session.scalar(sa.select(sa.func.count(Project.id)))


def test_a_later_edit_in_the_tracker_survives_a_reseed(db, seeded, app, monkeypatch):
    project = by_name(db, "龙南医养综合服务中心")
    officer = Actor(None, "web")
    services.update_project(officer, project, {"total_investment": Decimal("31000")},
                            expected_version=project.version)
    db.session.commit()
    # Even when the seed record itself changes, the officer's figure stays.
    from tracker.seeding import loader
    original = loader.SeedProject.checksum
    monkeypatch.setattr(loader.SeedProject, "checksum",
                        lambda self: hashlib.sha256(b"changed" + original(self).encode()).hexdigest())
    report = load(app.config["SEED_DIR"])
    db.session.commit()
    db.session.expire_all()
    assert by_name(db, "龙南医养综合服务中心").total_investment == Decimal("31000")
    assert project.seed_key in report.kept_edited


def test_a_changed_seed_record_updates_an_unedited_project(db, seeded, app, monkeypatch):
    from tracker.seeding import loader
    original_collect = loader.collect

    def corrected(seed_dir):
        regions, plans, projects = original_collect(seed_dir)
        projects["longnan-t6-01"].attributes["owner_unit"] = "龙南市疾病预防控制中心"
        return regions, plans, projects

    monkeypatch.setattr(loader, "collect", corrected)
    report = load(app.config["SEED_DIR"])
    db.session.commit()
    assert report.updated == 1
    assert by_name(db, "赣州市龙南市疾病预防控制中心实验楼建设项目").owner_unit == "龙南市疾病预防控制中心"


def test_plans_are_loaded_with_their_files(db, seeded):
    files = set(db.session.scalars(sa.select(Plan.source_file)))
    assert "002_6be73d2b01aff470.txt" in files


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(),
                    reason=f"the plan documents are not at {SHARED_SEEDS}: provenance not checked")
def test_every_quote_stands_on_its_line_and_every_number_in_its_quotes(app):
    problems = SeedChecker(SHARED_SEEDS).check_all(app.config["SEED_DIR"])
    assert [str(p) for p in problems] == []


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason=f"the plan documents are not at {SHARED_SEEDS}")
def test_the_checker_catches_a_mistyped_figure_and_a_moved_quote(tmp_path):
    (tmp_path / "002_test.yaml").write_text("""
document: {file: 002_6be73d2b01aff470.txt, key: t, title: t, region: "360783",
           sources: [{line: 1, quote: "龙南市"}]}
regions: [{key: "360783", code: "360783", name: 龙南市, level: county, parent: null}]
projects:
  - key: k
    name: 赣州市龙南市医疗物资储备库建设项目
    region: "360783"
    kind: construction
    category: supplies_depot
    build_nature: new
    status: null
    total_investment_wan_yuan: "2600"
    sources: [{line: 197, quote: "赣州市龙南市医疗物资储备库建设项目"}, {line: 203, quote: "2,500"}]
""", encoding="utf-8")
    problems = [str(p) for p in SeedChecker(SHARED_SEEDS).check_all(tmp_path)]
    assert any("total_investment_wan_yuan 2600 does not appear" in p for p in problems)
    assert any("'2,500' is not on line 203" in p for p in problems)


@pytest.mark.parametrize("value, quotes, expected", [
    ("1320", ["1,320"], True), ("1320", ["13200"], False), ("4", ["占地约4亩"], True),
    ("4", ["占地约40亩"], False), ("27.9", ["占地27.9亩"], True), ("16698.95", ["约16698.95平方米"], True),
])
def test_a_number_must_be_printed_whole_in_its_quotes(value, quotes, expected):
    assert appears_in(value, quotes) is expected


def test_yichun_cdc_relocation_is_one_project_with_both_documents(db, seeded):
    project = db.session.scalar(sa.select(Project).where(Project.seed_key == "yichun-cdc-relocation"))
    assert project.name == "宜春市疾病预防控制中心易地新建"
    assert project.build_nature_term == "易地新建"
    cited = {(source.plan.source_file, source.line) for source in project.sources}
    assert {("000_dfb8ccd5e9df308d.txt", 271), ("000_dfb8ccd5e9df308d.txt", 281),
            ("001_097a9293a0bf8bc4.txt", 55)} <= cited
    assert "市疾控中心易地新建" in [alias.name for alias in project.aliases]
    [topping_out] = [m for m in project.milestones if m.stage.value == "topping_out"]
    assert str(topping_out.planned_date) == "2021-12-31" and topping_out.actual_date is None
    assert topping_out.sources[0]["file"] == "001_097a9293a0bf8bc4.txt"
    assert topping_out.sources[0]["line"] == 55
    assert project.total_investment is None  # neither Yichun document states a budget


def test_the_2021_work_points_date_four_projects(db, seeded):
    dated = db.session.scalars(
        sa.select(Project.seed_key).join(Milestone).where(
            Milestone.stage == "topping_out", Milestone.planned_date == dt.date(2021, 12, 31))
    ).all()
    assert sorted(dated) == sorted(["yichun-cdc-relocation", "yichun-tcm-hospital-renovation-expansion",
                                    "yichun-mch-hospital-phase2", "yichun-peoples-hospital-north-phase2"])


def test_yangjiang_relocations_sit_in_their_counties(db, seeded):
    relocations = dict(db.session.execute(
        sa.select(Project.name, Region.code).join(Region).where(
            Project.build_nature == "relocation", Project.plans.any(Plan.key.like("%yangjiang%")))).all())
    assert relocations.get("阳春市中医院迁建项目", "441781") == "441781"
    assert any(code == "441781" for code in relocations.values())
    assert any(code == "441721" for code in relocations.values())
    assert len(relocations) >= 4


# ---- issue 16: what a plan reports as already built is not a project of that plan ---------------

BUILT_BEFORE = {
    # plan → the records its text reports as built before it (status completed / in use)
    "longnan-14th-regional-plan": 16,  # lines 79-162, 备注 已建
    "haimen-14th-health-plan": 13,     # lines 22-25, the 十三五 review
    "yangjiang-14th-health-plan": 5,   # line 6 (3) and line 9 (2, added by issue 16)
}


def test_facilities_built_before_a_plan_are_kept_but_are_not_its_projects(db, seeded):
    done = Project.status.in_(["completed", "in_use"])
    for plan_key in BUILT_BEFORE:
        plan = db.session.scalar(sa.select(Plan).where(Plan.key == plan_key))
        assert plan is not None, plan_key
        # A plan cannot report its own project as already built: none of its projects is done.
        assert db.session.scalar(sa.select(sa.func.count(Project.id)).where(
            Project.plans.contains(plan), done)) == 0, plan_key
    # The fact is kept: the facility, its status and the line of the plan that reports it.
    clinic = db.session.scalar(sa.select(Project).where(Project.seed_key == "longnan-tcm-clinic-01"))
    assert clinic.name == "龙南市夹湖中医馆" and clinic.status.value == "completed"
    assert clinic.plans == []
    assert {(s.plan.key, s.line) for s in clinic.sources} >= {("longnan-14th-regional-plan", 85)}


def test_longnan_plan_page_counts_only_the_plans_own_projects(client, seeded):
    page = client.get("/plans/longnan-14th-regional-plan").get_data(as_text=True)
    # 表6's 8 projects and the plan's named construction works; not the 16 中医馆 already built.
    assert "建设类项目 15 个" in page  # was 32: 16 中医馆 already built, 妇幼保健 counted twice
    assert client.get("/dashboard?plan=longnan-14th-regional-plan").status_code == 200
    # The plan's dashboard: no project 竣工 (it was 16 of 32, "竣工 50%").
    from tracker.dashboard.queries import compute
    from tracker.dashboard.scope import Scope
    from tracker.portfolio.filters import PortfolioFilter

    board = compute(Scope(PortfolioFilter(plan="longnan-14th-regional-plan")))
    statuses = {group.key: group.projects for group in board.statuses}
    assert board.headline.totals.projects == 15
    assert statuses and statuses.get("completed", 0) == 0 and statuses.get("in_use", 0) == 0, statuses
    assert "construction" in statuses or "preparation" in statuses or None in statuses, statuses


def test_a_reseed_unlinks_what_was_built_before_but_keeps_an_edited_record(db, seeded, app):
    """A database seeded before issue 16 links the 中医馆 to the plan: a re-seed corrects the
    records nobody touched and leaves alone the one an officer edited."""
    plan = db.session.scalar(sa.select(Plan).where(Plan.key == "longnan-14th-regional-plan"))
    clinics = {key: db.session.scalar(sa.select(Project).where(Project.seed_key == key))
               for key in ("longnan-tcm-clinic-01", "longnan-tcm-clinic-02")}
    for clinic in clinics.values():  # as the old seed left them
        clinic.plans.append(plan)
        clinic.seed_checksum = "seeded-before-issue-16"
    edited = clinics["longnan-tcm-clinic-02"]
    services.update_project(Actor(None, "web"), edited, {"owner_unit": "龙南市卫生健康委员会"},
                            expected_version=edited.version)
    db.session.commit()
    report = load(app.config["SEED_DIR"])
    db.session.commit()
    db.session.expire_all()
    assert clinics["longnan-tcm-clinic-01"].plans == []
    assert edited.plans == [plan] and edited.owner_unit == "龙南市卫生健康委员会"
    assert report.kept_edited == ["longnan-tcm-clinic-02"] and report.created == 0
    unlinked = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.project_id == clinics["longnan-tcm-clinic-01"].id,
        AuditEntry.action == "project:plan").order_by(AuditEntry.id.desc()))
    assert unlinked.changes == {"plan": ["longnan-14th-regional-plan", None]} and unlinked.via == "seed"
    assert load(app.config["SEED_DIR"]).updated == 0  # and a third run changes nothing


def test_indicator_baselines_follow_one_rule_for_every_plan(db, seeded):
    """The table's base-year column, else the previous period's table, else unknown (never "—")."""
    from tracker.plans.models import PlanIndicator

    printed_dash = db.session.scalars(sa.select(PlanIndicator.name).where(
        PlanIndicator.baseline.in_(["—", "-", "－", "/", ""]))).all()
    assert printed_dash == []
    haimen = {i.key: (i.baseline, i.baseline_year) for i in db.session.scalars(
        sa.select(PlanIndicator).join(Plan).where(Plan.key == "haimen-14th-health-plan"))}
    # Haimen's 十四五 table has no base-year column: its 十三五 table (lines 28-197) gives 2020.
    assert haimen["life-expectancy"] == ("83.46", 2020)
    assert haimen["maternal-mortality"] == ("5", 2020)
    assert haimen["doctors-per-1000"] == ("2.45", 2020)
    assert haimen["healthy-life-expectancy"] == (None, None)  # in neither table: unknown
    yichun = db.session.scalar(sa.select(PlanIndicator).join(Plan).where(
        Plan.key.like("yichun%"), PlanIndicator.key == "life-expectancy"))
    assert (yichun.baseline, yichun.baseline_year) == (None, None)


def test_a_reseed_corrects_a_dash_baseline_seeded_before(db, seeded, app):
    from tracker.plans.models import PlanIndicator

    indicator = db.session.scalar(sa.select(PlanIndicator).join(Plan).where(
        Plan.key.like("yichun%"), PlanIndicator.key == "life-expectancy"))
    indicator.baseline, indicator.baseline_year = "—", 2020  # as the old seed stored it
    db.session.commit()
    load(app.config["SEED_DIR"])
    db.session.commit()
    db.session.expire_all()
    assert (indicator.baseline, indicator.baseline_year) == (None, None)
    entries = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    load(app.config["SEED_DIR"])
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == entries


def test_longnan_row_7_states_no_area_for_the_whole_bundle(db, seeded):
    """表6 row 7 (line 242): 约50000 m² is the new 高铁新区医院's, 5000 m² the CDC's renovation."""
    bundle = db.session.scalar(sa.select(Project).where(Project.seed_key == "longnan-t6-07"))
    assert bundle.floor_area_m2 is None and bundle.floor_area_term is None
    assert "总建筑面积约50000平方米" in bundle.scope and "改建面积5000平方米" in bundle.scope
    assert bundle.total_investment == Decimal("40000")


def test_longnan_double_counts_decided_from_the_text(db, seeded):
    def key(seed_key):
        return db.session.scalar(sa.select(Project).where(Project.seed_key == seed_key))

    # Line 42's unnamed 妇幼保健机构建设项目 is line 32's 龙南市妇幼保健院: one project.
    mch = db.session.scalars(sa.select(Project).where(
        Project.region.has(code="360783"), Project.category == "maternal_child")).all()
    assert [p.seed_key for p in mch] == ["longnan-p-second-hospital-mch"]
    assert "妇幼保健机构建设项目" in [a.name for a in mch[0].aliases]
    assert {s.line for s in mch[0].sources} == {32, 42}
    # Line 32 lists the 中医院新院 and the 第五人民医院 apart; 表6 row 2 is a 医疗 warehouse, not a
    # 应急物资储备及培训中心: two projects each.
    assert key("longnan-p-tcm-hospital-new-campus") and key("longnan-t6-06")
    assert key("longnan-p-emergency-supplies-centre") and key("longnan-t6-02")


def _old_mch_record(db, edited: bool) -> Project:
    """The record an earlier seed loaded apart (before issue 16)."""
    from tracker.audit.services import SEED
    from tracker.regions.models import Region as RegionModel

    plan = db.session.scalar(sa.select(Plan).where(Plan.key == "longnan-14th-regional-plan"))
    region = db.session.scalar(sa.select(RegionModel).where(RegionModel.code == "360783"))
    old = services.create_project(SEED, region=region, seed_key="longnan-p-mch-institution-project",
                                  name="妇幼保健机构建设项目", kind="construction",
                                  category="maternal_child")
    services.link_plan(SEED, old, plan)
    services.add_source(SEED, old, plan, 42, "实施妇幼保健机构建设项目", ["name"])
    if edited:
        services.update_project(Actor(None, "web"), old, {"owner_unit": "龙南市妇幼保健院"},
                                expected_version=old.version)
    db.session.commit()
    return old


def test_a_reseed_merges_the_old_duplicate_unless_it_was_edited(db, seeded, app):
    _old_mch_record(db, edited=False)
    report = load(app.config["SEED_DIR"])
    db.session.commit()
    assert report.retired == ["longnan-p-mch-institution-project"]
    assert db.session.scalar(sa.select(Project).where(
        Project.seed_key == "longnan-p-mch-institution-project")) is None
    merged = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "project:merge"))
    assert merged.via == "seed" and "第42行" in merged.reason
    assert load(app.config["SEED_DIR"]).retired == []  # done once


def test_a_reseed_keeps_an_edited_duplicate_and_says_so(db, seeded, app):
    old = _old_mch_record(db, edited=True)
    report = load(app.config["SEED_DIR"])
    db.session.commit()
    assert "longnan-p-mch-institution-project" in report.kept_edited
    db.session.expire_all()
    assert old.owner_unit == "龙南市妇幼保健院" and old.plans


def test_the_named_items_once_missed_are_in_the_seed(db, seeded):
    centre = db.session.scalar(sa.select(Project).where(Project.name == "宜春市本级中医特色康复中心"))
    assert centre.kind.value == "programme" and centre.region.code == "360900"
    assert [(s.plan.source_file, s.line) for s in centre.sources] == [("000_dfb8ccd5e9df308d.txt", 446)]
    assert [p.key for p in centre.plans] == ["yichun-14th-health-plan"]
    # Yangjiang line 9: results of 2018 and 2019, kept as facts, not projects of the plan.
    for name, code in (("市妇幼保健院产前诊断中心", "441700"), ("阳春市妇幼保健院升级为三级妇幼保健院", "441781")):
        result = db.session.scalar(sa.select(Project).where(Project.name == name))
        assert result.region.code == code and result.plans == [] and result.status.value == "completed"
        assert [s.line for s in result.sources] == [9]
