"""What the extractor is given to recognise: the regions and the projects the tracker knows."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db


def known_regions() -> list[tuple[str, str, list[str]]]:
    """(code, name, former names) of every region the tracker knows."""
    from ..regions.models import Region, RegionFormerName

    former: dict[int, list[str]] = {}
    for region_id, name in db.session.execute(sa.select(RegionFormerName.region_id, RegionFormerName.name)):
        former.setdefault(region_id, []).append(name)
    return [(code or key, name, former.get(region_id, []))
            for region_id, key, code, name in db.session.execute(
                sa.select(Region.id, Region.key, Region.code, Region.name))]


def known_projects(regions=None) -> list[tuple[int, str, list[str], str]]:
    """(id, name, aliases, region code) of every project already tracked; of those in ``regions``
    (a select of region ids) when given."""
    from ..projects.models import Project, ProjectAlias
    from ..regions.models import Region

    within = [Project.region_id.in_(regions)] if regions is not None else []
    aliases: dict[int, list[str]] = {}
    for project_id, name in db.session.execute(sa.select(ProjectAlias.project_id, ProjectAlias.name).where(
            *([ProjectAlias.project_id.in_(sa.select(Project.id).where(*within))] if within else []))):
        aliases.setdefault(project_id, []).append(name)
    return [(project_id, name, aliases.get(project_id, []), code or key)
            for project_id, name, code, key in db.session.execute(
                sa.select(Project.id, Project.name, Region.code, Region.key).join(Region, Project.region).where(*within))]
