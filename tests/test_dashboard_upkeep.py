"""The dashboard at national scale: the per-project figures it reads instead of every milestone and
report are kept right by every way of writing, and the dashboard kept per process is never older
than the last change (PostgreSQL; SQLite computes every time)."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from tracker.accounts import sessions
from tracker.accounts.models import User, UserSession
from tracker.database import utcnow
from tracker.dashboard import queries
from tracker.dashboard.scope import Scope
from tracker.portfolio import cache
from tracker.portfolio.filters import PortfolioFilter
from tracker.progress import services as progress
from tracker.progress.models import FundingLine, Milestone, MonthlyReport, YearInvestment
from tracker.projects.models import Project
from tracker.projects.terms import owes
from tracker.regions.models import Region
from tracker.vocabulary import Category, FundingSource, Kind, Role, Stage, Status

from . import factories

TODAY = dt.date(2025, 7, 2)
OFFICER = factories.TEST_ACTOR


# ---- the derived figures equal what the milestones, lines and reports say --------------------------

def expected_figures(session) -> tuple[dict, dict]:
    """Recomputed from scratch: each project's dates and line count, and each (project, year)'s
    month amounts, straight from milestones, funding_lines and monthly_reports."""
    projects = {pid: {"next_milestone_due": None, "next_milestone_baseline": None, "planned_start": None,
                      "planned_end": None, "start_milestone_actual": None, "funding_line_count": 0}
                for pid in session.scalars(sa.select(Project.id))}
    first_open: dict = {}
    statuses = dict(session.execute(sa.select(Project.id, Project.status)).all())

    def earliest(current, value):
        return value if current is None or (value is not None and value < current) else current

    for mid, pid, stage, position, planned, actual, baseline in session.execute(sa.select(
            Milestone.id, Milestone.project_id, Milestone.stage, Milestone.position,
            Milestone.planned_date, Milestone.actual_date, Milestone.baseline_date)):
        figures = projects[pid]
        if actual is None and owes(statuses[pid], stage):  # 取消, 投用, or 竣工 up to 竣工验收: not owed
            figures["next_milestone_due"] = earliest(figures["next_milestone_due"], planned)
            if planned is not None and (pid not in first_open or (planned, position, mid) < first_open[pid][0]):
                first_open[pid] = ((planned, position, mid), baseline)
        if stage is Stage.START:
            figures["planned_start"] = earliest(figures["planned_start"], planned)
            figures["start_milestone_actual"] = earliest(figures["start_milestone_actual"], actual)
        if stage is Stage.ACCEPTANCE:
            figures["planned_end"] = earliest(figures["planned_end"], planned)
    for pid, (_key, baseline) in first_open.items():
        projects[pid]["next_milestone_baseline"] = baseline
    for pid, count in session.execute(sa.select(FundingLine.project_id, sa.func.count())
                                      .group_by(FundingLine.project_id)):
        projects[pid]["funding_line_count"] = count
    years: dict = {}
    for pid, month, amount in session.execute(sa.select(
            MonthlyReport.project_id, MonthlyReport.month, MonthlyReport.invested_month)):
        row = years.setdefault((pid, month.year), [None] * 12 + [0])
        row[month.month - 1] = amount
        row[12] |= 1 << (month.month - 1)  # the months filed
    return projects, years


def stored_figures(session) -> tuple[dict, dict]:
    projects = {row.id: {"next_milestone_due": row.next_milestone_due,
                         "next_milestone_baseline": row.next_milestone_baseline,
                         "planned_start": row.planned_start, "planned_end": row.planned_end,
                         "start_milestone_actual": row.start_milestone_actual,
                         "funding_line_count": row.funding_line_count}
                for row in session.execute(sa.select(
                    Project.id, Project.next_milestone_due, Project.next_milestone_baseline,
                    Project.planned_start, Project.planned_end,
                    Project.start_milestone_actual, Project.funding_line_count))}
    years = {}
    for row in session.scalars(sa.select(YearInvestment)):
        months = [getattr(row, YearInvestment.month_column(m)) for m in range(1, 13)]
        assert row.stated_months == sum(1 for value in months if value is not None)
        years[(row.project_id, row.year)] = [*months, row.filed_months]
    return projects, years


def assert_figures_current(session) -> None:
    session.flush()
    expected, stored = expected_figures(session), stored_figures(session)
    assert stored[0] == expected[0]
    assert stored[1] == expected[1]


def test_the_services_keep_a_projects_dates_lines_and_months(db):
    project = factories.project(name="节点维护测试")
    version = project.version
    lifecycle = {m.stage: m for m in progress.add_standard_lifecycle(OFFICER, project)}
    assert (project.next_milestone_due, project.planned_start) == (None, None)

    start = lifecycle[Stage.START]
    progress.update_milestone(OFFICER, start, planned_date=dt.date(2025, 3, 1), actual_date=None,
                              expected_version=start.version)
    assert project.next_milestone_due == dt.date(2025, 3, 1)  # late from 2 March on
    assert project.planned_start == dt.date(2025, 3, 1)
    assert project.start_milestone_actual is None
    # 计划开工 is a field of the project as the API shows it: re-planning it moves the project's
    # version, so a client holding the old version cannot write the old date back unseen.
    assert project.version == version + 1
    version = project.version
    custom = progress.add_custom_milestone(OFFICER, project, "桩基检测", dt.date(2025, 9, 1))
    progress.update_milestone(OFFICER, start, planned_date=dt.date(2025, 3, 1),
                              actual_date=dt.date(2025, 4, 10), expected_version=start.version)
    assert project.next_milestone_due == dt.date(2025, 9, 1)  # the start is done: the next one
    assert project.start_milestone_actual == dt.date(2025, 4, 10)
    progress.update_milestone(OFFICER, custom, planned_date=dt.date(2025, 8, 1), actual_date=None,
                              expected_version=custom.version)
    assert project.next_milestone_due == dt.date(2025, 8, 1)

    line = progress.add_funding_line(OFFICER, project, source=FundingSource.SPECIAL_BONDS, amount="100")
    progress.add_funding_line(OFFICER, project, source=FundingSource.SPECIAL_BONDS, amount=None)
    assert project.funding_line_count == 2
    progress.remove_funding_line(OFFICER, line)
    assert project.funding_line_count == 1
    # Derived figures are not an edit: an officer editing the project form is not made stale.
    assert project.version == version

    progress.submit_report(OFFICER, project, dt.date(2025, 5, 1), invested_month=Decimal("10.5"))
    progress.submit_report(OFFICER, project, dt.date(2025, 6, 1), invested_month=None)
    progress.submit_report(OFFICER, project, dt.date(2024, 12, 1), invested_month=Decimal("3"))
    months = db.session.get(YearInvestment, (project.id, 2025))
    assert (months.month_05, months.month_06, months.stated_months) == (Decimal("10.5"), None, 1)
    progress.submit_report(OFFICER, project, dt.date(2025, 5, 1), invested_month=Decimal("12"),
                           correction_reason="统计口径更正")
    db.session.expire_all()
    assert db.session.get(YearInvestment, (project.id, 2025)).month_05 == Decimal("12")
    assert db.session.get(YearInvestment, (project.id, 2024)).month_12 == Decimal("3")
    assert_figures_current(db.session)


def test_any_orm_write_keeps_them_moves_and_deletes_included(db):
    rng = random.Random(7)
    projects = [factories.project(name=f"随机维护{n}") for n in range(6)]
    milestones, reports, lines = [], [], []
    for _round in range(60):
        action = rng.random()
        project = rng.choice(projects)
        day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 700))
        if action < 0.3:
            milestone = Milestone(project_id=project.id, stage=rng.choice([Stage.START, None, Stage.ACCEPTANCE]),
                                  custom_name="节点", planned_date=rng.choice([day, None]),
                                  actual_date=rng.choice([None, None, day]))
            db.session.add(milestone)
            milestones.append(milestone)
        elif action < 0.45 and milestones:  # a change of dates, or of project
            milestone = rng.choice(milestones)
            milestone.actual_date = rng.choice([None, day])
            if rng.random() < 0.3:
                milestone.project_id = rng.choice(projects).id
        elif action < 0.5 and milestones:
            db.session.flush()  # (a pending row is not deleted, only forgotten)
            db.session.delete(milestones.pop(rng.randrange(len(milestones))))
        elif action < 0.75:
            month = day.replace(day=1)
            if any(r.project_id == project.id and r.month == month for r in reports):
                continue
            report = MonthlyReport(project_id=project.id, month=month,
                                   invested_month=rng.choice([None, Decimal(rng.randint(0, 9999)) / 100]))
            db.session.add(report)
            reports.append(report)
        elif action < 0.85 and reports:
            report = rng.choice(reports)
            report.invested_month = Decimal(rng.randint(0, 500))
        elif action < 0.9 and reports:
            db.session.flush()  # (a pending row is not deleted, only forgotten)
            db.session.delete(reports.pop(rng.randrange(len(reports))))
        elif action < 0.97:
            line = FundingLine(project_id=project.id, source=rng.choice(list(FundingSource)))
            db.session.add(line)
            lines.append(line)
        elif lines:
            db.session.flush()  # (a pending row is not deleted, only forgotten)
            db.session.delete(lines.pop(rng.randrange(len(lines))))
        if rng.random() < 0.3:
            assert_figures_current(db.session)
    assert_figures_current(db.session)
    db.session.delete(projects[0])  # a project deleted takes its rows along
    assert_figures_current(db.session)


def test_the_seed_loader_keeps_them(seeded, db):
    assert_figures_current(db.session)
    assert db.session.scalar(sa.select(sa.func.count()).where(
        Project.planned_start.is_not(None))) > 0


def test_the_demo_generator_writes_them(db):
    from tracker.demo.generator import generate
    generate(db.session.connection(), projects=40, seed=3, report_month=dt.date(2026, 10, 1))
    assert_figures_current(db.session)


def test_the_late_list_and_counts_read_from_the_kept_dates_agree_with_the_milestones(db):
    rng = random.Random(11)
    for n in range(25):
        project = factories.project(name=f"滞后核对{n}", status=rng.choice([None, *Status]))
        for stage in rng.sample(list(Stage), 3):
            day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
            db.session.add(Milestone(project_id=project.id, stage=stage, planned_date=day,
                                     actual_date=rng.choice([None, day]), position=stage.position))
    db.session.commit()
    board = queries.build(Scope(PortfolioFilter(), TODAY.year, TODAY))
    late = PortfolioFilter(late=True).conditions(TODAY)  # the list's EXISTS over the milestones
    late_ids = set(db.session.scalars(sa.select(Project.id).where(*late)))
    assert board.headline.late == len(late_ids) == board.late.total
    assert {project.id for project in board.late.rows} == late_ids
    start_planned = sa.exists().where(Milestone.project_id == Project.id, Milestone.stage == Stage.START,
                                      Milestone.planned_date <= dt.date(2025, 12, 31))
    not_cancelled = sa.or_(Project.status.is_(None), Project.status != Status.CANCELLED)  # it will never start
    assert board.headline.planned_to_start == db.session.scalar(
        sa.select(sa.func.count()).where(start_planned, not_cancelled, *PortfolioFilter().conditions()))



def test_the_dashboard_of_the_late_projects_only(client, db):
    late = factories.project(name="只看滞后的医院")
    db.session.add_all([
        Milestone(project_id=late.id, stage=Stage.START, planned_date=dt.date(2025, 6, 1)),
        Milestone(project_id=late.id, stage=Stage.ACCEPTANCE, planned_date=dt.date(2025, 7, 20))])
    on_time = factories.project(name="按期的卫生院")
    db.session.add(Milestone(project_id=on_time.id, stage=Stage.ACCEPTANCE,
                             planned_date=dt.date(2025, 7, 10)))
    db.session.commit()
    board = queries.build(Scope(PortfolioFilter(late=True), TODAY.year, TODAY))
    assert board.headline.totals.projects == board.headline.late == 1
    assert [d.project_name for d in board.due_soon.rows] == ["只看滞后的医院"]
    response = client.get("/dashboard?late=1")
    assert response.status_code == 200 and "只看滞后的医院" in response.get_data(as_text=True)


# ---- a change through another connection ------------------------------------------------------------

KEY = "dashcache"


@pytest.fixture()
def other_worker(app, db):
    """Another worker's session: it commits for real (the test's own transaction stays read-only,
    so its dashboards may be served from the cache), and removes what it wrote at the end."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("on SQLite the test's transaction (one snapshot) would not see the other worker's commits")
    cache.clear()
    engine = db.engine
    with Session(engine, expire_on_commit=False) as session:
        region = Region(key=KEY, code=None, name="看板缓存测试县", level="county", path=f"/{KEY}/")
        project = Project(name="看板缓存测试医院", region=region, kind=Kind.CONSTRUCTION,
                          category=Category.GENERAL_HOSPITAL, status=Status.CONSTRUCTION,
                          total_investment=Decimal("100"), search_text="看板缓存测试医院",
                          created_at=utcnow(), updated_at=utcnow())
        user = User(username=f"dash-{uuid.uuid4().hex[:8]}", password_hash="x", role=Role.LEADER,
                    session_token=uuid.uuid4().hex, created_at=utcnow())
        session.add_all([project, user])
        session.commit()
        ids = {"project": project.id, "region": region.id, "user": user}

    def change(write) -> None:
        with Session(engine) as session:
            write(session, session.get(Project, ids["project"]))
            session.commit()

    def sign_in(client) -> None:
        """Sign ``client`` in as the worker's user with a session row the worker commits: the
        test's own transaction must stay read-only (the cache serves only such a reader), and
        a session row written in it would hold the user's row locked until after this clean-up."""
        key = uuid.uuid4().hex
        with Session(engine) as session:
            session.add(UserSession(user_id=user.id, key_hash=sessions._hash(key), created_at=utcnow()))
            session.commit()
        with client.session_transaction() as cookie:
            cookie.update({"_user_id": f"{user.id}:{user.session_token}:{key}", "_fresh": True,
                           sessions.SEEN: int(utcnow().timestamp())})

    change.ids = ids
    change.sign_in = sign_in
    yield change
    with engine.begin() as connection:
        connection.execute(sa.delete(UserSession).where(UserSession.user_id == ids["user"].id))
        connection.execute(sa.delete(Project).where(Project.id == ids["project"]))
        connection.execute(sa.delete(Region).where(Region.id == ids["region"]))
        connection.execute(sa.delete(User).where(User.id == ids["user"].id))
    cache.clear()


def statements(db, call) -> list[str]:
    seen = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = call()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return seen, result


def is_aggregate(statement: str) -> bool:
    return "count(" in statement.lower() or "sum(" in statement.lower()


def test_the_dashboard_reflects_a_change_committed_by_another_worker(db, other_worker):
    # A filter the kept figures do not answer (a category): computed afresh, and cached. The
    # region's own dashboard is read from the kept figures at every request, never cached: it
    # must show the same.
    def board():
        filtered = queries.build(Scope(PortfolioFilter(region=KEY, category="general_hospital"),
                                       TODAY.year, TODAY))
        whole = queries.build(Scope(PortfolioFilter(region=KEY), TODAY.year, TODAY))
        assert (whole.headline, whole.year, whole.late) == (filtered.headline, filtered.year, filtered.late)
        return filtered

    def cached_board():
        return queries.build(Scope(PortfolioFilter(region=KEY, category="general_hospital"),
                                   TODAY.year, TODAY))

    first = board()
    assert (first.headline.totals.projects, first.headline.late, first.year.completed) == (1, 0, None)
    # Nothing changed: the next dashboards are served without aggregating again (another connection
    # on the server may end a transaction in between, so a few tries are allowed).
    assert any(not any(map(is_aggregate, statements(db, cached_board)[0])) for _ in range(20))

    # 在建: its 开工 is passed (dated here), 主体封顶 owed and overdue (projects/terms.py, owes).
    other_worker(lambda session, project: session.add_all([
        Milestone(project=project, stage=Stage.START, planned_date=dt.date(2025, 3, 1),
                  actual_date=dt.date(2025, 3, 5), position=Stage.START.position),
        Milestone(project=project, stage=Stage.TOPPING_OUT, planned_date=dt.date(2025, 6, 1),
                  delay_reason="图审未过", position=Stage.TOPPING_OUT.position)]))
    after = board()
    assert (after.headline.late, after.headline.planned_to_start, after.headline.started) == (1, 1, 1)
    assert [(p.name, [m.delay_reason for m in p.milestones]) for p in after.late.rows] == [
        ("看板缓存测试医院", ["图审未过"])]

    other_worker(lambda session, project: session.add(MonthlyReport(
        project=project, month=dt.date(2025, 3, 1), invested_month=Decimal("12.5"))))
    assert board().year.completed == Decimal("12.5")

    def done(session, project):
        session.scalar(sa.select(Milestone).where(Milestone.project_id == project.id,
                                                  Milestone.stage == Stage.TOPPING_OUT)).actual_date = \
            dt.date(2025, 6, 20)
    other_worker(done)
    assert (board().headline.late, board().late.total) == (0, 0)


def test_a_kept_dashboard_is_shown_in_the_readers_language(app, db, other_worker):
    client = app.test_client()
    other_worker.sign_in(client)
    url = f"/dashboard?region={KEY}&category=general_hospital"  # computed afresh, so cached
    for _attempt in range(20):
        chinese = client.get(url, headers={"Accept-Language": "zh"})
        seen, english = statements(db, lambda: client.get(url, headers={"Accept-Language": "en"}))
        if not any(map(is_aggregate, seen)):
            break  # the English page was drawn from the dashboard the Chinese one computed
    else:
        pytest.fail("the second page was never served from the kept dashboard")
    assert chinese.status_code == english.status_code == 200
    # The status breakdown's label, from the same kept figures, in each reader's language.
    assert "在建" in chinese.get_data(as_text=True)
    assert "Under construction" not in chinese.get_data(as_text=True)
    assert "Under construction" in english.get_data(as_text=True)



def test_two_officers_closing_two_milestones_at_once_leave_the_project_current(app, db, other_worker):
    """Each flush locks the project before recomputing it: the second waits for the first to commit
    and then sees its change (recomputed in the second's own earlier snapshot it would not)."""
    import threading
    import time

    def two_open(session, project):
        session.add_all([Milestone(project=project, stage=Stage.START, planned_date=dt.date(2025, 3, 1)),
                         Milestone(project=project, stage=Stage.ACCEPTANCE, planned_date=dt.date(2025, 5, 1))])
    other_worker(two_open)
    project_id = other_worker.ids["project"]

    def milestone(session, stage):
        return session.scalar(sa.select(Milestone).where(Milestone.project_id == project_id,
                                                         Milestone.stage == stage))

    first = Session(db.engine)
    second = Session(db.engine)
    outcome = {}

    def second_officer():
        try:
            second.execute(sa.text("SET lock_timeout = '20s'"))
            milestone(second, Stage.ACCEPTANCE).actual_date = dt.date(2025, 5, 3)
            second.commit()  # waits for the first officer's lock on the project
            outcome["ok"] = True
        except Exception as error:  # pragma: no cover - reported below
            outcome["error"] = error
            second.rollback()

    try:
        milestone(first, Stage.START).actual_date = dt.date(2025, 3, 5)
        first.flush()  # the project is locked until the commit
        thread = threading.Thread(target=second_officer)
        thread.start()
        time.sleep(1.0)  # the second officer's flush now waits for the lock
        first.commit()
        thread.join(30)
    finally:
        first.close()
        second.close()
    assert outcome.get("ok"), outcome
    with Session(db.engine) as session:
        assert session.get(Project, project_id).next_milestone_due is None  # both are done
        assert session.get(Project, project_id).start_milestone_actual == dt.date(2025, 3, 5)


# ---- garbage in the query string ------------------------------------------------------------------

@pytest.mark.parametrize("query, message", [
    ("status=NaN", "筛选条件 status 的值无效：NaN"),
    ("kind=%3Cscript%3E", "筛选条件 kind 的值无效：&lt;script&gt;"),
    ("category=nope&build_nature=x", "筛选条件 category 的值无效：nope"),
    # A bidi override is removed at the boundary (an invisible-only value is no filter); what is
    # left must still be a funding source.
    ("funding=x%E2%80%AE", "筛选条件 funding 的值无效"),
    ("year=1e309", "年份无效：1e309"),
])
@pytest.mark.parametrize("page", ["/dashboard", "/dashboard/briefing.pdf"])
def test_a_bad_filter_value_is_refused_with_400_saying_which(client, db, page, query, message):
    response = client.get(f"{page}?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


# ---- the migration fills them for the rows already there ------------------------------------------

def test_the_migration_fills_them_from_existing_milestones_lines_and_reports(app):
    from flask_migrate import downgrade, upgrade

    from tracker.extensions import db
    with app.app_context():
        downgrade(revision="9bff0eaa82e7")
        engine = db.engine
        try:
            with engine.begin() as connection:
                # projects as it was before the migration; the other tables did not change (and
                # the models' types store money as the database expects: scaled on SQLite).
                tables = sa.MetaData()
                tables.reflect(connection, only=["regions", "projects", "milestones"])
                regions, projects = tables.tables["regions"], tables.tables["projects"]
                milestones = tables.tables["milestones"]
                reports, lines = MonthlyReport.__table__, FundingLine.__table__
                region_id = connection.execute(regions.insert().values(
                    key="backfill", name="回填测试县", level="county", path="/backfill/")
                    .returning(regions.c.id)).scalar()
                project_ids = [connection.execute(projects.insert().values(
                    name=f"回填{n}", region_id=region_id, kind="construction", category="other",
                    land_area_approx=False, floor_area_approx=False, total_investment_approx=False,
                    search_text="", version=1, created_at=utcnow(), updated_at=utcnow(),
                    # 计划开工/计划竣工 stated on the project: they move into its milestones
                    planned_start=[None, dt.date(2024, 6, 1), dt.date(2024, 5, 1)][n],
                    planned_end=[dt.date(2027, 1, 1), None, dt.date(2026, 12, 31)][n])
                    .returning(projects.c.id)).scalar() for n in range(3)]
                first, second, third = project_ids
                milestone = dict(custom_name=None, position=0, sources=[], version=1, note=None,
                                 delay_reason=None)
                connection.execute(milestones.insert(), [
                    dict(milestone, project_id=first, stage="start", planned_date=dt.date(2024, 3, 1),
                         actual_date=dt.date(2024, 4, 2)),
                    dict(milestone, project_id=first, stage="topping_out",
                         planned_date=dt.date(2025, 2, 1), actual_date=None),
                    dict(milestone, project_id=first, stage="acceptance",
                         planned_date=dt.date(2025, 9, 1), actual_date=None),
                    dict(milestone, project_id=second, stage="start", planned_date=None,
                         actual_date=None)])
                report = dict(revision=1, submitted_at=utcnow(), version=1)
                connection.execute(reports.insert(), [
                    dict(report, project_id=first, month=dt.date(2024, 12, 1),
                         invested_month=Decimal("7.25")),
                    dict(report, project_id=first, month=dt.date(2025, 1, 1), invested_month=None),
                    dict(report, project_id=first, month=dt.date(2025, 3, 1),
                         invested_month=Decimal("40"))])
                connection.execute(lines.insert(), [
                    dict(project_id=first, source="special_bonds", version=1),
                    dict(project_id=first, source="self_raised", version=1)])
            upgrade()
            with Session(engine) as session:
                assert stored_figures(session) == expected_figures(session)
                assert session.get(Project, first).next_milestone_due == dt.date(2025, 2, 1)
                assert session.get(Project, first).start_milestone_actual == dt.date(2024, 4, 2)
                assert session.get(Project, first).funding_line_count == 2
                assert session.get(YearInvestment, (first, 2025)).stated_months == 1
                assert session.get(YearInvestment, (first, 2025)).filed_months == 0b101  # January and March
                assert session.get(YearInvestment, (first, 2025)).month_03 == Decimal("40")
                # the milestone's date is kept where both state one; the project's fills the gaps
                assert session.get(Project, first).planned_end == dt.date(2025, 9, 1)
                assert session.get(Project, second).planned_start == dt.date(2024, 6, 1)
                added = session.get(Project, third)
                assert (added.planned_start, added.planned_end) == (dt.date(2024, 5, 1), dt.date(2026, 12, 31))
                assert sorted((m.stage.value, m.baseline_date) for m in added.milestones) == [
                    ("acceptance", dt.date(2026, 12, 31)), ("start", dt.date(2024, 5, 1))]
                assert session.get(Project, first).next_milestone_baseline == dt.date(2025, 2, 1)
        finally:
            upgrade()
            with engine.begin() as connection:
                connection.execute(sa.delete(Project).where(Project.region_id.in_(
                    sa.select(Region.id).where(Region.key == "backfill"))))
                connection.execute(sa.delete(Region).where(Region.key == "backfill"))
