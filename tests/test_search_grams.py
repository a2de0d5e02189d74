"""Two-character search (妇幼, 中医) through the bigram index (tracker/projects/search.py): it finds
what the LIKE finds, and the index is kept equal to the projects' search text after every kind of
write, so a read never scans the portfolio for a short term."""

from __future__ import annotations

import sqlalchemy as sa

from tracker.extensions import db
from tracker.projects import services
from tracker.projects.models import GRAM_FIGURES, GRAM_FLAGS, Project, search_grams
from tracker.regions.models import Region
from tracker.projects.search import grams, matches

from . import factories
from .test_demo_data import make as make_demo


def kept() -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for project_id, gram in db.session.execute(sa.select(search_grams.c.project_id, search_grams.c.gram)):
        found.setdefault(project_id, set()).add(gram)
    return found


def fresh() -> dict[int, set[str]]:
    rows = db.session.execute(sa.select(Project.id, Project.search_text)).all()
    return {row.id: grams(row.search_text) for row in rows if grams(row.search_text)}


def kept_rows() -> set[tuple]:
    """Every gram row with the figures it carries, as the table holds them."""
    db.session.flush()
    return {tuple(row) for row in db.session.execute(sa.select(search_grams))}


def fresh_rows() -> set[tuple]:
    """What the gram rows must be: each project's grams, each with its kind and summed figures."""
    copied = (*GRAM_FIGURES, *GRAM_FLAGS)
    projects = db.session.execute(sa.select(Project.id, Project.search_text, Project.kind,
                                            *(Project.__table__.c[name] for name in copied)))
    return {(gram, row.id, row.kind.value, *(row._mapping[name] for name in copied))
            for row in projects for gram in grams(row.search_text)}


def names(term: str) -> list[str]:
    return sorted(db.session.scalars(sa.select(Project.name).where(matches(term.lower()))))


def test_a_two_character_term_finds_names_aliases_and_codes_and_nothing_else(db):
    factories.project(name="龙南市妇幼保健院迁建项目")
    aliased = factories.project(name="县医院新院区")
    services.add_alias(factories.TEST_ACTOR, aliased, "县妇幼中心")
    factories.project(name="妇女儿童幼儿园")  # 妇 and 幼, never side by side
    factories.project(name="中医院", project_code="2021-360783-84-01-000013")
    assert names("妇幼") == ["县医院新院区", "龙南市妇幼保健院迁建项目"]
    assert names("0000") == ["中医院"]  # the 项目代码 is searched too
    assert names("妇") == sorted(["县医院新院区", "妇女儿童幼儿园", "龙南市妇幼保健院迁建项目"])  # the LIKE alone


def test_the_list_page_searches_through_the_index(client):
    factories.project(name="甲县中医院")
    factories.project(name="甲县人民医院")
    html = client.get("/projects?q=中医").get_data(as_text=True)
    assert "甲县中医院" in html and "甲县人民医院" not in html


def test_full_width_letters_and_digits_find_their_ascii_forms_and_back(client, db):
    """"Ｐ２" typed in an input method's full-width mode found nothing where the name says P2, and
    a name written Ｐ２ was not found by "p2": both ways now, on the list and in the trail; the
    full-width brackets of a Chinese name stay as written."""
    factories.project(name="某县Ｐ２实验室（二期）")
    factories.project(name="甲市CT中心")
    db.session.commit()
    for term, found in [("p2", "某县Ｐ２实验室（二期）"), ("Ｐ２", "某县Ｐ２实验室（二期）"),
                        ("ＣＴ", "甲市CT中心"), ("ｃｔ中心", "甲市CT中心"), ("（二期）", "某县Ｐ２实验室（二期）")]:
        html = client.get(f"/projects?q={term}").get_data(as_text=True)
        assert found in html, term
        assert client.get(f"/admin/audit?project={term}").get_data(as_text=True).count(found), term
    assert "某县Ｐ２实验室" not in client.get("/projects?q=(二期)").get_data(as_text=True)
    number = db.session.scalar(sa.select(Project.id).where(Project.name == "甲市CT中心"))
    wide = "".join(chr(ord(digit) + 0xFEE0) for digit in str(number))  # ２５４, as a number
    trail = client.get(f"/admin/audit?project={wide}").get_data(as_text=True)
    assert "甲市CT中心" in trail and "某县Ｐ２实验室" not in trail


def test_the_migration_makes_full_width_search_texts_ascii_with_their_grams(app):
    from flask_migrate import downgrade, upgrade

    from tracker.core.clock import utcnow
    with app.app_context():
        downgrade(revision="a6c2e8f4b9d3")
        try:
            with db.engine.begin() as connection:  # as the older code wrote it: lower-cased only
                regions, projects = Region.__table__, Project.__table__  # the schema is the models' here
                region_id = connection.execute(regions.insert().values(
                    key="fold", name="全角测试县", level="county", path="/fold/").returning(regions.c.id)).scalar()
                project_id = connection.execute(projects.insert().values(
                    name="某县Ｐ２实验室", region_id=region_id, kind="construction", category="other",
                    land_area_approx=False, floor_area_approx=False, total_investment_approx=False,
                    search_text="某县ｐ２实验室", version=1, created_at=utcnow(), updated_at=utcnow())
                    .returning(projects.c.id)).scalar()
                connection.execute(sa.insert(search_grams), [
                    {"project_id": project_id, "gram": gram, "kind": "construction"}
                    for gram in grams("某县ｐ２实验室")])
            upgrade()
            assert db.session.get(Project, project_id).search_text == "某县p2实验室"
            assert kept_rows() == fresh_rows()
            assert names("p2") == ["某县Ｐ２实验室"]
        finally:
            db.session.rollback()
            with db.engine.begin() as connection:
                connection.execute(sa.delete(Project).where(Project.name == "某县Ｐ２实验室"))
                connection.execute(sa.text("DELETE FROM regions WHERE key = 'fold'"))


def test_the_index_equals_the_search_text_after_every_kind_of_write(db):
    project = factories.project(name="乙市疾控中心")
    assert kept() == fresh()
    services.update_project(factories.TEST_ACTOR, project, {"name": "乙市疾病预防控制中心"})
    db.session.flush()
    assert kept() == fresh()
    assert "疾病" in kept()[project.id] and "疾控" not in kept()[project.id]
    services.add_alias(factories.TEST_ACTOR, project, "乙市疾控")
    db.session.flush()
    assert "疾控" in kept()[project.id] and kept() == fresh()
    project_id = project.id
    db.session.delete(project)
    db.session.flush()
    assert project_id not in kept() and kept() == fresh()


def test_demo_data_writes_the_index_as_the_flush_would(db):
    make_demo(db)
    assert kept() == fresh() and len(kept()) > 0
    assert kept_rows() == fresh_rows()


def test_the_figures_the_grams_carry_equal_their_projects_after_every_kind_of_write(db):
    """Each gram row carries its project's kind, the five summed figures and whether two are 约:
    equal to the project's after a create, an edit of the figures, a kind changed, a rename, a monthly report
    filed (累计完成投资), a budget revision, an alias and a deletion."""
    import datetime as dt
    from decimal import Decimal

    from tracker.progress import services as progress
    from tracker.vocabulary import Kind

    make_demo(db, projects=5)
    project = factories.project(name="丙县妇幼保健院", total_investment=Decimal("1200"), beds=80)
    other = factories.project(name="丙县中医院")
    assert kept_rows() == fresh_rows()
    services.update_project(factories.TEST_ACTOR, project, {"total_investment": Decimal("1500.5"),
                                                             "floor_area_m2": Decimal("9000.25"),
                                                             "new_beds": 20})
    assert kept_rows() == fresh_rows()
    services.update_project(factories.TEST_ACTOR, other, {"kind": Kind.EQUIPMENT, "beds": 10})
    assert kept_rows() == fresh_rows()
    services.update_project(factories.TEST_ACTOR, other, {"total_investment": Decimal("800"),
                                                           "total_investment_approx": True})  # 约800
    assert kept_rows() == fresh_rows()
    services.update_project(factories.TEST_ACTOR, project, {"name": "丙县妇幼保健院二期", "beds": None})
    assert kept_rows() == fresh_rows()
    progress.submit_report(factories.TEST_ACTOR, project, dt.date(2025, 1, 1),
                           invested_month=Decimal("300"), invested_total=Decimal("700"))
    assert project.invested_to_date == Decimal("700") and kept_rows() == fresh_rows()
    progress.revise_budget(factories.TEST_ACTOR, project, new_amount=Decimal("1800"), reason="概算调整",
                           approval_number="赣发改〔2025〕1号", approval_date=dt.date(2025, 2, 1))
    assert kept_rows() == fresh_rows()
    services.add_alias(factories.TEST_ACTOR, other, "丙县中医医院")
    assert kept_rows() == fresh_rows()
    db.session.delete(project)
    assert kept_rows() == fresh_rows()


def test_a_two_character_searchs_totals_from_the_grams_equal_the_projects(db):
    """The totals of a two-character search (and a kind) read the grams' copied figures: equal to
    the sums over the matching projects themselves, for every kind filter."""
    from tracker.core import clock
    from tracker.portfolio import queries
    from tracker.portfolio.filters import PortfolioFilter

    make_demo(db, projects=60)
    varied_portfolio()
    for term in ("妇幼", "中医", "医院", "%完", "20", "zz"):
        for kind in (None, "all", "equipment"):
            searched = PortfolioFilter.from_args({"q": term, **({"kind": kind} if kind else {})})
            assert queries._grams_answer(searched)
            assert queries.totals(searched) == queries.with_approximate(
                queries._totals(searched, clock.today()), searched, clock.today()), (term, kind)
    assert queries.totals(PortfolioFilter.from_args({"q": "妇幼"})).projects > 0
    assert not queries._grams_answer(PortfolioFilter.from_args({"q": "妇幼保"}))
    assert not queries._grams_answer(PortfolioFilter.from_args({"q": "妇幼", "status": "construction"}))


# Names, aliases and codes of every shape a search meets: CJK, Latin of both cases, mixed, digits,
# the LIKE's own wildcards and its escape character, a repeated character, a one-character name.
VARIED = (
    ("龙南市妇幼保健院迁建项目", ["龙南妇幼"], "2021-360783-84-01-000013"),
    ("妇女儿童幼儿园", [], None),
    ("Ward B 中医楼 (PHASE II)", ["中医 Centre"], "2022-360702-84-01-00007X"),
    ("100%完成_二期", ["a_b%c/d"], None),
    ("医医医院", ["院"], None),
    ("中", [], "2023-110101-84-01-000001"),
)
TERMS = ("%", "_", "/", "%完", "_二", "a_", "_b", "%c", "c/", "/d", "b%", "%_", "__", "%%", "1", "00", "0%",
         "妇", "妇幼", "幼妇", "妇幼保", "妇幼保健院", "龙南妇幼", "中医", "中医楼", "医医", "医医医", "医院",
         "ward", "wa", "b ", " 中", "phase ii", "ii", "7x", "x", "-3", "2021-", "000013", "zz", "中 ")


def varied_portfolio() -> list[str]:
    for name, aliases, code in VARIED:
        project = factories.project(name=name, project_code=code)
        for alias in aliases:
            services.add_alias(factories.TEST_ACTOR, project, alias)
    db.session.flush()
    return [name for name, _, _ in VARIED]


def names_by_like(term: str) -> list[str]:
    """What a search means: the LIKE over the search text, read without any index."""
    return sorted(db.session.scalars(sa.select(Project.name).where(
        Project.search_text.contains(term, autoescape=True))))


def test_every_term_finds_exactly_what_the_like_finds(db):
    varied_portfolio()
    texts = db.session.scalars(sa.select(Project.search_text)).all()
    substrings = {text[i:i + length] for text in texts for length in (1, 2, 3, 4)
                  for i in range(len(text) - length + 1)}
    for term in sorted(set(TERMS) | substrings):
        if "\n" in term:
            continue  # a search term is one line (filters.py cleans it)
        assert names(term) == names_by_like(term), term
    assert names("妇幼") == ["龙南市妇幼保健院迁建项目"]
    assert names("%完") == ["100%完成_二期"] and names("__") == [] and names("%_") == []


def test_a_two_character_term_is_answered_by_its_gram_alone(db):
    """The bigram of a two-character term is the whole answer: no LIKE over the search text."""
    sql = str(sa.select(Project.id).where(matches("妇幼")).compile(db.session.connection()))
    assert "search_text" not in sql and "project_search_grams" in sql


def test_a_searchs_pages_found_by_walking_the_order_are_the_sorted_matches(db, monkeypatch):
    """The first and last pages of a two-character search are found by walking the list's order
    (queries._walked) when the matches are many: they equal the pages of the sorted matches, in
    every sort both ways, also where the matches bunch at one end of the order and the walk gives
    up (by name, every 妇幼 project sorts before every other, so the descending walk finds none)."""
    from tracker.core import clock
    from tracker.portfolio import queries
    from tracker.portfolio.filters import SORTS, PortfolioFilter

    _, city, county = factories.county_in_city()
    for number in range(45):
        factories.project(county if number % 3 else city, name=f"乙县{number:02d}妇幼保健院",
                          total_investment=number * 10 or None, beds=number % 7 or None)
    for number in range(25):
        factories.project(county, name=f"甲县{number:02d}人民医院", total_investment=number)
    db.session.flush()
    walks: list[bool] = []
    walked = queries._walked
    monkeypatch.setattr(queries, "_walked", lambda *a, **k: walks.append(
        (found := walked(*a, **k)) is not None) or found)
    for sort in SORTS:
        for order in ("asc", "desc"):
            searched = PortfolioFilter.from_args({"q": "妇幼", "sort": sort, "order": order})
            everything = db.session.execute(queries._keys(searched, clock.today())
                                            .order_by(*searched.order_by())).all()
            ids = [row.id for row in everything]
            assert len(ids) == 45
            for page in (1, 2, 9):
                shown = queries.project_page(searched, page, 5, len(ids))
                assert [project.id for project in shown.items] == ids[(page - 1) * 5:page * 5], \
                    (sort, order, page)
    assert any(walks) and not all(walks)  # walked where it paid, sorted where it did not


def test_a_two_character_searchs_totals_and_their_approximations_are_one_statement(db):
    """The 约 count of a two-character search was a second statement over the projects holding
    the gram: 14 of the list's 34 ms of SQL on PostgreSQL at 100,000 projects. The grams carry
    the flags, and one range of their index gives the totals and the count."""
    from tracker.core import clock
    from tracker.portfolio import cache, queries
    from tracker.portfolio.filters import PortfolioFilter

    make_demo(db, projects=60)
    searched = PortfolioFilter.from_args({"q": "医院", "kind": "all"})
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)
    cache.clear()
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        found = queries.totals(searched)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    selects = [statement for statement in statements if statement.lstrip().upper().startswith("SELECT")
               and "portfolio_changes" not in statement]  # the cache's stamp, read once per request
    assert len(selects) == 1 and "project_search_grams" in selects[0], selects
    assert (found.approx_investment, found.approx_floor_area) == queries.approximate(searched, clock.today())
    assert found.approx_investment + found.approx_floor_area > 0
