"""English is complete (issue 18): every main page, read in English, has no Chinese left but the
data itself (names, quotes, notes as people stored them). Every text the database holds is data;
what remains in Chinese after those are taken out is a string the catalog lacks or a template
that does not translate."""

from __future__ import annotations

import html as html_lib
import re

import pytest
import sqlalchemy as sa

from tracker.extensions import db as _db
from tracker.projects.models import Project
from tracker.regions.models import Region

# Chinese characters and the full-width punctuation an English page must not show around them
# (an ideographic space indents a region picker's options: whitespace, left out).
CJK = re.compile(r"[\u3001-\u303f\u3400-\u9fff\uff01-\uff5e]+")
# The language switcher names each language in itself: 中文 is right on an English page.
OWN_NAMES = ["中文"]


def stored_texts() -> list[str]:
    """Every text value of every table (and each region's full name, built from stored names)."""
    found: set[str] = set()

    def take(value) -> None:
        if isinstance(value, str):
            if CJK.search(value):
                found.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                take(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                take(item)

    for table in _db.metadata.sorted_tables:
        if table.name == "project_search_grams":
            continue  # pairs of characters cut from the names: an index, not a text any page shows
        columns = [column for column in table.columns
                   if isinstance(column.type, (sa.String, sa.Text, sa.JSON))]
        if not columns:
            continue
        for row in _db.session.execute(sa.select(*columns)):
            for value in row:
                take(value)
    for region in _db.session.scalars(sa.select(Region)):
        found.add(region.full_name)
    return sorted(found, key=len, reverse=True) + OWN_NAMES


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    attributes = " ".join(re.findall(r'\b(?:title|aria-label|placeholder|alt)="([^"]*)"', page))
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", page) + " " + attributes)


def chinese_left(page: str, data: list[str]) -> list[str]:
    text = visible_text(page)
    for value in data:
        text = text.replace(value, " ")
    return sorted(set(CJK.findall(text)))


@pytest.fixture()
def english_officer(officer):
    officer.get("/language/en")
    return officer


def test_every_main_page_in_english_has_no_chinese_but_the_data(english_officer, longnan_project):
    pages = ["/projects?region=360783", "/projects", f"/projects/{longnan_project.id}",
             "/dashboard?region=360783", "/dashboard", "/todo", "/regions/360783", "/plans",
             f"/plans/{longnan_project.plans[0].key}", "/account/home", "/views",
             f"/projects/{longnan_project.id}/milestones", f"/projects/{longnan_project.id}/reports/new",
             f"/projects/{longnan_project.id}/funding", "/import"]
    data = stored_texts()
    left = {}
    for url in pages:
        response = english_officer.get(url)
        assert response.status_code == 200, url
        found = chinese_left(response.get_data(as_text=True), data)
        if found:
            left[url] = found
    assert not left, "\n".join(f"{url}: {' '.join(found)}" for url, found in left.items())
    # A project with one milestone lists the standard ones it lacks, joined as English joins them.
    url = f"/projects/{longnan_project.id}/milestones"
    assert english_officer.post(f"{url}/custom", data={"custom_name": "桩基完成", "planned_date": "2026-03-01"}
                                ).status_code == 302
    page = english_officer.get(url).get_data(as_text=True)
    assert "standard milestones are missing" in page
    assert chinese_left(page, stored_texts()) == []


def test_an_admins_pages_and_the_briefing_in_english(app, make_user, seeded, db):
    import io

    from pypdf import PdfReader

    from .conftest import login_as

    admin = app.test_client()
    login_as(admin, make_user("admin", username="english-admin"))
    admin.get("/language/en")
    data = stored_texts()
    left = {}
    project = db.session.scalar(sa.select(Project).where(Project.plans.any()).order_by(Project.id).limit(1))
    for url in ("/admin/users", "/admin/audit", "/admin/settings", "/account/tokens", "/plans/new",
                f"/projects/{project.id}/edit", "/projects/new", f"/plans/{project.plans[0].key}/evaluation",
                "/api/v1/docs"):
        response = admin.get(url)
        assert response.status_code == 200, url
        if found := chinese_left(response.get_data(as_text=True), data):
            left[url] = found
    pdf = admin.get("/dashboard/briefing.pdf?region=360783").data
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace("\n", "")
    for value in data:
        text = text.replace(value, " ")
    if found := sorted(set(CJK.findall(text))):
        left["briefing"] = found
    assert not left, "\n".join(f"{url}: {' '.join(found)}" for url, found in left.items())


def test_an_import_preview_in_english(english_officer, longnan_project):
    """A preview row's project id and a cell's problem: "（ID 68）" and "「Beds」：Must be a number"
    were Chinese punctuation around English words."""
    import io

    sheet = f"项目ID,项目名称,地区代码,床位（张）\n{longnan_project.id},,,120\n,新建卫生院,360783,abc\n"
    upload = english_officer.post("/import", data={"kind": "projects", "file": (io.BytesIO(sheet.encode()), "s.csv")},
                                  content_type="multipart/form-data")
    assert upload.status_code == 302
    page = english_officer.get(upload.headers["Location"]).get_data(as_text=True)
    assert "(ID " in page and "“Beds”: " in page
    assert chinese_left(page, ["新建卫生院"] + stored_texts()) == []


def test_no_template_writes_chinese_punctuation_outside_a_message():
    """Punctuation belongs to the language: a colon after a label, the 、 between names, the
    brackets around a date are messages (``pgettext('列举的分隔号', '、')``, the ``aside`` filter),
    or an English page prints "Reasons for delay：…" and "admin（2026-12-06 10:00）". The pages the
    English walk reaches catch it there; this reads every template for the pages it does not
    (a conflict notice, a user's page, an alias list)."""
    from pathlib import Path

    templates = Path(__file__).resolve().parent.parent / "templates"
    found = []
    for path in sorted(templates.rglob("*.html")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            code = re.sub(r"\{#.*?#\}", "", line)
            code = re.sub(r"'(?:[^'\\]|\\.)*'", "''", code)  # a message's text is the catalog's
            code = re.sub(r'"(?:[^"\\]|\\.)*"', '""', code)
            if re.search(r"[（）、，：；「」【】]", code):
                found.append(f"{path.relative_to(templates)}:{number}: {line.strip()[:80]}")
    assert not found, "\n".join(found)


def test_an_area_basis_from_the_fixed_words_reads_in_english(english_officer, db, longnan_project):
    """A QA walk's complaint: in English the xlsx's and csv's "Area basis" held 总建筑面积 and
    建设面积, and a project page read "Floor area (总建筑面积) approx.": the words the form suggests
    are the tracker's, translated; a plan's own wording (新建实验楼面积) stays as printed, and the
    sheet imports back to the word stored."""
    import csv
    import io

    import openpyxl

    other = db.session.scalar(sa.select(Project).where(Project.seed_key != longnan_project.seed_key,
                                                       Project.region_id == longnan_project.region_id))
    longnan_project.floor_area_term, other.floor_area_term = "总建筑面积", "新建实验楼面积"
    db.session.commit()
    page = english_officer.get(f"/projects/{longnan_project.id}").get_data(as_text=True)
    assert "总建筑面积" not in page and "Floor area (Total floor area)" in page

    rows = list(csv.reader(io.StringIO(english_officer.get("/projects/export.csv?region=360783")
                                       .data.decode("utf-8-sig"))))
    terms = {row[0]: row[rows[0].index("Area basis")] for row in rows[1:]}
    assert terms[str(longnan_project.id)] == "Total floor area" and terms[str(other.id)] == "新建实验楼面积"
    sheet = openpyxl.load_workbook(io.BytesIO(english_officer.get("/projects/export.xlsx?region=360783").data)).active
    header = [cell.value for cell in sheet[1]]
    terms = {row[0]: row[header.index("Area basis")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert terms[longnan_project.id] == "Total floor area" and terms[other.id] == "新建实验楼面积"

    from tracker.exports.columns import by_key
    from tracker.imports.cells import CellReader
    from tracker.imports.reading import Cell
    reader, column = CellReader(["zh", "en"]), by_key()["floor_area_term"]
    assert reader.read(column, Cell("Total floor area")) == "总建筑面积"
    assert reader.read(column, Cell("新建实验楼面积")) == "新建实验楼面积"
