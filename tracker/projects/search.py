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

Each gram row also copies its project's kind and the figures the list's totals sum
(``GRAM_COPIED``), so the totals of a two-character search are one range of the index
(portfolio/queries.py). The grams are kept by a session event, like the figures of
``progress/upkeep.py``, so every ORM write keeps them (create, rename, alias, import, seed, a
report filed, delete): the grams are written anew when the search text changes, their copied
figures updated when only those change. Bulk Core writers (the demo generator) call
``gram_rows`` themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..extensions import db
from .models import GRAM_COPIED, Project, search_grams

# A search of one character cannot be narrowed by bigrams: it reads the LIKE alone.
SHORTEST = 2
# Full-width letters and digits (Ｐ２, ＣＴ: what an input method types in its full-width mode,
# and how some documents write them) are searched as their ASCII forms, so that a name written
# either way is found by a search typed either way. Only letters and digits: the full-width
# brackets and punctuation of Chinese names (（二期）) are written one way and stay as written.
_HALF_WIDTH = {code: code - 0xFEE0 for first, last in (("０", "９"), ("Ａ", "Ｚ"), ("ａ", "ｚ"))
               for code in range(ord(first), ord(last) + 1)}


def searchable(text: str) -> str:
    """A text as search compares it: full-width letters and digits made ASCII, lower-cased.
    The projects' ``search_text`` and every search term are made by it."""
    return text.translate(_HALF_WIDTH).lower()


def grams(text: str) -> set[str]:
    """Every pair of adjacent characters of each line of ``text`` (already lower-cased)."""
    found: set[str] = set()
    for line in text.split("\n"):
        found.update(line[i:i + 2] for i in range(len(line) - 1))
    return found


def copied(project: Project | Mapping[str, Any]) -> dict[str, Any]:
    """What each of a project's gram rows copies from it (GRAM_COPIED): its kind's code and the
    figures the list's totals sum. ``project`` is a Project or a row of the projects table."""
    values = {name: (project[name] if isinstance(project, Mapping) else getattr(project, name))
              for name in GRAM_COPIED}
    values["kind"] = getattr(values["kind"], "value", values["kind"])
    return values


def gram_rows(project_id: int, search_text: str, figures: Mapping[str, Any]) -> Iterator[dict]:
    """The index's rows for one project, for bulk writers; ``figures`` as ``copied`` gives them."""
    for gram in sorted(grams(search_text)):
        yield {"project_id": project_id, "gram": gram, **figures}


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


def _changed(session: Session) -> tuple[list[Project], list[Project]]:
    """The projects whose grams are to be written anew (new, or their search text changed), and
    those whose grams keep their text but not their copied figures."""
    rewritten, refigured = [], []
    for project in session.new:
        if isinstance(project, Project):
            rewritten.append(project)
    for project in session.dirty:
        if not isinstance(project, Project):
            continue
        attributes = sa.inspect(project).attrs
        if attributes.search_text.history.has_changes():
            rewritten.append(project)
        elif any(attributes[name].history.has_changes() for name in GRAM_COPIED):
            refigured.append(project)
    return rewritten, refigured


@sa.event.listens_for(Session, "after_flush")
def _keep_grams(session: Session, _context) -> None:
    rewritten, refigured = _changed(session)
    gone = [obj.id for obj in session.deleted if isinstance(obj, Project)]
    if not rewritten and not refigured and not gone:
        return
    connection = session.connection()
    stale = [*(project.id for project in rewritten), *gone]
    if stale:
        connection.execute(search_grams.delete().where(search_grams.c.project_id.in_(stale)))
    rows = [row for project in rewritten
            for row in gram_rows(project.id, project.search_text or "", copied(project))]
    if rows:
        connection.execute(search_grams.insert(), rows)
    for project in refigured:
        connection.execute(search_grams.update().where(search_grams.c.project_id == project.id)
                           .values(copied(project)))
