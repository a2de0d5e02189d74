"""Free-text search through an index of character bigrams, kept at every flush.

A person looking for 妇幼 or 中医 types two characters. PostgreSQL's trigram index cannot answer
a two-character LIKE '%…%' and SQLite cannot index one at all, so such a search read every
project (benchmarks/NOTES.md). ``project_search_grams`` holds, for each project, every pair of
adjacent characters of its ``search_text`` (name, aliases, 项目代码; lower-cased, each on its own
line, so no pair spans two names). A term of exactly two characters is one bigram, and the
grams are made from exactly the text the LIKE reads (same lower-casing, same lines), so the
projects holding it are the answer itself: no LIKE is checked. A longer term first takes the
projects holding all of its bigrams from the index, then checks the LIKE on those few: the LIKE
stays the one definition of a match (tests/test_search_grams.py holds every term's answer equal
to it). On PostgreSQL a term of three characters or more is left to the trigram index, which
answers it better.

The grams are kept by a session event, like the figures of ``progress/upkeep.py``, so every ORM
write keeps them (create, rename, alias, import, seed, delete); bulk Core writers (the demo
generator) call ``gram_rows`` themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..extensions import db
from .models import Project, search_grams

# A search of one character cannot be narrowed by bigrams: it reads the LIKE alone.
SHORTEST = 2


def grams(text: str) -> set[str]:
    """Every pair of adjacent characters of each line of ``text`` (already lower-cased)."""
    found: set[str] = set()
    for line in text.split("\n"):
        found.update(line[i:i + 2] for i in range(len(line) - 1))
    return found


def gram_rows(project_id: int, search_text: str) -> Iterator[dict]:
    """The index's rows for one project, for bulk writers."""
    for gram in sorted(grams(search_text)):
        yield {"project_id": project_id, "gram": gram}


def holders(term: str) -> sa.Select[tuple[int]] | None:
    """The ids of the projects whose search text contains ``term`` (lower-cased), from the index
    alone, when the index alone answers it: a term of exactly two characters, one bigram. The
    grams are the pairs of exactly the text the LIKE reads (same lower-casing, same lines), so a
    project holds the term's gram if and only if its search text contains the term."""
    if len(term) != SHORTEST or "\n" in term:
        return None
    return sa.select(search_grams.c.project_id).where(search_grams.c.gram == term)


def matches(term: str) -> sa.ColumnElement[bool]:
    """The projects whose search text contains ``term`` (lower-cased): the LIKE, narrowed by the
    bigram index when the term has two characters or more, or the index alone (``holders``)."""
    exact = holders(term)
    if exact is not None:
        return Project.id.in_(exact)
    like = Project.search_text.contains(term, autoescape=True)
    wanted = sorted(grams(term))
    if len(term) < SHORTEST or not wanted:
        return like
    if db.session.get_bind().dialect.name == "postgresql":
        return like  # the trigram index (ix_projects_search_text_trgm) answers three and more
    candidates = (sa.select(search_grams.c.project_id)
                  .where(search_grams.c.gram.in_(wanted))
                  .group_by(search_grams.c.project_id)
                  .having(sa.func.count() == len(wanted)))
    return sa.and_(Project.id.in_(candidates), like)


def _changed(session: Session) -> Iterable[Project]:
    for project in session.new:
        if isinstance(project, Project):
            yield project
    for project in session.dirty:
        if isinstance(project, Project) and sa.inspect(project).attrs.search_text.history.has_changes():
            yield project


@sa.event.listens_for(Session, "after_flush")
def _keep_grams(session: Session, _context) -> None:
    changed = {project.id: project.search_text or "" for project in _changed(session)}
    gone = [obj.id for obj in session.deleted if isinstance(obj, Project)]
    if not changed and not gone:
        return
    connection = session.connection()
    stale = [*changed, *gone]
    connection.execute(search_grams.delete().where(search_grams.c.project_id.in_(stale)))
    rows = [row for project_id, text in changed.items() for row in gram_rows(project_id, text)]
    if rows:
        connection.execute(search_grams.insert(), rows)
