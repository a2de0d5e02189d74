"""The import against a real server and database: one confirm applies once, previews block nobody.

A threaded server (``LiveServer``) on its own seeded database; each officer is a ``WebClient``
with his own session, submitting the real forms (CSRF token included). Requests are released
together at a barrier. On PostgreSQL the requests really overlap (row locks); on SQLite writers
take turns, and these tests prove the turns end in answers, never in a 503.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from ..live import LiveServer, WebClient, make_app, scalar

CSV = "text/csv"


@pytest.fixture(scope="module")
def tracker(databases, tmp_path_factory):
    url = databases.seeded("imports")
    server = LiveServer(make_app(url, tmp_path_factory.mktemp("imports")))
    server.database_url = url
    yield server
    server.stop()


def signed_in(tracker, username: str) -> WebClient:
    client = WebClient(tracker.url, timeout=300)
    client.login(username)
    return client


def at_once(calls):
    """Run the callables in parallel threads, released together; their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def upload(client: WebClient, sheet: str, name: str = "项目.csv") -> str:
    page = client.get("/import")
    answer = client.post("/import", page.form().values(),
                         files=[("file", name, sheet.encode("utf-8-sig"), CSV)])
    assert answer.status == 302, (answer.status, answer.text[:3000])
    return answer.location


def longnan_project(url: str) -> int:
    return scalar(url, "SELECT p.id FROM projects p JOIN regions r ON r.id = p.region_id "
                       "WHERE r.key = '360783' ORDER BY p.id LIMIT 1")


def test_four_confirms_of_one_upload_at_once_apply_it_once(tracker):
    """A double click, or the same preview confirmed from four tabs at the same instant."""
    tabs = [signed_in(tracker, "officer-1") for _ in range(4)]
    names = [f"四个标签页同时确认的新项目{n}" for n in range(3)]
    sheet = "项目名称,地区代码\n" + "".join(f"{name},360783\n" for name in names)
    location = upload(tabs[0], sheet)
    previews = [tab.get(location) for tab in tabs]
    assert all(preview.status == 200 and "确认导入" in preview.text for preview in previews)
    answers = at_once([lambda tab=tab, page=page: tab.submit(page, "/confirm")
                       for tab, page in zip(tabs, previews)])
    statuses = Counter(answer.status for answer in answers)
    assert statuses == {200: 1, 409: 3}, [(a.status, a.text[:500]) for a in answers]
    for answer in answers:
        if answer.status == 409:
            assert "不会重复导入" in answer.text, answer.text[:3000]
    url = tracker.database_url
    for name in names:
        assert scalar(url, "SELECT COUNT(*) FROM projects WHERE name = :n", n=name) == 1, name
    assert scalar(url, "SELECT COUNT(*) FROM audit_entries WHERE action = 'project:create' "
                       "AND via = 'import' AND project_id IN "
                       "(SELECT id FROM projects WHERE name LIKE '%四个标签页同时确认%')") == 3
    assert scalar(url, "SELECT status FROM import_batches WHERE token = :t",
                  t=location.rsplit("/", 1)[1]) == "applied"
    # And afterwards: the preview says it was imported; another confirm is refused the same way.
    assert "不会重复导入" in tabs[1].get(location).text
    again = tabs[2].submit(previews[2], "/confirm")
    assert again.status == 409 and "不会重复导入" in again.text


ROWS = 900  # each preview takes seconds (~2 CPU-s); the save starts 0.8 s in


def test_large_previews_run_beside_another_officers_save(tracker):
    """Two officers preview 900-row sheets while a third saves a project the sheets change:
    nobody gets a 503, the save does not wait for the previews, and every preview is right."""
    url = tracker.database_url
    project_id = longnan_project(url)
    importers = [signed_in(tracker, "officer-1"), signed_in(tracker, "officer-3")]
    editor = signed_in(tracker, "officer-2")
    sheets = []
    for n, _client in enumerate(importers):
        lines = ["项目ID,项目名称,地区代码,床位（张）", f"{project_id},,,{300 + n}"]
        lines += [f",第{n}位专员预览的项目{i},360783," for i in range(ROWS)]
        sheets.append("\n".join(lines) + "\n")
    form = editor.get(f"/projects/{project_id}/edit")
    times: dict[str, float] = {}

    def preview(n):
        location = upload(importers[n], sheets[n], f"大表{n}.csv")
        times[f"preview-{n}"] = time.monotonic()
        return location

    def save():
        time.sleep(0.8)  # the previews are under way (each takes seconds: ROWS)
        times["save-start"] = time.monotonic()
        answer = editor.submit(form, owner_unit="预览进行中保存的建设单位")
        times["save"] = time.monotonic()
        return answer

    locations_and_save = at_once([lambda: preview(0), lambda: preview(1), save])
    saved = locations_and_save[2]
    assert saved.status == 302, (saved.status, saved.text[:3000])
    assert times["save"] - times["save-start"] < 5, times
    # The save was not kept waiting until the previews ended: it finished before the later one
    # (which of the two comes first depends on how busy the machine's cores are).
    assert times["save"] < max(times["preview-0"], times["preview-1"]), times
    assert scalar(url, "SELECT owner_unit FROM projects WHERE id = :p", p=project_id) == "预览进行中保存的建设单位"
    for n, location in enumerate(locations_and_save[:2]):
        page = importers[n].get(location)
        assert page.status == 200, page.text[:2000]
        assert f"新增 {ROWS:,} 行" in page.text or f"新增 {ROWS} 行" in page.text, page.text[-3000:]
        assert "修改 1 行" in page.text and "错误 0 行" in page.text
    # The previews wrote nothing.
    assert scalar(url, "SELECT COUNT(*) FROM projects WHERE name LIKE '%位专员预览的项目%'") == 0


def test_a_plan_or_a_sheet_being_read_keeps_nobody_from_saving(tracker, monkeypatch):
    """A QA walk's complaint: while an officer's plan document was read (24 s for a large one),
    every other save and sign-in waited, then failed with 503; so did an evaluation sheet's
    preview. The document is read with the database released: another officer's save made
    meanwhile is kept at once."""
    from tracker.plans import views as plan_views

    url = tracker.database_url
    project_id = longnan_project(url)
    reader, editor = signed_in(tracker, "officer-1"), signed_in(tracker, "officer-2")
    times: dict[str, float] = {}
    slow_read = plan_views.read_upload

    def reading_slowly(*args, **kwargs):
        times["reading"] = time.monotonic()
        time.sleep(4)
        return slow_read(*args, **kwargs)

    monkeypatch.setattr(plan_views, "read_upload", reading_slowly)
    form = editor.get(f"/projects/{project_id}/edit")
    page = reader.get("/plans/new")
    text = ("# 龙南市“十五五”卫生健康发展规划\n\n一、发展基础\n\n卫生健康事业持续发展。\n\n"
            "推进龙南市中医院康复大楼建设，总投资5000万元。\n")

    def upload_plan():
        answer = reader.post("/plans/new", page.form().values(
            key="longnan-15-slow", title="龙南市“十五五”卫生健康发展规划", region="360783", period="十五五"),
            files=[("document", "规划.txt", text.encode("utf-8"), "text/plain")])
        times["uploaded"] = time.monotonic()
        return answer

    def save():
        while "reading" not in times:
            time.sleep(0.05)
        time.sleep(0.5)
        started = time.monotonic()
        answer = editor.submit(form, owner_unit="读取规划期间保存的建设单位")
        times["saved"], times["save took"] = time.monotonic(), time.monotonic() - started
        return answer

    uploaded, saved = at_once([upload_plan, save])
    assert saved.status == 302, (saved.status, saved.text[:2000])
    assert uploaded.status == 302, (uploaded.status, uploaded.text[:3000])
    assert times["save took"] < 2 and times["saved"] < times["uploaded"], times
    assert scalar(url, "SELECT owner_unit FROM projects WHERE id = :p", p=project_id) == "读取规划期间保存的建设单位"


def test_an_api_read_waits_for_a_writer_on_sqlite_instead_of_failing(tracker):
    """A QA walk's complaint: while another request held SQLite's write lock, every API call
    answered 503 at once (each call writes its count, in a read's transaction WAL refuses to
    upgrade). It waits its turn, as a form's save does."""
    import sqlite3
    import urllib.request

    from sqlalchemy.engine import make_url

    from tracker.api.tokens import create_token
    from tracker.audit.services import CLI
    from tracker.accounts.models import User
    from tracker.extensions import db

    url = make_url(tracker.database_url)
    if url.get_backend_name() != "sqlite":
        pytest.skip("SQLite's one writer: PostgreSQL locks rows")
    with tracker.app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "officer-1"))
        _token, secret = create_token(CLI, user, name="锁等待")
        db.session.commit()
    project_id = longnan_project(tracker.database_url)
    holder = sqlite3.connect(url.database, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    threading.Timer(1.5, holder.commit).start()
    request = urllib.request.Request(f"{tracker.url}/api/v1/projects/{project_id}",
                                     headers={"Authorization": f"Bearer {secret}"})
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=60) as answer:
        assert answer.status == 200
    assert time.monotonic() - started >= 1.2  # it waited for the lock, then answered
    holder.close()
