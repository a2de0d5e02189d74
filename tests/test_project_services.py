"""The project rules every path shares: 项目代码, no negative figures, no lost update, audit."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from tracker.audit.models import AuditEntry
from tracker.audit.services import Actor
from tracker.errors import StaleEdit, ValidationFailed
from tracker.projects import services
from tracker.vocabulary import Status

from . import factories

OFFICER_A = Actor(None, "web")


@pytest.mark.parametrize("code", ["2021-360783-84-01-000013", "2023-441781-83-01-12345X"])
def test_a_well_formed_project_code_is_accepted(db, code):
    assert factories.project(project_code=code).project_code == code


@pytest.mark.parametrize("code", ["2021-360783-84-01-00001", "2021360783840100001300000",
                                  "21-360783-84-01-0000133", "2021-36078A-84-01-000013"])
def test_a_malformed_project_code_is_refused_with_the_expected_form(db, code):
    with pytest.raises(ValidationFailed) as failure:
        factories.project(project_code=code)
    assert "24位" in failure.value.errors["project_code"][0]


def test_a_project_code_is_unique(db):
    factories.project(project_code="2021-360783-84-01-000013")
    with pytest.raises(ValidationFailed) as failure:
        factories.project(project_code="2021-360783-84-01-000013")
    assert "已被另一个项目使用" in failure.value.errors["project_code"][0]


@pytest.mark.parametrize("typed", ["2021-３60783-84-01-000013", "２０２１－３６０７８３－８４－０１－００００１３"])
def test_a_project_code_typed_in_full_width_is_the_same_code(db, typed):
    """A QA walk: one full-width ３ in an existing code was saved as a second project with "the
    same" code (Python's \\d takes any digit), which search then found twice."""
    assert factories.project(project_code=typed).project_code == "2021-360783-84-01-000013"
    with pytest.raises(ValidationFailed) as failure:
        factories.project(project_code="2021-360783-84-01-000013")
    assert "已被另一个项目使用" in failure.value.errors["project_code"][0]


@pytest.mark.parametrize("code", ["٢٠٢١-360783-84-01-000013", "2021-360783-84-01-00001३"])
def test_a_project_code_in_other_scripts_digits_is_refused(db, code):
    with pytest.raises(ValidationFailed) as failure:
        factories.project(project_code=code)
    assert "24位" in failure.value.errors["project_code"][0]


def test_negative_figures_are_refused(db):
    with pytest.raises(ValidationFailed) as failure:
        factories.project(total_investment=Decimal("-1"), beds=-5)
    assert set(failure.value.errors) == {"total_investment", "beds"}


def test_a_second_save_from_a_stale_form_is_refused_and_shows_the_first(db):
    project = factories.project(total_investment=Decimal("100"))
    db.session.commit()
    loaded_version = project.version
    services.update_project(OFFICER_A, project, {"total_investment": Decimal("120")},
                            expected_version=loaded_version)
    db.session.commit()
    with pytest.raises(StaleEdit) as stale:
        services.update_project(OFFICER_A, project, {"total_investment": Decimal("90")},
                                expected_version=loaded_version)
    db.session.rollback()
    assert stale.value.changes_by_others[0].changes["total_investment"] == ["100", "120"]
    db.session.refresh(project)
    assert project.total_investment == Decimal("120")


def test_a_status_change_needs_a_reason(db):
    project = factories.project()
    with pytest.raises(ValidationFailed) as failure:
        services.update_project(OFFICER_A, project, {"status": Status.CONSTRUCTION},
                                expected_version=project.version)
    assert "reason" in failure.value.errors
    services.update_project(OFFICER_A, project, {"status": Status.CONSTRUCTION},
                            expected_version=project.version, reason="已取得施工许可")
    assert project.status is Status.CONSTRUCTION


def test_every_change_is_audited_with_old_and_new(db):
    project = factories.project(name="旧名称")
    services.update_project(OFFICER_A, project, {"name": "新名称", "beds": 200},
                            expected_version=project.version)
    entry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.project_id == project.id, AuditEntry.action == "project:update")).one()
    assert entry.changes["name"] == ["旧名称", "新名称"]
    assert entry.changes["beds"] == [None, 200]
    assert entry.via == "web"


def test_saving_unchanged_values_writes_nothing(db):
    project = factories.project(name="不变")
    version = project.version
    assert services.update_project(OFFICER_A, project, {"name": "不变"}, expected_version=version) == {}
    assert project.version == version


def test_two_sessions_saving_at_once_cannot_both_win(app, database_url):
    """The version check holds in the database itself, not only in the service's comparison."""
    from sqlalchemy.orm import Session

    from tracker.models import Project, Region

    engine = sa.create_engine(database_url)
    try:
        with Session(engine) as setup:
            region = setup.scalar(sa.select(Region).limit(1))
            if region is None:
                region = Region(key="999901", code="999901", name="测试", level="county", path="/999901/")
                setup.add(region)
                setup.flush()
            project = Project(name="并发测试", region_id=region.id, kind="construction", category="other")
            setup.add(project)
            setup.commit()
            project_id = project.id
        with Session(engine) as first, Session(engine) as second:
            a = first.get(Project, project_id)
            b = second.get(Project, project_id)
            a.beds = 100
            first.commit()
            b.beds = 200
            # PostgreSQL: the UPDATE … WHERE version matches no row. SQLite: the second writer's
            # snapshot is stale and SQLite refuses the write outright. Either way it does not win.
            with pytest.raises((sa.orm.exc.StaleDataError, sa.exc.OperationalError)):
                second.commit()
        with Session(engine) as check:
            assert check.get(Project, project_id).beds == 100
            check.execute(sa.delete(Project).where(Project.id == project_id))
            check.execute(sa.delete(Region).where(Region.key == "999901"))
            check.commit()
    finally:
        engine.dispose()
