"""Many officers at once, through the real server: nothing lost, nothing doubled, all audited.

The tracker runs under gunicorn (4 worker processes × 2 threads) on its own seeded database; eight
officers of Longnan, each with his own session, load the real forms (CSRF token and version
included) and submit them at the same instant (a barrier releases them together). Every answer
must be an acceptance (302) or a clear refusal (400 with the reason, 409 with what the others
changed): never a 500, never an edit silently overwritten, never two reports for one month, and
one audit entry for every accepted change.

On PostgreSQL the writes really overlap (row locks, unique index). On SQLite the same test runs:
SQLite takes one writer at a time, so it also proves the waits end in an answer, not a lock error.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tracker.core import clock
from ..live import OFFICERS, Gunicorn, WebClient, money, scalar

THIS_MONTH = clock.today().strftime("%Y-%m")
ACCEPTED, CLEAR_REFUSALS = 302, (400, 409)
# One field per officer: all eight edit the same project, each his own field.
FIELDS = ["location", "owner_unit", "supervising_department", "build_nature_term", "floor_area_term",
          "scope", "beds", "new_beds"]


@pytest.fixture(scope="module")
def crowd(databases, tmp_path_factory):
    url = databases.seeded("crowd")
    server = Gunicorn(url, tmp_path_factory.mktemp("crowd"), workers=4, threads=2)
    officers = [WebClient(server.url) for _ in range(OFFICERS)]
    with ThreadPoolExecutor(OFFICERS) as pool:
        list(pool.map(lambda pair: pair[1].login(f"officer-{pair[0] + 1}"), enumerate(officers)))
    server.database_url = url
    server.officers = officers
    server.project_ids = _longnan_projects(url)
    yield server
    server.stop()
    log = server.log.read_text()
    assert "Traceback" not in log, log[-5000:]


def _longnan_projects(url: str) -> list[int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(sa.text(
                "SELECT p.id FROM projects p JOIN regions r ON r.id = p.region_id "
                "WHERE r.key = '360783' ORDER BY p.id")).scalars())
    finally:
        engine.dispose()


def at_once(calls):
    """Run the callables in parallel threads, released together; their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def audited(url: str, action: str, project_id: int) -> int:
    return scalar(url, "SELECT COUNT(*) FROM audit_entries WHERE action = :action AND via = 'web' "
                       "AND project_id = :project", action=action, project=project_id)


def assert_clear(answers, refusal_text: dict[int, str]) -> None:
    for answer in answers:
        assert answer.status in (ACCEPTED, *CLEAR_REFUSALS), (answer.status, answer.text[:3000])
        if answer.status in refusal_text:
            assert refusal_text[answer.status] in answer.text, answer.text[:3000]


def test_eight_officers_filing_the_same_month_give_one_report(crowd):
    project_id = crowd.project_ids[0]
    forms = [officer.get(f"/projects/{project_id}/reports/new") for officer in crowd.officers]
    answers = at_once([
        (lambda officer=officer, form=form, n=n: officer.submit(
            form, month=THIS_MONTH, invested_month=f"{10 + n}", progress_text=f"第{n}位专员的形象进度"))
        for n, (officer, form) in enumerate(zip(crowd.officers, forms))])
    statuses = Counter(answer.status for answer in answers)
    assert statuses[ACCEPTED] == 1, statuses
    assert_clear(answers, {400: "已提交并锁定"})
    winner = [n for n, answer in enumerate(answers) if answer.status == ACCEPTED][0]
    url = crowd.database_url
    assert scalar(url, "SELECT COUNT(*) FROM monthly_reports WHERE project_id = :p", p=project_id) == 1
    assert scalar(url, "SELECT progress_text FROM monthly_reports WHERE project_id = :p",
                  p=project_id) == f"第{winner}位专员的形象进度"
    assert audited(url, "report:submit", project_id) == 1


def test_eight_officers_saving_one_field_of_one_project_overwrite_nobody(crowd):
    project_id = crowd.project_ids[1]
    forms = [officer.get(f"/projects/{project_id}/edit") for officer in crowd.officers]
    assert len({form.form().get("version") for form in forms}) == 1  # all loaded the same version
    answers = at_once([
        (lambda officer=officer, form=form, n=n: officer.submit(form, owner_unit=f"建设单位{n}"))
        for n, (officer, form) in enumerate(zip(crowd.officers, forms))])
    statuses = Counter(answer.status for answer in answers)
    assert statuses == {ACCEPTED: 1, 409: OFFICERS - 1}, statuses
    assert_clear(answers, {409: "其他人已修改了此项目"})
    winner = [n for n, answer in enumerate(answers) if answer.status == ACCEPTED][0]
    url = crowd.database_url
    assert scalar(url, "SELECT owner_unit FROM projects WHERE id = :p", p=project_id) == f"建设单位{winner}"
    assert audited(url, "project:update", project_id) == 1


def test_eight_officers_editing_their_own_fields_keep_every_edit(crowd):
    """Each retries after a 409 as the page tells him; at the end every officer's value is there."""
    project_id = crowd.project_ids[2]
    values = {"location": "龙南市东江乡（并发）", "owner_unit": "龙南市卫生健康委员会（并发）",
              "supervising_department": "龙南市卫健委（并发）", "build_nature_term": "易地新建（并发）",
              "floor_area_term": "建设面积（并发）", "scope": "新建门诊楼一栋（并发）", "beds": "121",
              "new_beds": "61"}

    def edit(officer, field):
        statuses = []
        for _attempt in range(40):
            page = officer.get(f"/projects/{project_id}/edit")
            answer = officer.submit(page, **{field: values[field]})
            statuses.append(answer.status)
            assert_clear([answer], {409: "其他人已修改了此项目"})
            if answer.status == ACCEPTED:
                return statuses
        raise AssertionError(f"{field}: never saved: {statuses}")

    histories = at_once([(lambda officer=officer, field=field: edit(officer, field))
                         for officer, field in zip(crowd.officers, FIELDS)])
    url = crowd.database_url
    for field, value in values.items():
        assert str(scalar(url, f"SELECT {field} FROM projects WHERE id = :p", p=project_id)) == value, field
    accepted = sum(history.count(ACCEPTED) for history in histories)
    assert accepted == OFFICERS
    assert audited(url, "project:update", project_id) == accepted


def test_reports_milestones_and_edits_of_eight_projects_at_once(crowd):
    """Officer n files project n's report and dates its milestone while officer n+1 edits it."""
    url = crowd.database_url
    projects = crowd.project_ids[3:3 + OFFICERS]
    milestone_ids = {}
    for officer, project_id in zip(crowd.officers, projects):
        page = officer.get(f"/projects/{project_id}/milestones")
        added = officer.post(f"/projects/{project_id}/milestones/custom",
                             page.form("/milestones/custom").values(custom_name="主体封顶（并发）",
                                                                      planned_date="2026-05-31"))
        assert added.status == ACCEPTED, added.text[:2000]
        milestone_ids[project_id] = scalar(
            url, "SELECT id FROM milestones WHERE project_id = :p AND custom_name = '主体封顶（并发）'",
            p=project_id)
    report_forms = [officer.get(f"/projects/{p}/reports/new") for officer, p in zip(crowd.officers, projects)]
    milestone_pages = [officer.get(f"/projects/{p}/milestones") for officer, p in zip(crowd.officers, projects)]
    editors = crowd.officers[1:] + crowd.officers[:1]
    edit_forms = [editor.get(f"/projects/{p}/edit") for editor, p in zip(editors, projects)]

    calls = []
    for n, project_id in enumerate(projects):
        officer, milestone = crowd.officers[n], milestone_ids[project_id]
        calls.append(lambda o=officer, f=report_forms[n], n=n: ("report", o.submit(
            f, month=THIS_MONTH, invested_month=f"{100 + n}.25", progress_text="基础施工")))
        calls.append(lambda o=officer, f=milestone_pages[n], m=milestone, p=project_id: ("milestone", o.submit(
            f, f"/projects/{p}/milestones", **{f"m{m}-actual_date": "2026-06-01",
                                      f"m{m}-delay_reason": "雨季停工"})))
        calls.append(lambda o=editors[n], f=edit_forms[n], n=n: ("edit", o.submit(
            f, location=f"龙南市第{n}片区")))
    results = at_once(calls)
    assert_clear([answer for _, answer in results], {409: "其他人"})
    accepted = Counter(kind for kind, answer in results if answer.status == ACCEPTED)
    refused = Counter((kind, answer.status) for kind, answer in results if answer.status != ACCEPTED)
    assert accepted["milestone"] == OFFICERS, refused  # a milestone is its own row: no conflict
    assert set(refused) <= {("report", 409), ("edit", 409)}, refused
    # A report refused because the project was saved in the same instant is filed again, as the
    # page asks; it then goes through.
    for n, (kind, answer) in enumerate(results):
        if kind == "report" and answer.status != ACCEPTED:
            officer, project_id = crowd.officers[n // 3], projects[n // 3]
            again = officer.submit(officer.get(f"/projects/{project_id}/reports/new"), month=THIS_MONTH,
                                   invested_month=f"{100 + n // 3}.25", progress_text="基础施工")
            assert again.status == ACCEPTED, again.text[:2000]
    for n, project_id in enumerate(projects):
        assert scalar(url, "SELECT COUNT(*) FROM monthly_reports WHERE project_id = :p", p=project_id) == 1
        assert money(url, "SELECT invested_to_date FROM projects WHERE id = :p",
                     p=project_id) == Decimal(f"{100 + n}.25")
        assert audited(url, "report:submit", project_id) == 1
        assert audited(url, "milestone:update", project_id) == 1
        edited = scalar(url, "SELECT location FROM projects WHERE id = :p", p=project_id) == f"龙南市第{n}片区"
        assert audited(url, "project:update", project_id) == int(edited)
    assert accepted["edit"] == sum(
        audited(url, "project:update", project_id) for project_id in projects)
