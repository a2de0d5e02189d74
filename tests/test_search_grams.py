"""Two-character search (妇幼, 中医) through the bigram index (tracker/projects/search.py): it finds
what the LIKE finds, and the index is kept equal to the projects' search text after every kind of
write, so a read never scans the portfolio for a short term."""

from __future__ import annotations

import sqlalchemy as sa

from tracker.extensions import db
from tracker.projects import services
from tracker.projects.models import Project, search_grams
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
