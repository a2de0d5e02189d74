"""Hostile input, as property tests (Hypothesis) over every form and the importer.

Each example sends a form whose fields are partly valid, partly hostile: huge, tiny and negative
numbers, NaN and Infinity, every kind of Unicode, script tags, spreadsheet formulas, NUL bytes,
very long strings, values of the wrong type, repeated fields. Whatever comes in:
- the answer is never a server error;
- a refusal (400, 409) says what is wrong and writes nothing: no row of any table changes;
- an acceptance stores the text, and the pages show it escaped.
Each example runs in its own savepoint, rolled back after it, so examples do not see each other.

Then, by example: stored script tags and formulas come out escaped or neutralised in every page
and export, and uploads are limited in size (413) and type.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os

import openpyxl
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from markupsafe import escape
from PIL import Image

from tracker.core import clock
from tracker.models import MonthlyReport, Project

from .browsers import browser
from .factories import county_in_city, project, region

# Two Hypothesis profiles: "hostile-ci" (the suite: 30 examples per property, the same ones every
# run) and "hostile-fuzz" (`make fuzz`, TRACKER_FUZZ=1: 10,000 fresh examples per property, and
# the query strings of every page in one property). TRACKER_HOSTILE_EXAMPLES overrides the count.
FUZZ = os.environ.get("TRACKER_FUZZ") == "1"
settings.register_profile(
    "hostile-ci", max_examples=30, deadline=None, database=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large])
settings.register_profile("hostile-fuzz", settings.get_profile("hostile-ci"), max_examples=10_000,
                          derandomize=False)
PROFILE = settings.get_profile("hostile-fuzz" if FUZZ else "hostile-ci")
EXAMPLES = int(os.environ.get("TRACKER_HOSTILE_EXAMPLES") or PROFILE.max_examples)
PROPERTY = settings(PROFILE, max_examples=EXAMPLES)
THIS_MONTH = clock.today().strftime("%Y-%m")
SCRIPT = "<script>alert(1)</script>"
FORMULA = "=cmd|' /C calc'!A0"
RAW_MARKUP = (SCRIPT, "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>")
TABLES = ("projects", "milestones", "monthly_reports", "report_photos", "budget_revisions",
          "funding_lines", "annual_plans", "audit_entries", "project_aliases", "users",
          "plans", "plan_documents", "plan_candidates", "plan_indicators")

# --- what a hostile user types --------------------------------------------------------------------

NASTY_NUMBERS = ["NaN", "nan", "-NaN", "sNaN", "Infinity", "-Infinity", "inf", "1e309", "-1e309",
                 "1e-400", "-0", "-1", "-0.0001", "0.00001", "1e12", "999999999999.9999",
                 "1E+999999999", "1e-999999999", "0x10", "1_000", "１２３", "½", "٣", "1,320", " 12 ",
                 "--1", "+5", ".5", "5.", "1e2", "9" * 400]
NASTY_TEXT = [SCRIPT, FORMULA, "+SUM(A1:A9)", "@cmd", "-2+3", *RAW_MARKUP, "\x00", "前\x00后",
              "'; DROP TABLE projects; --", "{{7*7}}", "{% raw %}", "${7*7}", "\u202e反转文字", "𠀀𪚥",
              "\ufeff", "\r\n", "   ", "\t=1+1", "a\u0301", "🏥" * 60, "&amp;&lt;", "</textarea><b>x</b>"]
WRONG_TYPES = ["[]", "{}", "true", "null", "None", "2024-13-45", "0000-00-00", "99999-01-01",
               "2024-02-30", "yesterday", "-1", "1.5", "999999999999999999999"]

numbers = st.one_of(st.sampled_from(NASTY_NUMBERS), st.decimals(allow_nan=True, allow_infinity=True).map(str),
                    st.floats().map(repr), st.integers(min_value=-(10 ** 30), max_value=10 ** 30).map(str))
long_text = st.builds(lambda piece, times: piece * times, st.text(min_size=1, max_size=5),
                      st.integers(min_value=50, max_value=3000))
texts = st.one_of(st.text(max_size=200), st.sampled_from(NASTY_TEXT), long_text)
hostile = st.one_of(numbers, texts, st.sampled_from(WRONG_TYPES),
                    st.lists(st.sampled_from(["1", SCRIPT, "x"]), min_size=2, max_size=3))  # a repeated field


def form_data(valid: dict, *, always: tuple = ()):
    """The valid form with a few fields (those in ``always`` and up to three more) made hostile."""
    names = sorted(valid)

    @st.composite
    def build(draw):
        chosen = set(always) | draw(st.sets(st.sampled_from(names), max_size=3))
        return {name: (draw(hostile) if name in chosen else value) for name, value in valid.items()}
    return build()


# --- running one example ----------------------------------------------------------------------------

@pytest.fixture()
def scene(app, db, make_user):
    """A Longnan project with a milestone, an officer of Longnan signed in, and the connection."""
    _, city, county = county_in_city()
    region("441700", "阳江市", level="city")
    target = project(county, kind="construction", category="cdc", total_investment=1320)
    from tracker.progress import services as progress_services
    from tracker.audit.services import CLI
    milestone = progress_services.add_custom_milestone(CLI, target, "设备安装", dt.date(2025, 6, 30))
    db.session.commit()
    officer = make_user("officer", "360783", username="hostile-officer")
    ids = {"project": target.id, "milestone": milestone.id, "county": county.id, "city": city.id,
           "project_version": target.version, "milestone_version": milestone.version}
    return {"app": app, "db": db, "ids": ids, "officer": browser(app, officer),
            "connection": db.session.get_bind()}


COUNTS = sa.text("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {table})" for table in TABLES))


def counts(db) -> dict[str, int]:
    """Each table's rows, in one statement (it runs twice per example sent)."""
    return dict(zip(TABLES, db.session.execute(COUNTS).one()))


@contextlib.contextmanager
def rolled_back(scene):
    """One example: a savepoint around it, rolled back after it."""
    db = scene["db"]
    db.session.remove()
    savepoint = scene["connection"].begin_nested()
    try:
        yield
    finally:
        db.session.remove()
        savepoint.rollback()


def assert_safe_page(html: str) -> None:
    for markup in RAW_MARKUP:
        assert markup not in html, f"unescaped {markup!r} in the page"


def send(scene, url: str, data: dict, *, client=None):
    """POST ``data``; check the answer is an acceptance or a refusal that wrote nothing."""
    db = scene["db"]
    before = counts(db)
    response = (client or scene["officer"]).post(url, data=data)
    html = response.get_data(as_text=True)
    if currently_in_test_context():
        event(f"answered {response.status_code}")  # --hypothesis-show-statistics counts them
    assert response.status_code < 500, html[:3000]
    assert_safe_page(html)
    if response.status_code in (400, 409):
        # A field's message, a page's error, or a conflict's notice (a forged ``version``: 409).
        assert any(mark in html for mark in ("field-error", 'class="flash error', 'class="error-page"')), \
            html[:3000]
        assert counts(db) == before, "a refused form wrote rows"
    else:
        assert response.status_code in (200, 302), response.status_code
    return response


def assert_shown_escaped(scene, text: str | None) -> None:
    """The project page shows ``text`` (as stored) escaped, and no raw markup."""
    html = scene["officer"].get(f"/projects/{scene['ids']['project']}").get_data(as_text=True)
    assert_safe_page(html)
    if text:
        assert str(escape(text)) in html


# --- the forms ----------------------------------------------------------------------------------------

def project_form(ids: dict, **extra) -> dict:
    return {"name": "医院门诊楼", "project_code": "", "region_id": str(ids["county"]), "kind": "construction",
            "category": "cdc", "build_nature": "new", "build_nature_term": "", "location": "", "owner_unit": "",
            "supervising_department": "", "land_area_mu": "", "floor_area_m2": "", "floor_area_term": "",
            "beds": "", "new_beds": "", "total_investment": "", "scope": "", "status": "",
            "planned_start": "", "planned_end": "", "reason": "", **extra}


@PROPERTY
@given(data=st.data())
def test_project_create_form_takes_no_hostile_value(scene, data):
    fields = data.draw(form_data(project_form(scene["ids"])))
    with rolled_back(scene):
        response = send(scene, "/projects/new", fields)
        if response.status_code == 302:
            new_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
            stored = scene["db"].session.get(Project, new_id)
            html = scene["officer"].get(f"/projects/{new_id}").get_data(as_text=True)
            assert_safe_page(html)
            assert str(escape(stored.name)) in html


@PROPERTY
@given(data=st.data())
def test_project_edit_form_takes_no_hostile_value(scene, data):
    ids = scene["ids"]
    fields = data.draw(form_data(project_form(ids, name="龙南市疾控中心", total_investment="1320",
                                              version=str(ids["project_version"]))))
    with rolled_back(scene):
        response = send(scene, f"/projects/{ids['project']}/edit", fields)
        if response.status_code == 302:
            stored = scene["db"].session.get(Project, ids["project"])
            assert_shown_escaped(scene, stored.name)
            assert_shown_escaped(scene, stored.location)


@PROPERTY
@given(data=st.data())
def test_milestone_forms_take_no_hostile_value(scene, data):
    ids = scene["ids"]
    prefix = f"m{ids['milestone']}-"
    update = data.draw(form_data({f"{prefix}planned_date": "2025-06-30", f"{prefix}actual_date": "2025-07-01",
                                  f"{prefix}note": "到货", f"{prefix}delay_reason": "",
                                  f"{prefix}version": str(ids["milestone_version"])}))
    custom = data.draw(form_data({"custom_name": "联合试运转", "planned_date": "2026-01-15"}))
    with rolled_back(scene):
        if send(scene, f"/projects/{ids['project']}/milestones", update).status_code == 302:
            note = scene["db"].session.execute(sa.text("SELECT note FROM milestones WHERE id = :id"),
                                               {"id": ids["milestone"]}).scalar()
            assert_shown_escaped(scene, note)
    with rolled_back(scene):
        if send(scene, f"/projects/{ids['project']}/milestones/custom", custom).status_code == 302:
            html = scene["officer"].get(f"/projects/{ids['project']}/milestones").get_data(as_text=True)
            assert_safe_page(html)


@PROPERTY
@given(data=st.data())
def test_monthly_report_form_takes_no_hostile_value(scene, data):
    ids = scene["ids"]
    fields = data.draw(form_data({"month": THIS_MONTH, "progress_text": "主体结构施工至5层",
                                  "physical_percent": "35", "invested_month": "120.5", "invested_total": "400",
                                  "funds_received": "", "paid": "", "problems": "", "next_steps": "",
                                  "over_budget_reason": "", "correction_reason": "", "version": ""}))
    with rolled_back(scene):
        response = send(scene, f"/projects/{ids['project']}/reports/new", fields)
        if response.status_code == 302:
            report = scene["db"].session.scalar(sa.select(MonthlyReport).where(
                MonthlyReport.project_id == ids["project"]))
            assert_shown_escaped(scene, report.progress_text)
            assert_shown_escaped(scene, report.problems)


@PROPERTY
@given(data=st.data())
def test_budget_revision_form_takes_no_hostile_value(scene, data):
    ids = scene["ids"]
    fields = data.draw(form_data({"new_amount": "1500", "reason": "增加检验设备",
                                  "approval_number": "龙发改字〔2024〕8号", "approval_date": "2024-09-01"}))
    with rolled_back(scene):
        if send(scene, f"/projects/{ids['project']}/budget", fields).status_code == 302:
            html = scene["officer"].get(f"/projects/{ids['project']}/budget").get_data(as_text=True)
            assert_safe_page(html)
            assert_shown_escaped(scene, None)


@PROPERTY
@given(data=st.data())
def test_funding_and_annual_plan_forms_take_no_hostile_value(scene, data):
    ids = scene["ids"]
    funding = data.draw(form_data({"f-source": "central_budget", "f-amount": "500", "f-note": "第一批"},
                                  always=()))
    annual = data.draw(form_data({"a-year": "2026", "a-planned_investment": "300"}))
    url = f"/projects/{ids['project']}/funding"
    with rolled_back(scene):
        if send(scene, url, funding).status_code == 302:
            assert_shown_escaped(scene, scene["db"].session.execute(sa.text(
                "SELECT note FROM funding_lines WHERE project_id = :id"), {"id": ids["project"]}).scalar())
    with rolled_back(scene):
        send(scene, url, annual)


@PROPERTY
@given(username=hostile, password=hostile)
def test_the_login_form_takes_no_hostile_value(scene, username, password):
    anonymous = browser(scene["app"])
    with rolled_back(scene):  # the failed attempts counted are rolled back with the rest
        response = send(scene, "/login", {"username": username, "password": password}, client=anonymous)
        assert response.status_code == 400  # no such account (or an empty field): refused, saying why
        assert anonymous.get("/projects").status_code == 302  # still not signed in


# --- plans as the users' own data: a plan's facts, its correction, an indicator added by hand ------

PLAN_TEXT = """# 龙南市“十五五”卫生健康事业发展规划

到2030年，每千人口医疗卫生机构床位数由2025年的6.2张提高到7.5张。
"""


@pytest.fixture()
def plan_key(scene) -> str:
    """A plan of the officer's county added in the tracker (its text stored), committed."""
    from tracker.audit.services import CLI
    from tracker.plans import services as plans

    facts = plans.check_plan(key="hostile-15", title="龙南市“十五五”卫生健康事业发展规划", region="360783",
                             period="十五五", issuer=None, doc_number=None, issued_date=None)
    plans.add_plan(CLI, facts, lines=PLAN_TEXT.split("\n"), filename="规划.txt")
    scene["db"].session.commit()
    return "hostile-15"


def plan_facts(**extra) -> dict:
    return {"key": "", "title": "龙南市“十五五”卫生健康事业发展规划（修订）", "region": "360783", "period": "十五五",
            "issuer": "", "doc_number": "", "issued_date": "", **extra}


@PROPERTY
@given(data=st.data(), document=st.one_of(texts, st.just(PLAN_TEXT + "（修订稿）")))
def test_the_new_plan_form_takes_no_hostile_value_or_text(scene, data, document):
    fields = data.draw(form_data(plan_facts()))
    upload = {**fields, "document": (io.BytesIO(str(document).encode("utf-8", "surrogatepass")), "规划.txt")}
    with rolled_back(scene):
        response = send(scene, "/plans/new", upload)
        if response.status_code == 302:
            key = response.headers["Location"].split("/plans/", 1)[1].split("/", 1)[0]
            for page in (f"/plans/{key}", f"/plans/{key}/text", f"/plans/{key}/candidates"):
                answer = scene["officer"].get(page)
                assert answer.status_code == 200, page
                assert_safe_page(answer.get_data(as_text=True))


@PROPERTY
@given(data=st.data())
def test_the_plan_correction_and_indicator_forms_take_no_hostile_value(scene, plan_key, data):
    from tracker.plans.models import Plan

    version = scene["db"].session.scalar(sa.select(Plan.version).where(Plan.key == plan_key))
    correction = data.draw(form_data({**plan_facts(), "version": str(version)}))
    correction.pop("key")
    indicator = data.draw(form_data({"lines": "3", "section": "医疗资源", "name": "每千人口医疗卫生机构床位数",
                                     "unit": "张", "baseline": "6.2", "baseline_year": "2025", "target": "7.5",
                                     "target_year": "2030", "nature": "expected"}))
    with rolled_back(scene):
        send(scene, f"/plans/{plan_key}/edit", correction)
        assert_safe_page(scene["officer"].get(f"/plans/{plan_key}").get_data(as_text=True))
    with rolled_back(scene):
        if send(scene, f"/plans/{plan_key}/indicators/new", indicator).status_code == 302:
            html = scene["officer"].get(f"/plans/{plan_key}").get_data(as_text=True)
            assert_safe_page(html)
            stored = scene["db"].session.execute(sa.text(
                "SELECT name FROM plan_indicators ORDER BY id DESC LIMIT 1")).scalar()
            assert str(escape(stored)) in html


FILTER_KEYS = ["q", "region", "plan", "status", "category", "kind", "nature", "sort", "order", "page", "year",
               "late", "over_budget", "build_nature", "funding", "after", "before", "value", "anchor",
               "month"]
QUERY_PAGES = ["/projects", "/projects/export.csv", "/projects/export.json", "/regions/360783", "/dashboard",
               "/dashboard/briefing.pdf"]
# Under `make fuzz` one property asks all of these (the page drawn with the query).
EVERY_QUERY_PAGE = [*QUERY_PAGES, "/projects/export.xlsx", "/projects/export.oc4ids.json",
                    "/projects/export.pdf", "/projects/{project}/reports/new", "/projects/{project}"]


@pytest.mark.parametrize("page", ["(any page)"] if FUZZ else QUERY_PAGES)
@PROPERTY
@given(query=st.dictionaries(st.sampled_from(FILTER_KEYS), hostile.map(str), max_size=4),
       drawn=st.sampled_from(EVERY_QUERY_PAGE))
def test_hostile_query_strings_get_an_answer_not_a_crash(scene, query, page, drawn):
    from urllib.parse import urlencode
    page = drawn.format(**scene["ids"]) if FUZZ else page
    with rolled_back(scene):
        response = scene["officer"].get(page + "?" + urlencode(query))
        event(f"answered {response.status_code}")
        assert response.status_code in (200, 400), response.get_data(as_text=True)[:3000]
        if response.mimetype == "text/html":
            assert_safe_page(response.get_data(as_text=True))


def test_a_nul_byte_anywhere_is_refused_with_400_and_writes_nothing(scene):
    ids, officer = scene["ids"], scene["officer"]
    for url, data in ((f"/projects/{ids['project']}/reports/new", {"month": THIS_MONTH, "invested_month": "1",
                                                                  "problems": "前\x00后"}),
                      (f"/projects/{ids['project']}/milestones/custom", {"custom_name": "节点\x00"}),
                      ("/projects/new", project_form(ids, owner_unit="\x00")),
                      ("/login", {"username": "admin\x00", "password": "x"})):
        with rolled_back(scene):
            assert send(scene, url, data).status_code == 400, url
    for path in ("/projects?q=%00", "/regions/%00", "/dashboard?region=36%0007", "/plans/%00/text"):
        assert officer.get(path).status_code == 400, path


def sheet_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["项目名称", "地区代码", "项目类型", "类别", "总投资（万元）", "床位（张）", "计划开工日期",
                     "建设规模及内容"])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


import_rows = st.lists(st.fixed_dictionaries({
    "name": st.one_of(st.just("导入的医院"), texts), "region": st.one_of(st.just("360783"), hostile.map(str)),
    "kind": st.one_of(st.just("construction"), texts), "category": st.one_of(st.just("cdc"), texts),
    "total": st.one_of(st.just("1320"), numbers), "beds": st.one_of(st.just("100"), numbers),
    "start": st.one_of(st.just("2025-01-01"), texts), "scope": texts,
}).map(lambda row: [str(value) for value in row.values()]), min_size=1, max_size=4)
upload_files = st.one_of(import_rows.map(lambda rows: (sheet_bytes(rows), "项目.csv")),
                         st.binary(max_size=2000).map(lambda data: (data, "乱码.xlsx")),
                         st.binary(max_size=2000).map(lambda data: (data, "乱码.csv")))


@PROPERTY
@given(upload=upload_files)
def test_the_importer_takes_no_hostile_file(scene, upload):
    data, filename = upload
    officer = scene["officer"]
    with rolled_back(scene):
        before = counts(scene["db"])
        response = officer.post("/import", data={"kind": "projects", "file": (io.BytesIO(data), filename)},
                                content_type="multipart/form-data")
        assert response.status_code in (302, 400), response.get_data(as_text=True)[:3000]
        event(f"answered {response.status_code}")  # the upload: 400 refused, 302 to the preview
        if response.status_code == 400:
            assert counts(scene["db"]) == before
            return
        preview = officer.get(response.headers["Location"])
        html = preview.get_data(as_text=True)
        assert preview.status_code in (200, 400), html[:3000]
        assert_safe_page(html)
        assert counts(scene["db"]) == before  # a preview writes nothing
        confirm = officer.post(response.headers["Location"] + "/confirm", data={"reason": "导入"})
        html = confirm.get_data(as_text=True)
        assert confirm.status_code in (200, 400, 409), html[:3000]
        event(f"import answered {confirm.status_code}")
        assert_safe_page(html)
        if confirm.status_code != 200:
            assert counts(scene["db"]) == before  # all rows or none
            return
        names = scene["db"].session.scalars(sa.select(Project.name).where(Project.id != scene["ids"]["project"]))
        for name in names:
            listed = officer.get("/projects?" + "region=360783").get_data(as_text=True)
            assert_safe_page(listed)
            assert str(escape(name)) in listed


# --- stored markup and formulas come out harmless everywhere ---------------------------------------

@pytest.fixture()
def booby_trapped(app, db, make_user):
    """Projects whose text is markup or a formula, with a report and an audited edit."""
    from tracker.audit.services import Actor
    from tracker.progress import services as progress_services
    from tracker.projects import services as project_services
    _, _, county = county_in_city()
    first = project(county, name=SCRIPT, owner_unit=FORMULA, kind="construction", category="cdc",
                    scope="<b>粗体</b> & \"引号\"", total_investment=1320)
    second = project(county, name="=HYPERLINK(\"http://evil.example\",\"点我\")", kind="construction",
                     category="cdc", location="+1+1")
    officer = make_user("officer", "360783", username="trap-officer")
    actor = Actor(officer, "web")
    progress_services.submit_report(actor, first, clock.today().replace(day=1), invested_month="1",
                                    progress_text=SCRIPT, problems="@SUM(1+1)*cmd|' /C calc'!A0")
    project_services.update_project(actor, first, {"location": "<img src=x onerror=alert(1)>"},
                                    expected_version=first.version, reason=SCRIPT)
    db.session.commit()
    leader = make_user("leader", username="trap-leader")
    return {"first": first.id, "second": second.id, "leader": browser(app, leader)}


@pytest.mark.parametrize("path", ["/projects/{first}", "/projects?region=360783", "/projects?q=script",
                                  "/regions/360783", "/dashboard?region=360783", "/admin/audit"])
def test_stored_markup_is_escaped_in_every_page(booby_trapped, path):
    response = booby_trapped["leader"].get(path.format(**booby_trapped))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:2000]
    assert_safe_page(html)
    if path.startswith("/projects"):  # the pages that name the project
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_stored_formulas_are_neutralised_in_csv_and_xlsx(booby_trapped):
    leader = booby_trapped["leader"]
    response = leader.get("/projects/export.csv?region=360783")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    header = rows[0]
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@", "-") and not cell[1:2].isdigit()]
    by_name = {row[header.index("项目名称")]: row for row in rows[1:]}
    assert by_name[SCRIPT][header.index("建设单位")] == "'" + FORMULA
    assert "'=HYPERLINK(\"http://evil.example\",\"点我\")" in by_name

    response = leader.get("/projects/export.xlsx?region=360783")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"a formula in {cell.coordinate}: {cell.value!r}"
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row}
    # As typed, shown as text: the quote prefix, where the csv's leading ' was shown in the cell.
    assert cells[FORMULA].data_type == "s" and cells[FORMULA].quotePrefix and SCRIPT in cells
    assert "'" + FORMULA not in cells and not cells[SCRIPT].quotePrefix


def test_stored_markup_stays_inert_data_in_json_oc4ids_and_pdf(booby_trapped):
    from pypdf import PdfReader
    leader = booby_trapped["leader"]
    for path in ("/projects/export.json?region=360783", "/projects/export.oc4ids.json?region=360783"):
        response = leader.get(path)
        assert response.status_code == 200 and response.mimetype == "application/json"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert SCRIPT in json.dumps(json.loads(response.get_data()), ensure_ascii=False)  # kept as data
    response = leader.get("/projects/export.pdf?region=360783")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.get_data())).pages)
    assert "alert(1)" in text and "script" in text  # printed as text, not swallowed as markup
    briefing = leader.get("/dashboard/briefing.pdf?region=360783")
    assert briefing.status_code == 200 and briefing.mimetype == "application/pdf"


# --- uploads: size and type ---------------------------------------------------------------------------

def image_bytes(fmt: str, size=(40, 30), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, fmt)
    return buffer.getvalue()


def test_an_upload_over_16_mb_gets_413_with_the_sites_error_page(scene):
    ids, officer = scene["ids"], scene["officer"]
    for url, field in ((f"/projects/{ids['project']}/reports/new", "photos"), ("/import", "file")):
        with rolled_back(scene):
            before = counts(scene["db"])
            response = officer.post(url, data={"month": THIS_MONTH, "invested_month": "1", "kind": "projects",
                                               field: (io.BytesIO(b"\0" * (17 * 1024 * 1024)), "big.png")},
                                    content_type="multipart/form-data", headers={"Referer": f"http://localhost{url}"})
            html = response.get_data(as_text=True)
            assert response.status_code == 413, url
            assert "卫生健康建设项目台账" in html
            # The limit said, and the way back to the form (it said only 上传的文件太大, then 返回项目清单).
            assert "上传的文件太大：一次上传不能超过 16 MB，没有保存" in html
            assert f'<a href="{url}">返回上一页</a>' in html
            elsewhere = officer.post(url, data={field: (io.BytesIO(b"\0" * (17 * 1024 * 1024)), "big.png")},
                                     content_type="multipart/form-data", headers={"Referer": "http://evil.example/x"})
            assert "返回上一页" not in elsewhere.get_data(as_text=True)  # never a link to another site
            assert counts(scene["db"]) == before


@pytest.mark.parametrize("content, filename, message", [
    (lambda: image_bytes("GIF"), "site.gif", "只能上传 JPEG 或 PNG 图片"),
    (lambda: image_bytes("GIF"), "site.png", "不是 JPEG 或 PNG 图片"),
    (lambda: image_bytes("BMP"), "site.jpg", "不是 JPEG 或 PNG 图片"),
    (lambda: b"%PDF-1.4 not a photo", "site.jpg", "不是有效的图片文件"),
    (lambda: image_bytes("PNG", (10000, 8000), "1"), "bomb.png", "像素过多"),
    (lambda: b"", "empty.png", "是空文件"),
])
def test_a_photo_of_the_wrong_type_is_refused_and_nothing_is_written(scene, content, filename, message):
    ids, officer = scene["ids"], scene["officer"]
    with rolled_back(scene):
        before = counts(scene["db"])
        response = officer.post(f"/projects/{ids['project']}/reports/new", data={
            "month": THIS_MONTH, "invested_month": "1", "photos": (io.BytesIO(content()), filename)},
            content_type="multipart/form-data")
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and message in html, html[:2000]
        assert counts(scene["db"]) == before


# --- what is already stored: control characters and full-width formulas (issue 14, items 3, 15) ---

@pytest.fixture()
def stored_controls(app, db, make_user):
    """Projects whose stored text holds what no form lets through today (Word's vertical tab, C0
    controls, a full-width formula), written past the services as older data or a restore may be."""
    _, _, county = county_in_city()
    first = project(county, name="甲医院", kind="construction", category="cdc", total_investment=1320)
    second = project(county, name="乙医院", kind="construction", category="cdc")
    db.session.flush()
    for target, values in ((first, {"name": "门诊楼\x0b二期\x01", "owner_unit": "＝HYPERLINK(\"http://evil.example\")",
                                    "location": "\x01=1+1", "scope": "第一行\x0b第二行\x0c\x1f"}),
                           (second, {"name": "＋SUM(A1)", "owner_unit": "－1＋2", "location": "＠cmd"})):
        db.session.execute(sa.update(Project).where(Project.id == target.id).values(**values))
    db.session.commit()
    return {"leader": browser(app, make_user("leader", username="controls-leader")),
            "ids": (first.id, second.id)}


CELL_TRIGGERS = ("=", "+", "-", "@", "＝", "＋", "－", "＠")


def test_stored_control_characters_never_break_a_page_or_an_export(stored_controls):
    leader = stored_controls["leader"]
    first = stored_controls["ids"][0]
    for path in (f"/projects/{first}", "/projects", "/projects?q=%01", "/regions/360783", "/dashboard",
                 "/projects/export.csv", "/projects/export.xlsx", "/projects/export.xlsx?q=%01",
                 "/projects/export.json", "/projects/export.oc4ids.json", "/projects/export.pdf",
                 "/dashboard/briefing.pdf", "/admin/audit"):
        response = leader.get(path)
        body = response.get_data()
        assert response.status_code == 200, (path, body[:2000])
    workbook = openpyxl.load_workbook(io.BytesIO(leader.get("/projects/export.xlsx").get_data()))
    cells = {cell.value: cell for row in workbook.worksheets[0].iter_rows() for cell in row}
    assert "门诊楼\n二期" in cells  # Word's vertical tab is the line break it meant
    assert cells["=1+1"].quotePrefix  # the control removed, the formula then shown as text


def test_full_width_formula_signs_are_neutralised_like_ascii_ones(stored_controls):
    leader = stored_controls["leader"]
    rows = list(csv.reader(io.StringIO(leader.get("/projects/export.csv").get_data().decode("utf-8-sig"))))
    csv_cells = [cell for row in rows[1:] for cell in row]
    sheet = openpyxl.load_workbook(io.BytesIO(leader.get("/projects/export.xlsx").get_data())).worksheets[0]
    # The xlsx holds them as typed, shown as text (the quote prefix); the csv with a leading '.
    xlsx_cells = ["'" + cell.value if cell.quotePrefix else cell.value
                  for row in sheet.iter_rows(min_row=2) for cell in row if isinstance(cell.value, str)]
    for cells in (csv_cells, xlsx_cells):
        assert "'＋SUM(A1)" in cells and "'＝HYPERLINK(\"http://evil.example\")" in cells
        assert "'－1＋2" in cells and "'＠cmd" in cells
        assert not [cell for cell in cells if cell.startswith(CELL_TRIGGERS) and not cell[1:2].isdigit()]


def test_a_neutralised_full_width_formula_imports_back_unchanged():
    from tracker.exports.columns import neutralise, unneutralise
    for text in ("＝1+1", "＋SUM(A1)", "－2", "＠cmd", "=1", "'plain", "正常文字"):
        assert unneutralise(neutralise(text)) == text


def test_the_cli_cleans_what_a_terminal_pastes(app, db):
    from tracker.accounts.models import User
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "pasted", "--role", "viewer",
                                 "--name", "张\x0b三\u202e", "--email", "a@b.cn\x01"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.username == "pasted"))
    assert (user.display_name, user.email) == ("张 三", "a@b.cn")  # one line: the tab was a break
    result = runner.invoke(args=["export", "--format", "csv", "--region", " "])
    assert result.exit_code == 0, result.output  # a blank region is no region, as in a query string
    result = runner.invoke(args=["export", "--format", "csv", "--region", "\u200b"])
    assert result.exit_code == 1 and "没有行政区划代码为" in result.output  # no code, said so


@pytest.mark.parametrize("field", ["floor_area_m2", "land_area_mu", "total_investment"])
@pytest.mark.parametrize("figure", ["1E+999999999", "-1E+999999999", "9" * 400 + "e999999"])
def test_a_figure_beyond_decimal_arithmetic_is_refused_not_a_crash(scene, field, figure):
    """Found by `make fuzz`: abs() of 1E+999999999 overflows Python's decimal context (a 500)."""
    with rolled_back(scene):
        response = send(scene, "/projects/new", project_form(scene["ids"], **{field: figure}))
        assert response.status_code == 400


@pytest.mark.parametrize("url, fields", [
    ("/projects/new", {"beds": "9" * 400}),
    ("/projects/new", {"new_beds": "-" + "9" * 400}),
    ("/projects/{project}/funding", {"a-year": "9" * 400, "a-planned_investment": "1"}),
])
def test_a_whole_number_too_large_to_compare_is_refused_not_a_crash(scene, url, fields):
    """Found by `make fuzz`: WTForms' NumberRange cannot compare an integer past 1e308 (a 500)."""
    ids = scene["ids"]
    data = project_form(ids, **fields) if url == "/projects/new" else fields
    with rolled_back(scene):
        assert send(scene, url.format(**ids), data).status_code == 400


@pytest.mark.parametrize("beds, total", [("1E+999999999", "1320"), ("100", "1E+999999999"),
                                         ("9" * 400, "1320")])
def test_an_imported_figure_beyond_decimal_arithmetic_is_a_cell_problem(scene, beds, total):
    """Found by `make fuzz`: a cell of 1E+999999999 overflowed the decimal context (a 500)."""
    officer = scene["officer"]
    with rolled_back(scene):
        sheet = sheet_bytes([["导入的医院", "360783", "construction", "cdc", total, beds, "2025-01-01", ""]])
        response = officer.post("/import", data={"kind": "projects", "file": (io.BytesIO(sheet), "项目.csv")},
                                content_type="multipart/form-data")
        assert response.status_code in (302, 400)
        if response.status_code == 302:
            preview = officer.get(response.headers["Location"])
            assert preview.status_code in (200, 400)
            told = preview.get_data(as_text=True)
            assert "数值过大" in told or "不用科学计数法" in told
