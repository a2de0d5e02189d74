"""Another officer's save in the same instant as ours, made deterministic for a test."""

from __future__ import annotations

import sqlalchemy as sa

from tracker.extensions import db as _db
from tracker.projects.models import Project


class SomeoneSavesTheProjectMeanwhile:
    """In the same instant as our save, another officer saves the project: its version moves
    under our UPDATE … WHERE version = loaded (on PostgreSQL the row waits for his commit)."""

    def __init__(self, project: Project):
        self.project_id, self.session, self.saved = project.id, _db.session(), False

    def __call__(self, session, flush_context, instances):
        if not self.saved and any(isinstance(obj, Project) for obj in session.dirty):
            self.saved = True
            session.connection().execute(sa.update(Project).where(Project.id == self.project_id)
                                         .values(version=Project.version + 1))

    def __enter__(self):
        sa.event.listen(self.session, "before_flush", self)
        return self

    def __exit__(self, *exc_info):
        sa.event.remove(self.session, "before_flush", self)
