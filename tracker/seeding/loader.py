"""Loads ``seed/*.yaml`` through the services, idempotently.

A project is keyed by its ``seed_key``. A later file may name a project an earlier file defined:
its mentions, aliases, milestones and plan are added to the same project. On a second run a
project is updated only when its seed record changed *and* nobody edited it in the tracker since
the last seed (no audit entry by another path); otherwise it is left alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from ..audit.messages import milestone_params
from ..audit.models import AuditEntry
from ..audit.services import SEED, record
from ..extensions import db
from ..plans.models import Plan, PlanIndicator
from ..progress.models import Milestone
from ..progress import upkeep  # noqa: F401  (keeps projects.next_milestone_due … at every flush)
from ..projects import services as project_services
from ..projects.fields import PROJECT_FIELDS
from ..projects.models import Project
from ..regions.models import Region, RegionFormerName
from ..vocabulary import Stage
from .provenance import load_seed_files

# The project fields a seed record states, by their seed names (the registry's seed_name).
SEEDED_FIELDS = tuple(field for field in PROJECT_FIELDS if field.seed_name)


@dataclass
class SeedReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_edited: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    regions: int = 0
    plans: int = 0
    indicators: int = 0
    loaded_regions: dict = field(default_factory=dict, repr=False)

    def lines(self) -> list[str]:
        out = [f"projects: {self.created} created, {self.updated} updated, "
               f"{self.unchanged} unchanged, {len(self.kept_edited)} kept as edited in the tracker",
               f"regions: {self.regions} new; plans: {self.plans} new; indicators: {self.indicators} new"]
        out += [f"  kept (edited since seeding): {key}" for key in self.kept_edited]
        out += [f"  merged into the project it is part of: {key}" for key in self.retired]
        return out


@dataclass
class SeedProject:
    """A project as all seed files together describe it."""

    key: str
    attributes: dict
    region_key: str
    aliases: list[str] = field(default_factory=list)
    plan_keys: list[str] = field(default_factory=list)
    # plans whose text reports the project as already built: cited, never linked (see README)
    built_before: list[str] = field(default_factory=list)
    sources: list[tuple[str, int, str, list[str]]] = field(default_factory=list)
    milestones: list[dict] = field(default_factory=list)

    def checksum(self) -> str:
        facts = [self.attributes, self.region_key]
        if self.built_before:  # only then: the other records keep the checksums they were seeded with
            facts.append(sorted(self.built_before))
        payload = json.dumps(facts, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def collect(seed_dir: Path):
    regions: dict[str, dict] = {}
    plans: list[dict] = []
    projects: dict[str, SeedProject] = {}
    for _path, data in load_seed_files(seed_dir):
        document = dict(data["document"])
        plans.append({"document": document, "indicators": data.get("indicators") or [],
                      "retired": data.get("retired") or []})
        for region in data.get("regions") or []:
            regions.setdefault(str(region["key"]), region)
        for item in data.get("projects") or []:
            seed = projects.get(item["key"])
            if seed is None:
                attributes = {}
                for seeded in SEEDED_FIELDS:
                    value = item.get(seeded.seed_name)
                    if seeded.kind == "bool":
                        value = bool(value)
                    elif seeded.kind == "date":
                        value = _date(value)
                    elif value is not None and seeded.kind == "decimal":
                        value = str(value).replace(",", "")
                    attributes[seeded.name] = value
                seed = projects[item["key"]] = SeedProject(item["key"], attributes, str(item["region"]))
            seed.aliases += [a for a in item.get("aliases") or [] if a not in seed.aliases]
            if item.get("built_before_plan"):
                if document["key"] not in seed.built_before:
                    seed.built_before.append(document["key"])
            elif document["key"] not in seed.plan_keys:
                seed.plan_keys.append(document["key"])
            for source in item.get("sources") or []:
                seed.sources.append((document["key"], source["line"], str(source["quote"]),
                                     list(source.get("fields") or [])))
            for milestone in item.get("milestones") or []:
                seed.milestones.append({**milestone, "file": document["file"]})
    return regions, plans, projects


def _ensure_region(key: str, regions: dict[str, dict], report: SeedReport) -> Region:
    loaded = report.loaded_regions
    if key in loaded:
        return loaded[key]
    region = db.session.scalar(sa.select(Region).where(Region.key == key))
    if region is not None:
        # `tracker regions load` may have created it from the national list, which has no former
        # names: the seed's (龙南县 360727 → 龙南市) are added to it.
        _add_former_names(region, (regions.get(key) or {}).get("former") or [])
        loaded[key] = region
        return region
    spec = regions[key]
    parent = _ensure_region(str(spec["parent"]), regions, report) if spec.get("parent") else None
    region = Region(key=key, code=spec.get("code"), name=spec["name"], level=spec["level"],
                    parent=parent, path=(parent.path if parent else "/") + key + "/")
    _add_former_names(region, spec.get("former") or [])
    db.session.add(region)
    db.session.flush()
    record(SEED, "region:create", region, {"name": region.name, "key": key})
    report.regions += 1
    loaded[key] = region
    return region


def _add_former_names(region: Region, formers: list[dict]) -> None:
    known = {(former.code, former.name) for former in region.former_names}
    for former in formers:
        if (former.get("code"), former["name"]) not in known:
            region.former_names.append(RegionFormerName(
                code=former.get("code"), name=former["name"], until_year=former.get("until")))


def _ensure_plan(spec: dict, region: Region, report: SeedReport) -> Plan:
    document = spec["document"]
    plan = db.session.scalar(sa.select(Plan).where(Plan.key == document["key"]))
    if plan is None:
        plan = Plan(key=document["key"], title=document["title"], issuer=document.get("issuer"),
                    doc_number=document.get("doc_number"),
                    issued_date=_date(document.get("issued_date")),
                    period_start=document.get("period_start"), period_end=document.get("period_end"),
                    region=region, source_file=document["file"],
                    sources=document.get("sources") or [])
        db.session.add(plan)
        db.session.flush()
        record(SEED, "plan:create", plan, {"title": plan.title})
        report.plans += 1
    existing = {indicator.key: indicator for indicator in plan.indicators}
    for position, item in enumerate(spec["indicators"]):
        if item["key"] in existing:
            _correct_baseline(existing[item["key"]], item)
            continue
        indicator = PlanIndicator(
            key=item["key"], position=position, section=item.get("section"), name=item["name"],
            unit=item.get("unit"), baseline=_text(item.get("baseline")),
            baseline_year=item.get("baseline_year"), target=_text(item.get("target")),
            target_year=item.get("target_year"), comparator=item.get("comparator"),
            nature=item.get("nature"), sources=item.get("sources") or [])
        plan.indicators.append(indicator)
        db.session.flush()
        record(SEED, "indicator:create", indicator, {"name": indicator.name})
        report.indicators += 1
    return plan


def _correct_baseline(indicator: PlanIndicator, item: dict) -> None:
    """A seed correction of a baseline (issue 16: "—" is unknown; the previous period's table
    gives one) reaches a database seeded before, unless the indicator was changed another way."""
    baseline, year = _text(item.get("baseline")), item.get("baseline_year")
    if (indicator.baseline, indicator.baseline_year) == (baseline, year):
        return
    if db.session.scalar(sa.select(sa.exists().where(
            AuditEntry.object_type == "PlanIndicator", AuditEntry.object_id == indicator.id,
            AuditEntry.via != SEED.via))):
        return
    changes = {"baseline": [indicator.baseline, baseline], "baseline_year": [indicator.baseline_year, year]}
    indicator.baseline, indicator.baseline_year = baseline, year
    indicator.sources = item.get("sources") or []
    db.session.flush()
    record(SEED, "indicator:update", indicator, {"name": indicator.name},
           changes=changes, reason="种子数据更新")


def _text(value) -> str | None:
    return None if value is None else str(value)


def _apply_project(seed: SeedProject, regions: dict, plans: dict[str, Plan],
                   report: SeedReport) -> None:
    region = _ensure_region(seed.region_key, regions, report)
    checksum = seed.checksum()
    project = db.session.scalar(sa.select(Project).where(Project.seed_key == seed.key))
    if project is None:
        project = project_services.create_project(SEED, region=region, seed_key=seed.key,
                                                  **seed.attributes)
        report.created += 1
    elif project.seed_checksum == checksum:
        report.unchanged += 1
    elif edited_in_tracker(project):
        report.kept_edited.append(seed.key)
        return
    else:
        project_services.update_project(
            SEED, project, {**seed.attributes, "region_id": region.id},
            expected_version=project.version, reason="种子数据更新")
        report.updated += 1
    for alias in seed.aliases:
        project_services.add_alias(SEED, project, alias)
    for plan_key in seed.plan_keys:
        project_services.link_plan(SEED, project, plans[plan_key])
    for plan_key in seed.built_before:
        if plan_key not in seed.plan_keys:  # an earlier seed linked it: the record was corrected
            project_services.unlink_plan(SEED, project, plans[plan_key],
                                         reason="规划所列为规划前已建成，不属该规划项目")
    for plan_key, line, quote, fields in seed.sources:
        project_services.add_source(SEED, project, plans[plan_key], line, quote, fields)
    for item in seed.milestones:
        _ensure_milestone(project, item)
    project.seed_checksum = checksum


def edited_in_tracker(project: Project) -> bool:
    """Someone changed the project by a path other than the seed: the seed must not overwrite it."""
    return db.session.scalar(sa.select(sa.exists().where(
        AuditEntry.project_id == project.id, AuditEntry.via != SEED.via))) or False


def _ensure_milestone(project: Project, item: dict) -> None:
    stage = Stage(item["stage"]) if item.get("stage") else None
    planned = _date(item.get("planned_date"))
    sources = [{"file": item["file"], **source} for source in item.get("sources") or []]
    for milestone in project.milestones:
        if milestone.stage == stage and milestone.custom_name == item.get("name"):
            if milestone.sources and sources[0] in milestone.sources:
                return
            if milestone.planned_date == planned:
                milestone.sources = milestone.sources + sources
                return
    milestone = Milestone(stage=stage, custom_name=item.get("name"), planned_date=planned,
                          note=item.get("note"), sources=sources,
                          position=stage.position if stage else 99)
    project.milestones.append(milestone)
    db.session.flush()
    record(SEED, "milestone:create", milestone, milestone_params(milestone),
           changes={"planned_date": [None, planned.isoformat() if planned else None]},
           project_id=project.id)


def load(seed_dir: Path) -> SeedReport:
    """Load every seed file; the caller commits (or rolls back) once."""
    report = SeedReport()
    regions, plan_specs, projects = collect(seed_dir)
    plans: dict[str, Plan] = {}
    for spec in plan_specs:
        region = _ensure_region(str(spec["document"]["region"]), regions, report)
        plans[spec["document"]["key"]] = _ensure_plan(spec, region, report)
    for seed in projects.values():
        _apply_project(seed, regions, plans, report)
    for spec in plan_specs:
        for item in spec["retired"]:
            _retire(item, report)
    # What the query planner knows of the tables: PostgreSQL's autovacuum keeps it, SQLite has
    # none until asked, and without it takes ``kind IN (…)`` (a column nearly every project
    # shares) for selective and sorts the whole portfolio instead of reading a sort's index
    # (tests/test_sort_indexes.py). A growing portfolio keeps the proportions measured here.
    db.session.execute(sa.text("ANALYZE"))
    return report


def _retire(item: dict, report: SeedReport) -> None:
    """A record an earlier seed loaded on its own is now part of another project (a double count):
    the duplicate goes, its names and citations stay on the project it is part of. Only while it
    holds nothing but the seed's own statements: edited in the tracker, it is kept and reported."""
    duplicate = db.session.scalar(sa.select(Project).where(Project.seed_key == item["key"]))
    if duplicate is None:
        return
    if edited_in_tracker(duplicate):
        report.kept_edited.append(item["key"])
        return
    target = db.session.execute(sa.select(Project).where(Project.seed_key == item["into"])).scalar_one()
    project_services.add_alias(SEED, target, duplicate.name)
    for alias in duplicate.aliases:
        project_services.add_alias(SEED, target, alias.name)
    for source in duplicate.sources:
        project_services.add_source(SEED, target, source.plan, source.line, source.quote,
                                    list(source.fields or []))
    record(SEED, "project:merge", target, {"name": duplicate.name},
           changes={"merged": [item["key"], None]}, reason=item.get("reason"), project_id=target.id)
    db.session.delete(duplicate)
    db.session.flush()
    report.retired.append(item["key"])
