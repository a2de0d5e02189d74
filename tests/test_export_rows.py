"""The csv and xlsx exports read rows, not projects: every cell is still what the column says.

The exports of the list read one SELECT of the exported columns (``tracker.exports.listing``)
instead of loading each project; these tests hold each cell to the columns' own definition, read
from the ORM project (``text_value(column, column.get(project))`` for the csv, ``value_cell`` for
the xlsx), across partition boundaries, with the money shown and hidden; and they count the SQL
statements of each export, which must not grow with the rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from tracker.demo.generator import generate
from tracker.exports.columns import export_columns, text_value
from tracker.exports.csv_ import csv_chunks
from tracker.exports.xlsx import value_cell, write_xlsx
from tracker.plans.models import Plan
from tracker.exports import records as exports
from tracker.portfolio import queries
from tracker.portfolio.filters import SORTS, PortfolioFilter
from tracker.projects.models import Project
from tracker.regions.models import Region
from tracker.vocabulary import BuildNature, Category, Kind, Status

from . import factories
from .test_query_counts import statements_for


@pytest.fixture()
def varied(db):
    """Projects whose cells take every path: unknown figures, decimals and whole numbers, more
    digits than a double keeps, formulas, line breaks and quotes, two plans listed out of their
    order, nested regions, every vocabulary."""
    province, city, county = factories.county_in_city()
    plans = {key: Plan(key=key, title=title, region_id=province.id) for key, title in
             (("p-b", "第二个规划"), ("p-a", "第一个规划"), ("p-c", "=公式开头的规划"))}
    db.session.add_all(plans.values())
    db.session.flush()
    one = factories.project(county, name="精确的项目", project_code="2101-360783-04-01-000001",
                            total_investment=Decimal("12345.6789"), total_investment_approx=True,
                            floor_area_m2=Decimal("16698.95"), land_area_mu=Decimal("4"),
                            land_area_approx=True, beds=300, new_beds=None, status=Status.CONSTRUCTION,
                            build_nature=BuildNature.NEW, category=Category.CDC,
                            planned_start=dt.date(2024, 5, 1), planned_end=dt.date(2026, 12, 31),
                            location="龙南市, \"东江\"新区", scope="第一行\n第二行，含逗号, and commas")
    two = factories.project(city, name="=HYPERLINK(\"http://evil.example\",\"点我\")",
                            owner_unit="+1+1", location="@SUM(A1)", scope="-2+3",
                            supervising_department="\t=1", floor_area_term="建设面积",
                            build_nature_term="易地新建", kind=Kind.EQUIPMENT,
                            total_investment=Decimal("123456789012.3456"), new_beds=50)
    three = factories.project(province, name="一个都没填的项目", kind=Kind.PROGRAMME)
    one.plans = [plans["p-b"], plans["p-a"]]  # listed by key: 第一个规划；第二个规划
    two.plans = [plans["p-c"]]
    one.current_estimate, one.invested_to_date = Decimal("13000"), Decimal("0.5")
    one.last_report_month = dt.date(2026, 9, 1)
    db.session.commit()
    return [one, two, three]


def listed(portfolio_filter: PortfolioFilter) -> list[Project]:
    """The projects in the list page's order."""
    return queries.project_page(portfolio_filter, 1, 1000, 1000).items


def excel_line(cells: list[str]) -> str:
    """A line as ``csv.writer`` writes it in the excel dialect (what it quotes: commas, quotes,
    line feeds and carriage returns), ended by "\n" instead of "\r\n" (``csv_.Lines``)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()[:-2] + "\n"


def csv_rows(portfolio_filter: PortfolioFilter, **kwargs) -> list[list[str]]:
    data = b"".join(csv_chunks(portfolio_filter, **kwargs))
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.parametrize("include_money", [True, False])
def test_every_csv_cell_is_the_columns_text_of_the_project(app, db, varied, include_money):
    portfolio_filter = PortfolioFilter(kind="all")
    columns = export_columns(include_money)
    with app.test_request_context():
        rows = csv_rows(portfolio_filter, include_money=include_money, batch=2)
        expected = [[text_value(column, column.get(project)) for column in columns]
                    for project in listed(portfolio_filter)]
    assert rows[0] == [column.label for column in columns]
    assert rows[1:] == expected
    by_name = {row[1]: dict(zip(rows[0], row)) for row in rows[1:]}
    exact = by_name["精确的项目"]
    assert exact["所属规划"] == "第一个规划；第二个规划"
    assert exact["地区"] == "江西省赣州市龙南市" and exact["最近填报月份"] == "2026-09"
    assert exact["建设规模及内容"] == "第一行\n第二行，含逗号, and commas"
    assert by_name["一个都没填的项目"]["所属规划"] == "" and by_name["一个都没填的项目"]["状态"] == ""
    assert "'=HYPERLINK(\"http://evil.example\",\"点我\")" in by_name
    if include_money:
        assert exact["总投资（万元）"] == "12345.6789" and exact["累计完成投资（万元）"] == "0.5"
    else:
        assert not any("总投资" in header or "万元" in header for header in rows[0])


@pytest.mark.parametrize("include_money", [True, False])
def test_every_xlsx_cell_is_the_value_cell_of_the_project(app, db, varied, include_money):
    portfolio_filter = PortfolioFilter(kind="all")
    columns = export_columns(include_money)
    output = io.BytesIO()
    with app.test_request_context():
        count = write_xlsx(output, portfolio_filter, include_money=include_money, batch=2)
        reference = Workbook(write_only=True).create_sheet()
        expected = [[value_cell(reference, column, column.get(project)) for column in columns]
                    for project in listed(portfolio_filter)]
    assert count == len(expected) == 3
    assert_value_cells(output, columns, expected)


def assert_value_cells(output: io.BytesIO, columns, expected: list[list]) -> None:
    """The list sheet's cells are ``expected`` (``value_cell``'s) in value, type, number format
    and wrapping, row by row under the header."""
    sheet = openpyxl.load_workbook(io.BytesIO(output.getvalue()))["项目清单"]
    for row_number, cells in enumerate(expected, 2):
        for column_number, want in enumerate(cells, 1):
            got = sheet.cell(row=row_number, column=column_number)
            where = f"{got.coordinate} ({columns[column_number - 1].key})"
            if want is None or want.value == "":  # no cell, or an empty text (read back as None)
                assert got.value is None, where
                continue
            value, read = want.value, got.value
            if isinstance(value, Decimal):
                value = float(value)  # what a reader gets back from the number in the file
            if isinstance(read, dt.datetime):
                read = read.date()  # a date cell reads back as midnight
            assert (read, got.data_type, got.number_format, bool(got.alignment.wrap_text), got.quotePrefix) == \
                   (value, want.data_type, want.number_format, bool(want.alignment.wrap_text), want.quotePrefix), where


@pytest.mark.parametrize("sort", sorted(SORTS))
def test_csv_keeps_the_list_order_across_partitions(db, sort):
    """Read 3 rows at a time (on PostgreSQL, the next 3 by a thread while these are written),
    with ties and unknown values at the partition edges."""
    region = factories.region()
    for index in range(11):
        factories.project(region, name=f"项目{index % 4}",
                          total_investment=Decimal(index % 3) if index % 5 else None,
                          beds=index % 2 or None, status=[Status.CONSTRUCTION, None][index % 2],
                          category=[Category.CDC, Category.OTHER][index % 3 == 0])
    db.session.commit()
    for order in ("asc", "desc"):
        portfolio_filter = PortfolioFilter(sort=sort, order=order)
        ids = [int(row[0]) for row in csv_rows(portfolio_filter, batch=3)[1:]]
        assert ids == [project.id for project in listed(portfolio_filter)], (sort, order)


def test_an_abandoned_download_leaves_no_thread_or_cursor_behind(db):
    region = factories.region()
    for index in range(9):
        factories.project(region, name=f"项目{index}")
    db.session.commit()
    chunks = csv_chunks(PortfolioFilter(), batch=2)
    next(chunks), next(chunks)  # the header, then two projects: the client goes away
    chunks.close()
    assert not [thread for thread in threading.enumerate() if thread.name == "export-read-ahead"]
    # The session goes on: the next query (in the same transaction) is answered.
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 9


# --- the SQL statements of an export do not grow with its rows ------------------------------------

EXPORTS = ("/projects/export.csv?kind=all", "/projects/export.xlsx?kind=all",
           "/projects/export.csv?region={city}&sort=investment&order=desc",
           "/projects/export.xlsx?region={city}&sort=plan",
           "/projects/export.json?kind=all", "/projects/export.oc4ids.json?kind=all",
           # 月报汇总: the month's reports joined in the one SELECT, not read project by project.
           "/projects/export-reports.csv?kind=all&month=2026-10", "/projects/export-reports.xlsx?region={city}")


def statements_at(db, client, size: int) -> dict[str, int]:
    savepoint = db.session.begin_nested()
    try:
        generate(db.session.connection(), projects=size, seed=5, report_month=dt.date(2026, 10, 1))
        db.session.expire_all()
        first = db.session.scalars(sa.select(Project).order_by(Project.id)).first()
        city = first.region if first.region.level.value == "city" else first.region.parent
        return {url: statements_for(db, client, url.format(city=city.key)) for url in EXPORTS}
    finally:
        savepoint.rollback()


def test_no_export_runs_more_statements_for_more_rows(db, client, monkeypatch):
    """10 projects against 60; the csv and xlsx read 7 rows at a time, so 60 take 9 reads (a
    read of a server-side cursor is a FETCH, not a statement)."""
    monkeypatch.setattr(exports, "BATCH", 7)
    small = statements_at(db, client, 10)
    large = statements_at(db, client, 60)
    assert large == small


@pytest.mark.parametrize("include_money", [True, False])
def test_the_csv_is_byte_for_byte_what_csv_writer_makes_of_each_columns_text(app, db, varied, include_money):
    """Today's bytes, on either database: so PostgreSQL and SQLite write the same file. With a
    full-width formula sign, a carriage return and quotes inside a text."""
    factories.project(varied[0].region, name="竖排制表", location="＝1+1",
                      owner_unit='某"引号"单位', supervising_department="\r=2")
    db.session.commit()
    portfolio_filter = PortfolioFilter(kind="all")
    columns = export_columns(include_money)
    with app.test_request_context():
        data = b"".join(csv_chunks(portfolio_filter, include_money=include_money, batch=2))
        expected = "".join(excel_line([text_value(column, column.get(project)) for column in columns])
                           for project in listed(portfolio_filter))
    header = excel_line([column.label for column in columns])
    assert data == b"\xef\xbb\xbf" + (header + expected).encode("utf-8")
    text = data.decode("utf-8-sig")
    assert ",'＝1+1," in text and ',"某""引号""单位",' in text and ',"\'\r=2",' in text


def test_the_xlsx_list_prints_on_a4_landscape_with_its_styled_header_on_every_page(app, db, varied):
    output = io.BytesIO()
    with app.test_request_context():
        count = write_xlsx(output, PortfolioFilter(kind="all"))
    book = openpyxl.load_workbook(io.BytesIO(output.getvalue()))
    sheet = book["项目清单"]
    assert sheet.print_title_rows.replace("$", "") == "1:1"
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    # Absent attributes take the defaults of the file format: fitToWidth 1, fitToHeight 1.
    assert int(sheet.page_setup.fitToWidth or 1) == 1 and sheet.page_setup.fitToHeight is not None
    assert int(sheet.page_setup.fitToHeight) == 0  # as many pages down as the rows take
    widths = {index: dimension.width for dimension in sheet.column_dimensions.values()
              for index in range(dimension.min, dimension.max + 1)}  # a range may hold several
    for index, column in enumerate(export_columns(), 1):
        header = sheet.cell(row=1, column=index)
        assert header.font.bold and header.alignment.wrap_text and header.alignment.horizontal == "center"
        assert header.fill.fill_type == "solid" and header.fill.fgColor.rgb.endswith("DDE6F0")
        assert widths[index] == pytest.approx(column.width, abs=1), column.key
    totals = [cell for cell in sheet[count + 2] if cell.value is not None]
    assert totals[0].value == "合计" and all(cell.font.bold for cell in totals)
    about = book["导出说明"]
    assert about.column_dimensions["A"].width == pytest.approx(24, abs=1)
    assert about["A1"].font.bold and about["A1"].value == "项目清单导出"
    notes = [row[1] for row in about.iter_rows() if row[0].value is None and row[1].value]
    assert len(notes) == 5 and all(cell.alignment.wrap_text for cell in notes)


# --- hostile cells: the same bytes from PostgreSQL's COPY and from csv.writer on SQLite ---------

@pytest.fixture()
def hostile(db):
    """Texts stored past the input's cleaning (as an older release or a direct edit left them):
    formulas and the signs that start one (ASCII and full-width, after a control character that
    is taken out), quotes, commas, line feeds and carriage returns, vertical tabs, U+FFFF, an
    empty text beside an unknown one; the largest and negative amounts; a region and plans whose
    names start a formula."""
    province = factories.region("990000", '=恶意"省",逗号', level="province")
    county = factories.region("=990001", "＠县\x0b名", province)
    plans = [Plan(key=key, title=title, region_id=province.id) for key, title in
             (("h-2", '规划"乙",含逗号'), ("h-1", "+规划甲\n第二行"), ("h-3", "普通规划"))]
    db.session.add_all(plans)
    db.session.flush()
    texts = [
        dict(name="=1+1", owner_unit="@SUM(A1)", location="+1", supervising_department="-1",
             scope='他说"好",然后\n换行', project_code="'=已加引号"),
        dict(name="\x01=HYPERLINK(\"x\")", owner_unit="\x0b竖排\x0c换页", location="末尾\uffff字",
             supervising_department="", scope="\r\n回车换行", project_code="\r=2"),
        dict(name="中文，逗号, comma", owner_unit=None, location="＝全角", supervising_department="＋全角",
             scope="\t制表", project_code="－全角"),
        dict(name="＠全角", owner_unit=" 前后空格 ", location='"', supervising_department=",",
             scope="\\.", project_code="\x7f删除符"),
    ]
    amounts = [Decimal("99999999999999.9999"), Decimal("-12345.5"), Decimal("-0.0001"), Decimal("0")]
    made = []
    for index, (text, amount) in enumerate(zip(texts, amounts)):
        project = factories.project(county if index % 2 else province, name=f"敌意{index}",
                                    kind=Kind.EQUIPMENT)
        project.plans = plans[: index + 1]
        made.append(project)
        db.session.flush()
        db.session.execute(sa.update(Project).where(Project.id == project.id).values(
            total_investment=amount, invested_to_date=-amount, current_estimate=amount,
            floor_area_m2=Decimal("-0.5") if index else None, beds=-index or None, **text))
    db.session.commit()
    db.session.expire_all()
    return made


@pytest.mark.parametrize("include_money", [True, False])
def test_hostile_cells_are_written_byte_for_byte_on_either_database(app, db, hostile, include_money):
    """PostgreSQL's COPY and SQLite's csv.writer: each cell is ``text_value`` of the project's
    value, each line as the excel dialect quotes it, ended by "\\n"."""
    portfolio_filter = PortfolioFilter(kind="all", sort="name")
    columns = export_columns(include_money)
    with app.test_request_context():
        data = b"".join(csv_chunks(portfolio_filter, include_money=include_money, batch=3))
        projects = listed(portfolio_filter)
        expected = "".join(excel_line([text_value(column, column.get(project)) for column in columns])
                           for project in projects)
    assert len(projects) == 4
    assert data == b"\xef\xbb\xbf" + (excel_line([c.label for c in columns]) + expected).encode("utf-8")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    keys = [column.key for column in columns]
    by_name = {row[1]: dict(zip(keys, row)) for row in rows[1:]}
    first, second = by_name["'=1+1"], by_name["'=HYPERLINK(\"x\")"]
    assert first["region_name"] == "'=恶意\"省\",逗号" and second["region_name"] == "'=恶意\"省\",逗号＠县\n名"
    assert second["region"] == "'=990001" and second["project_code"] == "'\r=2"
    assert second["supervising_department"] == "" and second["owner_unit"] == "\n竖排\n换页"
    assert first["plans"] == '规划"乙",含逗号' and second["plans"] == "'+规划甲\n第二行；规划\"乙\",含逗号"
    assert by_name["中文，逗号, comma"]["location"] == "'＝全角" and by_name["'＠全角"]["scope"] == "\\."
    if include_money:
        assert first["total_investment"] == "99999999999999.9999" and second["total_investment"] == "-12345.5"
        assert second["invested_to_date"] == "12345.5" and second["floor_area_m2"] == "-0.5"


@pytest.mark.parametrize("include_money", [True, False])
def test_any_amount_and_date_is_the_xlsx_cell_value_cell_makes_on_either_database(app, db, varied, include_money):
    """The xlsx reads amounts as scaled integers and dates as Excel's day numbers, counted by the
    database (``listing.excel_day``): a fraction, a negative amount, one with more digits than a
    double keeps, a day before Excel's epoch and the last day a date holds are still written as
    ``value_cell`` writes them."""
    values = [dict(total_investment=Decimal("99999999999999.9999"), invested_to_date=Decimal("-0.0001"),
                   current_estimate=Decimal("-12345.5"), floor_area_m2=Decimal("-0.5"),
                   planned_start=dt.date(1899, 12, 29), planned_end=dt.date(1900, 3, 1),
                   last_report_month=dt.date(2000, 2, 1)),
              dict(total_investment=Decimal("-99999999999999"), invested_to_date=Decimal("12345678901.2345"),
                   planned_start=dt.date(1, 1, 1), planned_end=dt.date(9999, 12, 31),
                   last_report_month=dt.date(1899, 12, 1)),
              dict(total_investment=Decimal("0.0001"), planned_start=dt.date(1900, 3, 1),
                   planned_end=dt.date(2000, 2, 29))]
    for project, changed in zip(varied, values):
        db.session.execute(sa.update(Project).where(Project.id == project.id).values(**changed))
    db.session.commit()
    db.session.expire_all()
    portfolio_filter = PortfolioFilter(kind="all", sort="name")
    columns = export_columns(include_money)
    output = io.BytesIO()
    with app.test_request_context():
        assert write_xlsx(output, portfolio_filter, include_money=include_money, batch=2) == 3
        reference = Workbook(write_only=True).create_sheet()
        expected = [[value_cell(reference, column, column.get(project)) for column in columns]
                    for project in listed(portfolio_filter)]
    assert_value_cells(output, columns, expected)
    sheet = openpyxl.load_workbook(io.BytesIO(output.getvalue()))["项目清单"]
    keys = [column.key for column in columns]
    by_name = {row[1]: dict(zip(keys, row)) for row in sheet.iter_rows(min_row=2, max_row=4, values_only=True)}
    exact = by_name["精确的项目"]
    assert exact["planned_start"] == dt.datetime(1899, 12, 29) and exact["planned_end"] == dt.datetime(1900, 3, 1)
    if include_money:  # more digits than a double keeps: a text; the others numbers
        assert exact["total_investment"] == "99999999999999.9999"
        assert (exact["invested_to_date"], exact["current_estimate"]) == (-0.0001, -12345.5)


def test_each_database_writes_the_csv_lines_itself(app, db, hostile, monkeypatch):
    """PostgreSQL through COPY, SQLite through one SELECT of whole lines (``csv_lines``)."""
    from tracker.exports import csv_ as csv_module
    used = []
    for name in ("copy_chunks", "line_chunks"):
        original = getattr(csv_module, name)
        monkeypatch.setattr(csv_module, name,
                            lambda *a, _name=name, _original=original, **k: used.append(_name) or _original(*a, **k))
    with app.test_request_context():
        chunks = csv_chunks(PortfolioFilter(kind="all"), batch=1)
        next(chunks), next(chunks)  # the header and the first line: the client goes away
        chunks.close()
    assert used == (["copy_chunks"] if db.engine.dialect.name == "postgresql" else ["line_chunks"])
    # The session goes on after an abandoned export: the next query is answered.
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 4


def test_the_csv_in_english_is_byte_for_byte_what_csv_writer_makes_of_each_columns_text(app, db, varied):
    """The headers, yes/no and the vocabularies' labels in the request's language."""
    portfolio_filter = PortfolioFilter(kind="all")
    columns = export_columns()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        data = b"".join(csv_chunks(portfolio_filter, batch=2))
        expected = "".join(excel_line([text_value(column, column.get(project)) for column in columns])
                           for project in listed(portfolio_filter))
        header = excel_line([column.label for column in columns])
    assert data == b"\xef\xbb\xbf" + (header + expected).encode("utf-8")
    text = data.decode("utf-8-sig")
    assert ",Yes," in text and ",No," in text and "是" not in text and "Under construction" in text


def test_a_code_no_vocabulary_has_is_written_as_stored(app, db, varied):
    """A code stored past the vocabulary (an older release's): its cell is the code, quoted as the
    csv needs, neither a label nor neutralised; an empty code is an empty cell."""
    ids = [project.id for project in varied]
    for project_id, status, category in ((ids[0], 'retired, "old"', "=gone"), (ids[1], "", "other")):
        db.session.execute(sa.text("UPDATE projects SET status = :status, category = :category WHERE id = :id"),
                           {"status": status, "category": category, "id": project_id})
    db.session.commit()
    with app.test_request_context():
        data = b"".join(csv_chunks(PortfolioFilter(kind="all"), batch=2)).decode("utf-8-sig")
    rows = {row[0]: dict(zip([column.key for column in export_columns()], row))
            for row in csv.reader(io.StringIO(data, newline=""))}
    first, second = rows[str(ids[0])], rows[str(ids[1])]
    assert (first["status"], first["category"]) == ('retired, "old"', "=gone")
    assert (second["status"], second["category"]) == ("", "其他")
    assert ',"retired, ""old""",' in data


def test_texts_only_sqlite_holds_are_written_as_python_writes_them(app, db):
    """SQLite stores what PostgreSQL refuses, a NUL (``printf`` would cut the text there), and the
    lines SQLite writes must still be ``text_value``'s: a NUL inside and before a formula's sign,
    a tab inside, U+FFFE, and a text of only what ``storable`` takes out."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's text holds no NUL")
    region = factories.region()
    texts = [dict(name="前\x00后", location="\x00=1+1", owner_unit="中\t间"),
             dict(name="\x00", location="\x01\x02", owner_unit="a\x00,b", scope="\x00\n"),
             dict(location="竖\x0b排"), dict(scope="末\ufffe尾"), dict(owner_unit="\x1f"),
             dict(scope="第一行\n第二行")]
    for text in texts:
        project = factories.project(region, name="待改")
        db.session.flush()
        db.session.execute(sa.update(Project).where(Project.id == project.id).values(**text))
    db.session.commit()
    db.session.expire_all()
    portfolio_filter = PortfolioFilter(kind="all")
    columns = export_columns()
    with app.test_request_context():
        data = b"".join(csv_chunks(portfolio_filter, batch=1))
        projects = listed(portfolio_filter)
        expected = "".join(excel_line([text_value(column, column.get(project)) for column in columns])
                           for project in projects)
    assert len(projects) == 6 and "\x00" in projects[0].name + projects[1].name
    assert data == b"\xef\xbb\xbf" + (excel_line([c.label for c in columns]) + expected).encode("utf-8")
    assert b"\x00" not in data and ",'=1+1," in data.decode("utf-8-sig")


def test_a_region_the_lines_do_not_know_still_has_its_key(app, db, varied, monkeypatch):
    """A region missing from the names read for the export (made since, on a database where the
    lines read newer rows): its key is read with the row and neutralised in Python, its full name
    is empty (as ``Listing`` writes a region it does not know)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the lines' lookups are SQLite's")
    from tracker.exports import csv_lines
    from tracker.exports.listing import region_names
    county = varied[0].region

    def without_county():
        keys, names = region_names()
        return ({i: key for i, key in keys.items() if i != county.id},
                {i: name for i, name in names.items() if i != county.id})
    monkeypatch.setattr(csv_lines, "region_names", without_county)
    db.session.execute(sa.update(Region).where(Region.id == county.id).values(key="=360783"))
    db.session.commit()
    with app.test_request_context():
        data = b"".join(csv_chunks(PortfolioFilter(kind="all"))).decode("utf-8-sig")
    rows = {row[0]: row for row in csv.reader(io.StringIO(data, newline=""))}
    assert rows[str(varied[0].id)][3:5] == ["'=360783", ""]
    assert rows[str(varied[1].id)][3:5] == [varied[1].region.key, "江西省赣州市"]
