"""Plans as the users' own data: adding a plan with its text, and deciding its candidates.

Services take an actor, flush and audit; they never commit (the caller owns the transaction).
Nothing enters the portfolio until a person accepts or merges a candidate, and every figure so
accepted rests on a quote of its line (``provenance_problems``, the seed's rule).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext, pgettext

from ..audit.models import AuditEntry
from ..audit.queries import require_version
from ..audit.services import Actor, json_value, record
from ..core import clock
from ..core.clock import utcnow
from ..core.translation import aside
from ..core.values import clean_text
from ..errors import FieldErrors, ValidationFailed, saved_or_stale
from ..extensions import db
from ..projects.fields import PROJECT, PROJECT_FIELDS
from ..regions.lookup import find_regions
from ..regions.models import Region
from ..vocabulary import UNKNOWN, CandidateDecision, IndicatorNature, Kind
from .candidates import APPROXIMATE, cite_typed
from .indicators import split_value
from .prose import MARKUP
from ..projects.models import Project, project_plans
from ..projects.terms import BUILDING_KINDS
from .models import (MAX_LINE_CHARACTERS, MAX_LINES, MAX_TEXT_CHARACTERS, Plan, PlanCandidate, PlanDocument, PlanIndicator,
                     PlanIndicatorActual)


# The Five-Year periods by name; a period is stored as its first and last year.
PERIOD_NAMES = {"十四五": (2021, 2025), "十五五": (2026, 2030), "十三五": (2016, 2020)}
# The years a plan's period, an indicator's base or target year and an actual value may name.
PLAN_YEARS = range(1949, 2101)
PLAN_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
# The candidate figures a person may correct before accepting, by seed name (a candidate is a
# seed record), and the project field each fills: the registry's numbers.
FIGURE_FIELDS = {field.seed_name: field.name for field in PROJECT_FIELDS if field.numeric and field.seed_name}
WHOLE_FIELDS = {field.seed_name for field in PROJECT_FIELDS if field.kind == "int" and field.seed_name}
FIELD_LABELS = {field.seed_name: field.label for field in PROJECT_FIELDS if field.seed_name in FIGURE_FIELDS}
# What a candidate's quote was read for, as the review page names it beside the quote, in the
# order of the page's fields: by the seed names a candidate's data uses (it is a seed record). The
# words without the units the figures' own inputs carry: "（项目名称，总投资）".
SOURCE_LABELS = {
    "name": _l("项目名称"), "build_nature": _l("建设性质"), "location": _l("建设地点"),
    "land_area_mu": _l("占地面积"), "floor_area_m2": _l("建筑面积"), "beds": _l("床位"), "new_beds": _l("新增床位"),
    "total_investment_wan_yuan": _l("总投资"), "start_year": _l("开工年份"), "end_year": _l("竣工年份"),
    "scope": _l("建设规模及内容"), "status": _l("状态"), "aliases": _l("其他写法")}


def parse_period(value: str | None, *, one_year: bool = False) -> tuple[int, int]:
    """(2026, 2030) from "2026-2030", "2026—2030" or "十五五". A plan's period may be ``one_year``:
    (2027, 2027) from "2027" (a year's 工作要点 or 计划: "2027" was refused as no period, and
    nothing else could be typed); the list's period filter keeps to periods (a year there is no
    period of plans, ?period=2027 a 400)."""
    text = (value or "").strip()
    if text in PERIOD_NAMES:
        return PERIOD_NAMES[text]
    match = (re.fullmatch(r"(\d{4})\s*[-—–~至到]\s*(\d{4})", text)
             or (re.fullmatch(r"(\d{4})()", text) if one_year else None))
    if not match:
        raise ValidationFailed(_("规划期应写作“2026-2030”、“十五五”，或一年的工作要点写“2027”"), "period")
    start = int(match.group(1))
    end = int(match.group(2) or start)
    if start not in PLAN_YEARS or end not in PLAN_YEARS or start > end or end - start > 20:
        raise ValidationFailed(_("规划期的起止年份无效：%(value)s", value=text), "period")
    return start, end


def period_in_title(title: str) -> str | None:
    """The years a title prints, as a period: "（2026—2030年）", or the one year of a year's
    工作要点 ("2027年宜丰县卫生健康工作要点"); None when it prints none, or several."""
    spans = {f"{first}-{last}" for first, last in re.findall(r"(\d{4})\s*年?\s*[-—–~至到]\s*(\d{4})\s*年", title)}
    years = set(re.findall(r"(?<![\d\-—–~至到])(\d{4})\s*年(?!\s*[-—–~至到])", title))
    if len(spans) == 1 and not years:
        return spans.pop()
    if len(years) == 1 and not spans:
        return years.pop()
    return None


def period_name(start: int | None, end: int | None) -> str | None:
    for name, years in PERIOD_NAMES.items():
        if years == (start, end):
            return name
    return None


# The periods' names as a reader reads them (the names above are what plans print and users type).
PERIOD_LABELS = {"十四五": _l("十四五"), "十五五": _l("十五五"), "十三五": _l("十三五")}


def period_label(start: int | None, end: int | None) -> str | None:
    name = period_name(start, end)
    return str(PERIOD_LABELS[name]) if name else None


def find_region(code: str | None) -> Region | None:
    """A region by its 行政区划代码 (any current code) or by the tracker's key."""
    code = (code or "").strip()
    if not code:
        return None
    return (db.session.scalar(sa.select(Region).where(Region.code == code))
            or db.session.scalar(sa.select(Region).where(Region.key == code)))


def region_named(text: str | None) -> Region:
    """The region a person names for a plan: its code (or key), or its name when one region alone
    goes by it ("临夏县"); otherwise a clear error, with the candidates' codes when there are several."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("请填写规划所属的行政区划：6位代码或名称"), "region")
    region = find_region(text)
    if region is not None:
        return region
    found = find_regions(text)
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValidationFailed(_("没有找到行政区划“%(text)s”：请填写6位行政区划代码或完整名称", text=text), "region")
    # "北京市朝阳区（110105）、…" in Chinese, "北京市朝阳区 (110105), …" in English.
    listed = pgettext("列举的分隔号", "、").join(f"{region.full_name}{aside(region.code or region.key)}"
                                           for region in found[:6])
    raise ValidationFailed(ngettext("“%(text)s”可指%(n)s个行政区划：%(listed)s。请填写其中一个的代码",
                                    "“%(text)s”可指%(n)s个行政区划：%(listed)s。请填写其中一个的代码",
                                    len(found), text=text, n=len(found), listed=listed), "region")


@dataclass(frozen=True)
class PlanFacts:
    """What a person states about a plan besides its text, checked (``check_plan``)."""

    key: str
    title: str
    region: Region
    start: int
    end: int
    issuer: str | None = None
    doc_number: str | None = None
    issued_date: dt.date | None = None


def check_plan(*, key: str | None, title: str | None, region: Region | str | None, period: str | None,
               issuer: str | None = None, doc_number: str | None = None,
               issued_date: dt.date | None = None, editing: Plan | None = None) -> PlanFacts:
    """The plan's facts, or every problem with them at once (ValidationFailed). The region may be
    named (``region_named``); a blank key is made from the region's code and the period
    ("622921-2026-2030"), the next free one when that is taken."""
    errors = FieldErrors()
    key = (key or "").strip().lower()
    if key and not PLAN_KEY.fullmatch(key):
        errors.add("key", _("编号只能使用小写字母、数字、“-”和“_”，不超过64个字符，例如 longnan-15th"))
    elif key == UNKNOWN:  # the list's filter for the projects of no plan (plan=unknown)
        errors.add("key", _("编号 %(key)s 留作“未关联规划”的筛选条件，请换一个", key=key))
    elif key and db.session.scalar(sa.select(Plan.id).where(Plan.key == key, Plan.id != (editing.id if editing else -1))) is not None:
        errors.add("key", _("编号 %(key)s 已被另一个规划使用", key=key))
    title = (title or "").strip()
    if not title:
        errors.add("title", _("请填写规划名称"))
    elif len(title) > 200:
        errors.add("title", _("规划名称不能超过200个字"))
    if not isinstance(region, Region):
        try:
            region = region_named(region)
        except ValidationFailed as failure:
            errors.merge(failure)
            region = None
    # The period the title names ("临夏县“十五五”…规划"): the period when none is given, and a
    # check on the one given (a 十五五 plan entered as 2021-2025 is a slip of the keyboard).
    named = [name for name in PERIOD_NAMES if name in title]
    if not (period or "").strip() and len(named) == 1:
        period = named[0]
    elif not (period or "").strip() and not named:
        period = period_in_title(title) or period
    try:
        start, end = parse_period(period, one_year=True)
    except ValidationFailed as failure:
        errors.merge(failure)
        start = end = 0  # never stored: the errors are raised below
    else:
        if len(named) == 1 and PERIOD_NAMES[named[0]] != (start, end):
            first, last = PERIOD_NAMES[named[0]]
            errors.add("period", _("规划名称写的是“%(name)s”（%(first)s—%(last)s），与所填规划期 %(start)s—%(end)s 不符",
                                   name=named[0], first=first, last=last, start=start, end=end))
    for field, value, limit in (("issuer", issuer, 200), ("doc_number", doc_number, 100)):
        if value and len(value) > limit:
            errors.add(field, _("不能超过%(limit)s个字", limit=limit))
    if issued_date is not None and issued_date > clock.today():
        # A document added here has been issued (a draft has no 印发日期): 2099 is a slip.
        errors.add("issued_date", _("印发日期 %(date)s 晚于今天；未印发的稿件请留空", date=issued_date.isoformat()))
    errors.raise_any()
    assert region is not None  # an unnamed region is an error above
    return PlanFacts(key=key or _free_key(f"{region.code or region.key}-{start}-{end}"), title=title,
                     region=region, start=start, end=end, issuer=issuer or None, doc_number=doc_number or None,
                     issued_date=issued_date)


def _free_key(key: str) -> str:
    taken = set(db.session.scalars(sa.select(Plan.key).where(Plan.key.startswith(key, autoescape=True))))
    return next(candidate for candidate in (key, *(f"{key}-{n}" for n in range(2, len(taken) + 3)))
                if candidate not in taken)


def plan_lines(plan: Plan) -> list[str] | None:
    """The plan's numbered lines (line N is ``lines[N-1]``): the stored text of a plan a user added,
    else the seed plan's file under SOURCES_DIR; None when neither is there."""
    if plan.document is not None:
        return plan.document.lines
    if plan.source_file:
        path = Path(current_app.config["SOURCES_DIR"]) / plan.source_file
        if path.is_file():
            return path.read_text(encoding="utf-8").split("\n")
    return None


# A plan's facts as the trail records them, and how a correction changes them.
PLAN_FACTS = ("title", "region", "period", "issuer", "doc_number", "issued_date")


def recorded_facts(facts: PlanFacts) -> dict:
    """A plan's facts as its trail records them (and its edit form shows them)."""
    return _recorded(facts.title, facts.region, facts.start, facts.end, facts.issuer, facts.doc_number,
                     facts.issued_date)


def saved_facts(plan: Plan) -> dict:
    return _facts_of(plan)


def _recorded(title: str, region: Region, start: int | None, end: int | None, issuer: str | None,
              doc_number: str | None, issued_date: dt.date | None) -> dict:
    return {"title": title, "region": region.code or region.key, "period": f"{start}-{end}" if start else None,
            "issuer": issuer, "doc_number": doc_number, "issued_date": issued_date.isoformat() if issued_date else None}


def _facts_of(plan: Plan) -> dict:
    return _recorded(plan.title, plan.region, plan.period_start, plan.period_end, plan.issuer, plan.doc_number,
                     plan.issued_date)


def _refuse_same_plan(facts: PlanFacts, other_than: Plan | None = None) -> None:
    """One title, region and period is one plan: added again (in another format), or another
    corrected to it, every project and total would stand twice and the 规划 filter list the
    title twice with nothing to tell them apart."""
    same = db.session.scalar(sa.select(Plan).where(
        Plan.region_id == facts.region.id, Plan.title == facts.title, Plan.period_start == facts.start,
        Plan.period_end == facts.end, *([Plan.id != other_than.id] if other_than is not None else [])).limit(1))
    if same is not None:
        raise ValidationFailed(_("%(region)s同一规划期已有同名规划《%(title)s》（编号 %(key)s）：同一份规划换了文件格式也无需"
                                 "再次添加；如是修订后的新版本，请先撤回旧的，或在名称中写明（如“修订版”）",
                                 region=facts.region.name, title=same.title, key=same.key), "title")


def update_plan(actor: Actor, plan: Plan, facts: PlanFacts, *, expected_version: int) -> dict:
    """Correct a plan's title, region, period or issue details (its key stays: its address and its
    citations). A correction saved since ``expected_version`` is not overwritten (``StaleEdit``
    with what it changed). Returns the ``{field: [old, new]}`` diff (empty: nothing changed)."""
    before = _facts_of(plan)
    after = _recorded(facts.title, facts.region, facts.start, facts.end, facts.issuer, facts.doc_number,
                      facts.issued_date)
    changes = {field: [before[field], after[field]] for field in PLAN_FACTS if before[field] != after[field]}
    if not changes:  # what is saved already (the same form sent twice): nothing to refuse
        return {}
    require_version(plan, "plan:update", expected_version)
    _refuse_same_plan(facts, other_than=plan)
    version = plan.version
    with saved_or_stale():  # the same plan corrected in the same instant: refused, not merged
        plan.title, plan.region = facts.title, facts.region
        plan.period_start, plan.period_end = facts.start, facts.end
        plan.issuer, plan.doc_number, plan.issued_date = facts.issuer, facts.doc_number, facts.issued_date
    changes["version"] = [version, plan.version]
    record(actor, "plan:update", plan, {"title": plan.title}, changes=changes)
    return changes


def withdrawal_problem(plan: Plan) -> str | None:
    """Why ``plan`` cannot be withdrawn, or None: only a plan added in the tracker, before anything
    of the portfolio rests on it (no project linked to it, no actual value entered)."""
    if plan.document is None:
        return _("此规划来自种子数据，不能撤回")
    linked = db.session.scalar(sa.select(sa.func.count()).select_from(project_plans)
                               .where(project_plans.c.plan_id == plan.id))
    if linked:
        return ngettext("已有 %(n)s 个项目列入此规划，不能撤回", "已有 %(n)s 个项目列入此规划，不能撤回", linked, n=linked)
    actuals = db.session.scalar(sa.select(sa.func.count()).select_from(PlanIndicatorActual)
                                .join(PlanIndicator, PlanIndicatorActual.indicator_id == PlanIndicator.id)
                                .where(PlanIndicator.plan_id == plan.id))
    if actuals:
        return _("此规划的指标已填报实际值，不能撤回")
    return None


def was_withdrawn(key: str) -> bool:
    """Whether no plan has ``key`` now because one with it was withdrawn."""
    if db.session.scalar(sa.select(Plan.id).where(Plan.key == key)) is not None:
        return False
    entries: Sequence[dict] = db.session.scalars(sa.select(AuditEntry.params)
                                                .where(AuditEntry.action == "plan:withdraw")).all()
    return any((params or {}).get("key") == key for params in entries)


def withdraw_plan(actor: Actor, plan: Plan, reason: str | None) -> None:
    """Delete a plan added by mistake (the wrong file, twice): its text, candidates and indicators
    go with it; the trail keeps what it was."""
    problem = withdrawal_problem(plan)
    if problem:
        raise ValidationFailed(problem)
    if not (reason or "").strip():
        raise ValidationFailed(_("请说明撤回原因"), "reason")
    record(actor, "plan:withdraw", plan, {"title": plan.title, "key": plan.key},
           changes={"key": [plan.key, None], **{field: [value, None] for field, value in _facts_of(plan).items()
                                                 if value is not None}},
           reason=reason)
    db.session.execute(sa.delete(PlanCandidate).where(PlanCandidate.plan_id == plan.id))
    db.session.delete(plan)
    db.session.flush()


# How a document prints its issue details near its top (or at its end, where a notice is signed):
# "定府办发〔2026〕5号", "发文机关：定南县人民政府办公室", "印发日期：2026年3月18日".
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[［【(（]\s*20\d\d\s*[〕\]］】)）]\s*\d{1,4}\s*号")
ISSUER = re.compile(r"(?:发文机关|发文单位|印发单位|制定单位|发布单位)\s*[：:]\s*(?P<issuer>[\u4e00-\u9fff（）()]{2,60}?)(?=\s|$|[，,；;。])")
ISSUED = re.compile(r"(?:(?:印发|发布|发文|成文)日期\s*[：:]\s*)?(?P<y>20\d\d)\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
                    r"(?P<after>\s*(?:印发|发布|起施行))?")
ISSUE_LINES = 12  # the details are among the first lines, or the last (a signed notice)
# A masthead's lines, unlabelled: the issuing body alone on its line, the date alone on its line,
# beside the 文号 ("宜春市人民政府办公室" / "宜府办发〔2026〕41号" / "2026年12月1日").
ISSUING_BODY = re.compile(r"^[\u4e00-\u9fff]{2,30}(?:人民政府办公室|人民政府办公厅|人民政府|卫生健康委员会|"
                          r"卫生健康局|卫生健康委|发展和改革委员会|办公室|办公厅)$")
DATE_ALONE = re.compile(r"^(?P<y>20\d\d)\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日$")
MASTHEAD_REACH = 3  # lines either side of the 文号


def issue_details(lines: Sequence[str]) -> dict[str, tuple[int, str | dt.date]]:
    """The 文号, 发文单位 and 印发日期 a document prints, each with its line: a 文号 anywhere in its
    first or last lines; the others where they are labelled ("发文机关：…", "印发日期：…") or a
    date is said to be the issue's ("2026年3月18日印发"). A date in the text's prose is none of them."""
    numbered = list(enumerate(lines, 1))
    near = numbered[:ISSUE_LINES] + numbered[max(ISSUE_LINES, len(numbered) - ISSUE_LINES):]
    found: dict[str, tuple[int, str | dt.date]] = {}
    for number, line in near:
        if "doc_number" not in found and (match := DOC_NUMBER.search(line)):
            found["doc_number"] = (number, re.sub(r"\s+", "", match.group(0)))
        if "issuer" not in found and (match := ISSUER.search(line)):
            found["issuer"] = (number, match["issuer"])
        for match in ISSUED.finditer(line):
            labelled = match.group(0)[:4] != match["y"] or match["after"]
            if "issued_date" not in found and labelled:
                try:
                    found["issued_date"] = (number, dt.date(int(match["y"]), int(match["m"]), int(match["d"])))
                except ValueError:
                    pass
    if "doc_number" in found:
        number_line = found["doc_number"][0]
        for number, line in near:
            text = line.strip()
            if abs(number - number_line) > MASTHEAD_REACH:
                continue
            if "issuer" not in found and ISSUING_BODY.match(text):
                found["issuer"] = (number, text)
            if "issued_date" not in found and (match := DATE_ALONE.match(text)):
                try:
                    found["issued_date"] = (number, dt.date(int(match["y"]), int(match["m"]), int(match["d"])))
                except ValueError:
                    pass
    return found


# A plan's title names what it is: 规划, 计划, 方案, 要点 or 纲要 ("工作要点" of a year).
TITLE_WORDS = re.compile(r"规划|计划|方案|要点|纲要")
TITLE_LINES = 5  # a title is among a document's first lines that are not blank
# The regions a title starts with: "龙南市", "江西省赣州市定南县", before "“十五五”…规划".
TITLE_REGIONS = re.compile(r"^(?:[\u4e00-\u9fff]{1,12}?(?:自治区|自治州|自治县|特别行政区|省|市|州|地区|盟|县|区|旗))+")


def title_line(lines: Sequence[str]) -> tuple[int, str] | None:
    """The line number and text of the document's title: the first of its first ``TITLE_LINES``
    lines that names a plan and is no sentence (a Markdown heading's marks taken off). A title
    printed large wraps ("定南县“十五五”卫生健康事业" / "发展规划"): a line that names neither a
    region nor a period at its start is the end of the one above it, when the two together do."""
    seen: list[tuple[int, str]] = []
    for number, line in enumerate(lines, 1):
        text = MARKUP.sub("", line).replace("**", "").strip()
        if not text:
            continue
        seen.append((number, text))
        if len(seen) > TITLE_LINES:
            return None
        if (TITLE_WORDS.search(text) and 4 <= len(text) <= 200 and not text.endswith(_SENTENCE_ENDS)
                and not _CHAPTER.match(text)):
            if len(seen) > 1 and not _names_its_plan(_unwrapped_title(text)):
                above_number, above = seen[-2]
                if not above.endswith(_SENTENCE_ENDS) and _names_its_plan(_unwrapped_title(above + text)):
                    return above_number, _unwrapped_title(above + text)
            return number, _unwrapped_title(text)
    return None


_SENTENCE_ENDS = ("。", "；", "，", "：", ":")
# A chapter's or a section's heading, no title: "第1章 规划背景", "一、发展基础", "1. 总体要求".
_CHAPTER = re.compile(r"^(?:第[一二三四五六七八九十百\d]+[章节条部篇]|[一二三四五六七八九十]+、|\d+\s*[．.、])")
# The notice that issues a plan, around its title: "（…办公室）关于印发《…》的通知".
_NOTICE = re.compile(r"^(?:.*?关于印发)?\s*(?P<title>.+?)\s*(?:的通知)?$")


def _unwrapped_title(text: str) -> str:
    """A plan's title out of the notice that issues it and its book-title marks, the spaces a
    line break left between two Chinese characters taken out."""
    notice = _NOTICE.match(text)
    title = notice.group("title") if notice else text
    title = re.sub(r"(?<=[\u4e00-\u9fff”])\s+(?=[\u4e00-\u9fff“])", "", title)
    if title.startswith("《") and title.endswith("》"):
        title = title[1:-1]
    return title


def _names_its_plan(title: str) -> bool:
    """Whether a title starts with its region or names its period ("十五五", 2026)."""
    return bool(TITLE_REGIONS.match(title)) or any(name in title for name in PERIOD_NAMES) or bool(
        re.search(r"20\d\d", title))


def region_in_title(title: str) -> Region | str | None:
    """The one region the title starts with ("定南县“十五五”…" → 定南县); the name, when two
    regions or more go by it ("朝阳区": ``region_named`` then lists them with their codes); None
    when the title names no region."""
    chain = TITLE_REGIONS.match(re.sub(r"^\d{4}年", "", title))  # "2021年宜春市…工作要点"
    found = find_regions(chain.group(0)) if chain else []
    if len(found) > 1:
        assert chain is not None
        return chain.group(0)
    return found[0] if found else None


# What any plan of health construction names somewhere: a transport or land-use plan names none of
# them, and its roads would be offered as candidates (a regional 纲要 names them in its health part).
HEALTH_WORDS = re.compile(r"卫生|卫健|健康|医|疾控|疾病|妇幼|保健|防疫|传染|急救|护理|药|养老|康复")


def check_lines(lines: list[str]) -> None:
    """A plan's text as read from its file: some words, no more lines than a plan has, and not
    the text of a plan already added (the same file uploaded twice would offer every candidate
    twice, and two people would accept the same project into two plans)."""
    if not any(line.strip() for line in lines):
        raise ValidationFailed(_("文件中没有读到文字"), "document")
    if len(lines) > MAX_LINES:
        raise ValidationFailed(_("文件超过%(limit)s行，请只上传规划正文", limit=MAX_LINES), "document")
    if (length := sum(len(line) for line in lines)) > MAX_TEXT_CHARACTERS:
        raise ValidationFailed(_("文件有 %(length)s 个字，超过一份规划正文的上限（%(limit)s 字）：请只上传规划正文。",
                                 length=f"{length:,}", limit=f"{MAX_TEXT_CHARACTERS:,}"), "document")
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE_CHARACTERS:
            raise ValidationFailed(_("第 %(line)s 行有 %(length)s 个字，超过一段规划文字的上限（%(limit)s 字）："
                                     "文件可能没有分段，请上传分段的规划正文。",
                                     line=number, length=f"{len(line):,}", limit=f"{MAX_LINE_CHARACTERS:,}"), "document")
    if not any(HEALTH_WORDS.search(line) for line in lines):
        raise ValidationFailed(_("文件中没有“卫生”“健康”“医院”“疾控”等字样，不像卫生健康规划：台账只收卫生健康"
                                 "建设相关的规划，请确认选择的文件"), "document")
    same = db.session.scalar(sa.select(Plan).join(PlanDocument, PlanDocument.plan_id == Plan.id)
                             .where(PlanDocument.sha256 == _digest("\n".join(lines))).limit(1))
    if same is not None:
        raise ValidationFailed(_("此文件的文字与已添加的规划《%(title)s》（%(key)s）相同，无需再次添加",
                                 title=same.title, key=same.key), "document")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def add_plan(actor: Actor, facts: PlanFacts, *, lines: list[str], filename: str) -> Plan:
    """A new plan with its text, and the candidates the extractor finds in it (none decided)."""
    check_lines(lines)
    text = "\n".join(lines)
    region = facts.region
    _refuse_same_plan(facts)  # the same plan in another format (.md after .txt): every candidate twice
    plan = Plan(key=facts.key, title=facts.title, issuer=facts.issuer, doc_number=facts.doc_number,
                issued_date=facts.issued_date, period_start=facts.start, period_end=facts.end,
                region_id=region.id, sources=[])
    plan.document = PlanDocument(filename=Path(filename).name[:200] or "plan.txt", text=text,
                                 sha256=_digest(text))
    try:
        with db.session.begin_nested():  # the same key taken in the same instant by another upload
            db.session.add(plan)
            db.session.flush()
    except sa.exc.IntegrityError:
        raise ValidationFailed(_("编号 %(key)s 刚刚被另一个规划使用，请再提交一次（留空编号则自动另取）", key=facts.key),
                               "key") from None
    found = extract_candidates(plan, lines)
    record(actor, "plan:create", plan,
           {"title": facts.title, "projects": len(found["projects"]), "indicators": len(found["indicators"])},
           changes={"key": [None, facts.key], "title": [None, facts.title],
                    "region": [None, region.code or region.key],
                    "period": [None, f"{facts.start}-{facts.end}"], "file": [None, plan.document.filename]})
    return plan


def extract_candidates(plan: Plan, lines: list[str]) -> dict:
    """Runs the extractor on the plan's lines and keeps what it finds as undecided candidates."""
    from .queries import known_projects, known_regions
    from .extraction import extract

    region = plan.region
    found = extract(lines, plan=plan.key, regions=known_regions(), existing=known_projects(),
                    plan_region=region.code or region.key)
    for kind, items in (("project", found["projects"]), ("indicator", found["indicators"])):
        for position, item in enumerate(items, start=1):
            db.session.add(PlanCandidate(plan_id=plan.id, kind=kind, position=position, data=item))
    db.session.flush()
    return found


def _refuse_decided(candidate: PlanCandidate) -> None:
    """A candidate decided already is not decided again, and the refusal says by whom and when
    (a second officer was told only 已于之前处理)."""
    from ..accounts.models import User
    from ..formatting import local_datetime

    who = db.session.get(User, candidate.decided_by_id) if candidate.decided_by_id else None
    raise ValidationFailed(_("此候选已由 %(user)s 于 %(when)s 处理（%(decision)s），不再重复处理",
                             user=who.username if who else _("他人"), when=local_datetime(candidate.decided_at),
                             decision=DECISION_LABELS().get(candidate.decision or "", candidate.decision)))


def _open(candidate: PlanCandidate) -> None:
    if candidate.decision is not None:
        _refuse_decided(candidate)
    if candidate.kind != "project":
        raise ValidationFailed(_("指标候选不能作为项目加入"))


def DECISION_LABELS() -> dict[str, str]:  # read in templates as a table
    return {decision.value: decision.label for decision in CandidateDecision}


def candidate_with_edits(data: dict, edits: dict | None) -> dict:
    """The candidate as the person corrected it: edited figures are checked against the quotes."""
    result = dict(data)
    for field, value in (edits or {}).items():
        result[field] = value
    return result


def check_provenance(plan: Plan, data: dict) -> None:
    """Every figure must be printed in a quote that stands on its line: the seed's rule."""
    from .candidates import provenance_problems

    lines = plan_lines(plan) or []
    problems = []
    for field in FIGURE_FIELDS:
        value = data.get(field)
        if value is None:
            continue
        if provenance_problems({"sources": data.get("sources") or [], field: value}, lines):
            problems.append(field)
    if problems:
        raise ValidationFailed({field: [_("%(label)s %(value)s 不在所引的原文语句中，请按原文填写或留空",
                                          label=str(FIELD_LABELS[field]), value=data[field])]
                                for field in problems})
    for source in data.get("sources") or []:
        line = source.get("line")
        if not isinstance(line, int) or not 1 <= line <= len(lines) or source.get("quote", "") not in lines[line - 1]:
            raise ValidationFailed(_("候选引用的原文第%(line)s行与规划原文不符", line=line))


# The category a project's name suggests, offered preselected on the review page (the person
# confirms it); the first that matches, so 传染病医院 is 传染病救治, not 综合医院.
CATEGORY_WORDS = (
    ("infectious_disease", ("传染病", "感染性疾病")), ("cdc", ("疾病预防控制", "疾控")),
    ("maternal_child", ("妇幼", "妇女儿童", "儿童医院", "妇产")), ("mental_health", ("精神", "心理卫生", "心理健康")),
    ("emergency_120", ("急救", "120")), ("blood_station", ("血站", "采供血", "中心血库")),
    ("supplies_depot", ("物资储备", "储备库")), ("elderly_care", ("医养", "养老", "护理院", "老年医院", "老年病医院")),
    ("laboratory", ("实验室", "检验检测")), ("tcm_hospital", ("中医", "中西医", "民族医")),
    ("township_clinic", ("乡镇卫生院", "卫生院", "社区卫生", "村卫生室", "卫生室", "区域性医疗卫生中心")),
    ("general_hospital", ("医院", "医疗中心")),
)


# The kind a candidate's name (and scope) suggests, offered preselected like the category: half
# of the seed's named projects are not construction (programmes, IT platforms, grade awards), and
# accepted as construction they would swell the construction totals. Rules in order, the first
# that matches; they agree with the seed's own kinds for 9 in 10 of its projects
# (tests/test_plan_intake.py), the person confirms the rest.
_PLATFORM = re.compile(r"(?:平台|系统|信息化|健康云|数据中心|影像中心|心电中心)$|信息平台|信息系统|智慧|互联网医院|大数据|专网")
_BUILDING = re.compile(r"(?:新建|改扩建|扩建|迁建|易地新建|异地新建|[一二三]期|新院|院区|大楼|楼)(?:建设)?(?:工程)?(?:项目)?$")
_PROGRAMME_END = re.compile(r"(?:工程|行动|计划|活动|工作|机制)$")
_ACCREDITATION = re.compile(r"创建|晋级|升级为|建设成为|打造成|创成|示范区|示范化|重点专科|特色\)?专科|5A级|三级[甲乙]等|"
                            r"二级[甲乙]等|三甲|三乙|二甲|二乙|传承基地|区域医疗中心建设|国家卫生")
_PROGRAMME = re.compile(r"能力提升|能力建设|能力项目|能力倍增|体系建设|服务能力|防治能力|五大中心|三大中心|健康工程|"
                        r"示范工程|综合防控|防治示范|标准化建设|规范化建设|(?:防控|健康|提升|强化|服务)项目$|^\d+[间个家所]")
_EQUIPMENT = re.compile(r"购置|设备|配置.*(?:车|仪|机)|检测全覆盖")
_BUILT_AREA = re.compile(r"建筑面积|平方米|㎡|m²|新建|改扩建|迁建|扩建")


def guess_kind(name: str | None, scope: str | None = None, data: dict | None = None) -> str:
    """The kind a candidate is offered as, from its name and scope, and from what the plan gives
    it (``data``, the candidate's record): a 建设性质 (新建, 改扩建 …) or a floor area or beds make
    it a building, whatever its name says ("…产科能力提升建设项目", 改扩建, 床位80张, was offered as
    a programme and left the construction totals)."""
    name, scope = name or "", scope or ""
    if _PLATFORM.search(name):
        return Kind.IT_PLATFORM.value
    if _BUILDING.search(name):
        return Kind.CONSTRUCTION.value
    if data and (data.get("build_nature") or any(data.get(field) for field in ("floor_area_m2", "beds", "new_beds"))):
        return Kind.CONSTRUCTION.value
    if _PROGRAMME_END.search(name):
        return Kind.PROGRAMME.value
    if _ACCREDITATION.search(name):
        return Kind.ACCREDITATION.value
    if _EQUIPMENT.search(name + scope) and not _BUILT_AREA.search(name + scope):
        return Kind.EQUIPMENT.value
    if _PROGRAMME.search(name):
        return Kind.PROGRAMME.value
    return Kind.CONSTRUCTION.value


def guess_category(name: str | None) -> str:
    for category, words in CATEGORY_WORDS:
        if any(word in (name or "") for word in words):
            return category
    return "other"


def _project_fields(data: dict) -> dict:
    from ..vocabulary import BuildNature, Category, Status

    fields: dict = {"name": (data.get("name") or "").strip()}
    if data.get("category") in {item.value for item in Category}:
        fields["category"] = data["category"]
    if data.get("kind") in {item.value for item in Kind}:
        fields["kind"] = data["kind"]
    if data.get("build_nature") in {item.value for item in BuildNature}:
        fields["build_nature"] = data["build_nature"]
    if data.get("build_nature_term"):
        fields["build_nature_term"] = data["build_nature_term"][:50]
    if data.get("status") in {item.value for item in Status}:
        fields["status"] = data["status"]
    for field in ("location", "scope"):
        if data.get(field):
            fields[field] = data[field]
    for source_field, project_field in FIGURE_FIELDS.items():
        value = data.get(source_field)
        if value is not None:
            fields[project_field] = int(value) if source_field in WHOLE_FIELDS else Decimal(str(value))
            flag = APPROXIMATE.get(source_field)
            if flag and data.get(flag) is True:
                fields[flag] = True
    return fields


def _tracked_around(region: Region):
    """The projects tracked in ``region``'s area (the regions above it and below it), keyed as the
    extractor matches names (``matching.KnownProjects``): the regions there are the prefixes a
    name may carry ("宜丰县康复医院" and "康复医院" alike)."""
    from ..regions.models import RegionFormerName
    from .matching import KnownProjects, RegionIndex, RegionRef, as_known
    from .queries import known_projects

    above = [region.path[:end + 1] for end in range(1, len(region.path)) if region.path[end] == "/"]
    area = sa.or_(Region.path.startswith(region.path, autoescape=True), Region.path.in_(above))
    former: dict[int, list[str]] = {}
    for region_id, name in db.session.execute(sa.select(RegionFormerName.region_id, RegionFormerName.name)
                                              .join(Region, RegionFormerName.region_id == Region.id).where(area)):
        former.setdefault(region_id, []).append(name)
    index = RegionIndex([RegionRef(code or key, name, tuple(former.get(region_id, ()))) for region_id, code, key, name
                         in db.session.execute(sa.select(Region.id, Region.code, Region.key, Region.name).where(area))],
                        region.code or region.key)
    return KnownProjects([as_known(row) for row in known_projects(sa.select(Region.id).where(area))], index)


def likely_tracked(plan: Plan, candidates: Sequence[PlanCandidate]) -> dict[int, Project]:
    """The project each candidate may already be (可能是已有项目), worked out as the page is shown:
    kept from the upload, a project made since (by hand, or another plan's candidate accepted)
    was never named, and its candidate was accepted as a second project beside it."""
    if not candidates:
        return {}
    known = _tracked_around(plan.region)
    plan_region = plan.region.code or plan.region.key
    found = {candidate.id: project_id for candidate in candidates
             if (project_id := known.match(candidate.data.get("name") or "",
                                           candidate.data.get("region_code") or plan_region)) is not None}
    projects = {project.id: project for project in db.session.scalars(
        sa.select(Project).where(Project.id.in_(set(found.values()))))}
    return {candidate_id: projects[project_id] for candidate_id, project_id in found.items() if project_id in projects}


def accept_candidate(actor: Actor, candidate: PlanCandidate, edits: dict | None = None,
                     region: Region | None = None, *, different: bool = False) -> Project:
    """Creates the project the candidate names, with its quotes, aliases and the plan link. A
    project tracked under the same name is refused; so is one the name matches as a plan prints
    it (``matching.match_key``: "…康复医院建设项目（续建）" is 康复医院), unless the person says
    it is ``different``: a bracket or 二期 the matcher reads past may be all that tells it apart."""
    from ..projects import services as project_services

    _open(candidate)
    plan = candidate.plan
    data = cite_typed(candidate_with_edits(candidate.data, edits), edits or {}, plan_lines(plan) or [])
    check_provenance(plan, data)
    region = region or find_region(data.get("region_code")) or plan.region
    fields = _project_fields(data)
    same = project_services.same_name(region, fields["name"])
    if same is not None:  # the same plan accepted twice, or a 续建 project: merge, or name it apart
        raise ValidationFailed(_("台账中%(region)s已有同名项目《%(name)s》（编号 %(id)s）：如是同一项目，请“并入已有项目”；"
                                 "如确是另一个项目，请改用能区分的名称后再采纳", region=region.name, name=same.name, id=same.id),
                               "name")
    if not different and (like := _tracked_around(region).match(fields["name"], region.code or region.key)):
        project = db.session.get_one(Project, like)
        raise ValidationFailed(_("台账中%(region)s已有项目《%(name)s》（编号 %(id)s），与“%(candidate)s”似为同一项目：如是同一项目，"
                                 "请“并入已有项目”；如确是另一个项目，请勾选“确是另一个项目”后再采纳",
                                 name=project.name, id=project.id, region=project.region.name, candidate=fields["name"]),
                               "different")
    project = project_services.create_project(actor, region=region, **fields)
    _attach(actor, project, plan, data)
    _decide(actor, candidate, "accepted", project,
            {"name": project.name, "plan": plan.title},
            edits=edits)
    return project


def merge_candidate(actor: Actor, candidate: PlanCandidate, project) -> object:
    """The candidate is a project already tracked (the same facility in an earlier plan): its name
    becomes an alias, its quotes mentions, and the project is linked to this plan (续建 when the
    project came from an earlier period)."""
    from ..projects import services as project_services

    _open(candidate)
    plan = candidate.plan
    data = candidate.data
    within, above = project.region.path.startswith(plan.region.path), plan.region.path.startswith(project.region.path)
    if not (within or above):  # a plan's project is built in its region, or by a region above it
        raise ValidationFailed(_("《%(project)s》属于%(region)s，不在本规划的%(plan_region)s范围内，不能并入；"
                                 "请核对项目编号，或采纳为新项目", project=project.name,
                                 region=project.region.name, plan_region=plan.region.name), "project_id")
    check_provenance(plan, data)
    project_services.add_alias(actor, project, data.get("name") or "")
    _attach(actor, project, plan, data)
    _fill_unknown(actor, project, plan, data)
    _decide(actor, candidate, "merged", project,
            {"name": data.get("name"), "project": project.name, "plan": plan.title})
    return project


def figures_that_differ(project, data: dict) -> list[str]:
    """The figures the candidate's plan prints otherwise than the project holds, in words: a merge
    keeps the project's (its history rests on them), and said nothing, the project page then
    citing the new line as "所载与台账不同" (a 15th plan's 36,000 万元 beside the 30,000 tracked)."""
    from ..core.values import display_decimal

    told = []
    for source_field, project_field in FIGURE_FIELDS.items():
        stated, held = data.get(source_field), getattr(project, project_field, None)
        if stated is None or held is None or Decimal(str(stated)) == Decimal(str(held)):
            continue
        unit = PROJECT[project_field].unit or ""
        told.append(_("%(label)s：原文 %(stated)s%(unit)s，台账 %(held)s%(unit)s", label=str(SOURCE_LABELS[source_field]),
                      stated=display_decimal(Decimal(str(stated))), held=display_decimal(Decimal(str(held))),
                      unit=f" {unit}" if unit else ""))
    return told


def _fill_unknown(actor: Actor, project, plan: Plan, data: dict) -> None:
    """What the project left unknown and the new plan states (its 建筑面积, its 续建 status) is
    taken from the plan's quotes, now cited; what the project holds stays, though the plan may
    print another figure (the page then says the value was adjusted from the quote)."""
    from ..projects import services as project_services
    from ..projects.fields import EDITABLE_FIELDS

    stated = _project_fields(data)
    flags = {flag: FIGURE_FIELDS[source] for source, flag in APPROXIMATE.items()}
    filled = {field: value for field, value in stated.items()
              if field in EDITABLE_FIELDS and field not in flags and field != "name"
              and getattr(project, field, None) is None}
    filled.update({flag: stated[flag] for flag, figure in flags.items() if flag in stated and figure in filled})
    if filled:
        project_services.update_project(
            actor, project, filled, expected_version=project.version,
            reason=_("并入《%(plan)s》：补填项目未填报而规划原文写明的内容", plan=plan.title))


# What a person may correct of an indicator candidate before accepting it (a column read as the
# wrong one, a name split over two cells), and how its history names each.
INDICATOR_FIELDS = ("section", "name", "unit", "baseline", "baseline_year", "target", "target_year", "nature")
INDICATOR_TRAIL = {"name": "indicator"}  # the trail's 指标 (a plan's "name" would read 项目名称)


def printed_in(value: str, quotes: str) -> bool:
    """Whether ``value`` is printed in ``quotes`` as a figure of its own: "5" is not printed in
    "2025年" or "6.5张", "7.5" is in "7.5张", "14" in "≤14"."""
    before = r"(?<![\d.])" if value[:1].isdigit() else ""
    after = r"(?!\.?\d)" if value[-1:].isdigit() else ""
    return re.search(before + re.escape(value) + after, quotes) is not None


def check_indicator_edits(data: dict, edits: dict) -> None:
    """A corrected baseline or target must be printed in the candidate's quotes, as a project's
    figure must (the seed's rule): the person fixes what was read, not what the plan says."""
    quotes = "\n".join(str(source.get("quote", "")) for source in data.get("sources") or [])
    errors = FieldErrors()
    for field in ("baseline", "target"):
        value = (edits.get(field) or "").strip()
        bare = value.lstrip("≥≤><=＞＜ ")
        if value and value != (data.get(field) or "") and not printed_in(bare, quotes):
            errors.add(field, _("“%(value)s”不在所引的原文中，请按原文填写", value=value))
    for field in ("baseline_year", "target_year"):
        year = edits.get(field)
        if year is not None and year not in PLAN_YEARS:
            errors.add(field, _("年份无效"))
    if "name" in edits and not (edits["name"] or "").strip():
        errors.add("name", _("请填写指标名称"))
    errors.raise_any()


def accept_indicator(actor: Actor, candidate: PlanCandidate, edits: dict | None = None):
    """An indicator candidate becomes one of the plan's 主要指标, with the quotes it rests on, as
    read or as a person corrected it (``check_indicator_edits``)."""
    if candidate.kind != "indicator":
        raise ValidationFailed(_("项目候选请采纳为项目"))
    if candidate.decision is not None:
        _refuse_decided(candidate)
    plan = candidate.plan
    edits = {field: value for field, value in (edits or {}).items() if field in INDICATOR_FIELDS}
    check_indicator_edits(candidate.data, edits)
    data = {**candidate.data, **edits}
    lines = plan_lines(plan) or []
    for source in data.get("sources") or []:
        line = source.get("line")
        if not isinstance(line, int) or not 1 <= line <= len(lines) or source.get("quote", "") not in lines[line - 1]:
            raise ValidationFailed(_("候选引用的原文第%(line)s行与规划原文不符", line=line))
    nature = data.get("nature") if data.get("nature") in {item.value for item in IndicatorNature} else None
    if edits.get("target"):
        # A target corrected as "≥7.5" or "不低于7.5" says which way it is met: the evaluation
        # judges by it (the sign stayed in the text and no indicator so corrected was judged).
        printed, bare = split_value(str(edits["target"]))
        if printed:
            data["comparator"], data["target"] = printed, bare
    comparator = data.get("comparator") if data.get("comparator") in ("≥", ">", "≤", "<") else None
    position = 1 + (db.session.scalar(sa.select(sa.func.max(PlanIndicator.position))
                                      .where(PlanIndicator.plan_id == plan.id)) or 0)
    indicator = PlanIndicator(
        plan_id=plan.id, key=f"candidate-{candidate.position}", position=position,
        section=(data.get("section") or None) and str(data["section"])[:100],
        name=str(data.get("name") or "")[:200], unit=(data.get("unit") or None) and str(data["unit"])[:50],
        baseline=(data.get("baseline") or None) and str(data["baseline"])[:100],
        baseline_year=data.get("baseline_year"),
        target=(data.get("target") or None) and str(data["target"])[:100], target_year=data.get("target_year"),
        comparator=comparator, nature=nature, sources=list(data.get("sources") or []))
    db.session.add(indicator)
    db.session.flush()
    _decide(actor, candidate, "accepted", None,
            {"indicator": indicator.name, "plan": plan.title},
            edits={INDICATOR_TRAIL.get(field, field): value for field, value in edits.items()},
            found={INDICATOR_TRAIL.get(field, field): candidate.data.get(field) for field in edits})
    return indicator


# An indicator the reading missed (a target in a sentence, a table it could not read) is added by
# hand, citing the lines of the plan it is printed on: its baseline and target must be on them.
MAX_CITED_LINES = 5


def cited_lines(plan: Plan, raw: str | None) -> list[int]:
    """The line numbers a person cites ("14", "14、15", "14-16"), each a line of the plan's text
    with words on it."""
    lines = plan_lines(plan) or []
    text = (raw or "").strip()
    if not text:
        raise ValidationFailed(_("请填写指标所在的原文行号"), "lines")
    numbers: list[int] = []
    for part in re.split(r"[,，、;；\s]+", text):
        if not part:
            continue
        span = re.fullmatch(r"(\d{1,6})(?:\s*[-－—~～至到]\s*(\d{1,6}))?", part)
        if span is None:
            raise ValidationFailed(_("行号应写作数字，如 14，或 14、15，或 14-16"), "lines")
        first, last = int(span.group(1)), int(span.group(2) or span.group(1))
        if last < first or last - first >= MAX_CITED_LINES:
            raise ValidationFailed(_("最多引用 %(n)s 行原文", n=MAX_CITED_LINES), "lines")
        numbers.extend(range(first, last + 1))
    numbers = sorted(set(numbers))
    if len(numbers) > MAX_CITED_LINES:
        raise ValidationFailed(_("最多引用 %(n)s 行原文", n=MAX_CITED_LINES), "lines")
    for number in numbers:
        if not 1 <= number <= len(lines):
            raise ValidationFailed(_("原文没有第%(line)s行（共 %(count)s 行）", line=number, count=len(lines)), "lines")
        if not lines[number - 1].strip():
            raise ValidationFailed(_("原文第%(line)s行是空行", line=number), "lines")
    return numbers


def add_indicator(actor: Actor, plan: Plan, fields: dict, lines: str | None) -> tuple[PlanIndicator, bool]:
    """One of the plan's 主要指标 added by hand, resting on the lines cited (``cited_lines``): its
    baseline and target as printed there, as an accepted candidate's must be. Only a plan added in
    the tracker (a seed plan's indicators are the seed's). A name the plan has already is refused,
    but the very indicator sent again (a double click) is found added: (indicator, whether added
    now)."""
    if plan.document is None:
        raise ValidationFailed(_("此规划来自种子数据，不能添加指标"))
    fields = {field: value for field, value in fields.items() if field in INDICATOR_FIELDS}
    fields = {field: (value.strip() or None) if isinstance(value, str) else value for field, value in fields.items()}
    errors = FieldErrors()
    numbers: list[int] = []
    try:
        numbers = cited_lines(plan, lines)
    except ValidationFailed as failure:
        errors.merge(failure)
    text = plan_lines(plan) or []
    sources = [{"line": number, "quote": text[number - 1].strip(), "fields": ["name", "baseline", "target"]}
               for number in numbers]
    comparator, target = split_value(fields.get("target") or "") if fields.get("target") else (None, None)
    if not target:
        errors.add("target", _("请按原文填写目标值"))
    same_name = db.session.scalar(sa.select(PlanIndicator).where(
        PlanIndicator.plan_id == plan.id, PlanIndicator.name == fields.get("name"))) if fields.get("name") else None
    if same_name is not None and not errors.errors and (
            [source.get("line") for source in same_name.sources or []] == numbers
            and (same_name.comparator, same_name.target, same_name.baseline, same_name.unit)
            == (comparator, target, fields.get("baseline"), fields.get("unit"))):
        return same_name, False
    if not fields.get("name"):
        errors.add("name", _("请填写指标名称"))
    elif same_name is not None:
        errors.add("name", _("此规划已有指标“%(name)s”", name=fields["name"]))
    if sources:
        try:
            check_indicator_edits({"sources": sources}, {**fields, "target": target})
        except ValidationFailed as failure:
            errors.merge(failure)
    errors.raise_any()
    nature = fields.get("nature") if fields.get("nature") in {item.value for item in IndicatorNature} else None
    position = 1 + (db.session.scalar(sa.select(sa.func.max(PlanIndicator.position))
                                      .where(PlanIndicator.plan_id == plan.id)) or 0)
    indicator = PlanIndicator(
        plan_id=plan.id, key=f"hand-{position}", position=position, section=fields.get("section"),
        name=fields["name"], unit=fields.get("unit"), baseline=fields.get("baseline"),
        baseline_year=fields.get("baseline_year"), target=target, target_year=fields.get("target_year"),
        comparator=comparator, nature=IndicatorNature(nature) if nature else None, sources=sources)
    with saved_or_stale():  # the same name added in the same instant (a double click, two people)
        db.session.add(indicator)
    record(actor, "indicator:create", indicator, {"name": indicator.name, "plan": plan.title},
           changes={INDICATOR_TRAIL.get(field, field): [None, json_value(value)]
                    for field, value in {**fields, "target": f"{comparator or ''}{target}"}.items()
                    if value is not None})
    return indicator, True


def indicator_removal_problem(indicator: PlanIndicator) -> str | None:
    """Why ``indicator`` cannot be removed, or None: one of a plan added in the tracker, with no
    actual value entered against it yet."""
    if indicator.plan.document is None:
        return _("此规划来自种子数据，不能删除指标")
    if indicator.actuals:
        return _("此指标已填报实际值，不能删除")
    return None


def indicator_was_removed(indicator_id: int) -> bool:
    """Whether the trail records this indicator's removal: a removal form sent twice finds its
    work done, where an id no indicator ever had is not found."""
    return bool(db.session.scalar(sa.select(sa.exists().where(
        AuditEntry.action == "indicator:delete", AuditEntry.object_type == PlanIndicator.__name__,
        AuditEntry.object_id == indicator_id))))


def remove_indicator(actor: Actor, indicator: PlanIndicator, reason: str | None) -> None:
    """An indicator accepted or added by mistake, removed; the trail keeps what it was. One
    accepted from a candidate gives the candidate back to review (it can be accepted corrected)."""
    problem = indicator_removal_problem(indicator)
    if problem:
        raise ValidationFailed(problem)
    if not (reason or "").strip():
        raise ValidationFailed(_("请说明删除原因"), "reason")
    plan = indicator.plan
    record(actor, "indicator:delete", indicator, {"name": indicator.name, "plan": plan.title},
           changes={INDICATOR_TRAIL.get(field, field): [json_value(getattr(indicator, field)), None]
                    for field in INDICATOR_FIELDS if getattr(indicator, field) is not None},
           reason=reason)
    if indicator.key.startswith("candidate-") and indicator.key.removeprefix("candidate-").isdigit():
        db.session.execute(
            sa.update(PlanCandidate)
            .where(PlanCandidate.plan_id == plan.id, PlanCandidate.kind == "indicator",
                   PlanCandidate.position == int(indicator.key.removeprefix("candidate-")),
                   PlanCandidate.decision == "accepted")
            .values(decision=None, decided_by_id=None, decided_at=None)
            .execution_options(synchronize_session="fetch"))
    db.session.delete(indicator)
    db.session.flush()


def reject_candidate(actor: Actor, candidate: PlanCandidate, reason: str | None = None) -> None:
    if candidate.decision is not None:
        _refuse_decided(candidate)
    _decide(actor, candidate, "rejected", None,
            {"name": candidate.data.get("name"), "plan": candidate.plan.title}, reason=reason)


def _attach(actor: Actor, project, plan: Plan, data: dict) -> None:
    from ..projects import services as project_services

    for alias in data.get("aliases") or []:
        project_services.add_alias(actor, project, alias)
    project_services.link_plan(actor, project, plan)
    for source in data.get("sources") or []:
        project_services.add_source(actor, project, plan, source["line"], source["quote"],
                                    list(source.get("fields") or []))


def same_value(found, edited) -> bool:
    """Whether a candidate's value and the one a person submitted say the same: 1200 and "1200.0"."""
    if found is None or edited is None:
        return found is None and edited is None
    try:
        return Decimal(str(found)) == Decimal(str(edited))
    except ArithmeticError:
        return str(found) == str(edited)


def _decide(actor: Actor, candidate: PlanCandidate, decision: str, project, params: dict,
            *, edits: dict | None = None, found: dict | None = None, reason: str | None = None) -> None:
    # Claimed with a guarded UPDATE: two people (or a double click) deciding the same candidate
    # decide it once.
    # The session answers DML with a CursorResult; its type says only Result (SQLAlchemy's advice).
    claimed = cast("sa.CursorResult[Any]", db.session.execute(
        sa.update(PlanCandidate).where(PlanCandidate.id == candidate.id, PlanCandidate.decision.is_(None))
        .values(decision=decision, project_id=project.id if project is not None else None,
                decided_by_id=actor.user.id if actor.user else None, decided_at=utcnow())
        .execution_options(synchronize_session=False)))
    if claimed.rowcount != 1:
        raise ValidationFailed(_("此候选已由他人处理，请刷新页面"))
    db.session.refresh(candidate)
    changes: dict[str, list] = {"decision": [None, decision], "candidate": [None, candidate.data.get("name")]}
    # What the person corrected before accepting, as the project's fields it fills (the trail
    # labels and formats them as it does a project's): the candidate's value → the one accepted.
    for field, value in (edits or {}).items():
        before = (found or candidate.data).get(field)
        if not same_value(before, value):
            changes[FIGURE_FIELDS.get(field, field)] = [json_value(before), json_value(value)]
    record(actor, f"plan:candidate-{decision}", candidate.plan, params, changes=changes, reason=reason,
           project_id=project.id if project is not None else None)


# Carry-over (续建) ----------------------------------------------------------------------------------

def finished_statuses():
    from ..vocabulary import Status
    return (Status.COMPLETED, Status.IN_USE, Status.CANCELLED)


def has_ended(plan: Plan, today: dt.date | None = None) -> bool:
    return plan.period_end is not None and plan.period_end < (today or clock.today()).year


def unfinished_projects(plan: Plan) -> Sequence[Project]:
    """The plan's construction projects not completed, in use or cancelled (an unknown status
    counts as unfinished: nobody said it was done)."""
    return db.session.scalars(
        sa.select(Project).join(project_plans, project_plans.c.project_id == Project.id)
        .where(project_plans.c.plan_id == plan.id, Project.kind.in_(BUILDING_KINDS),
               sa.or_(Project.status.is_(None), Project.status.not_in(finished_statuses())))
        .order_by(Project.name)).all()


def next_plans(plan: Plan) -> Sequence[Plan]:
    """The plans of the period after ``plan``'s where its unfinished projects may continue: those of
    its own region, of a region it lies in (its city's, its province's) or of one within it, not
    another county's."""
    if plan.period_end is None:
        return []
    path = plan.region.path
    within = sa.literal(path).startswith(Region.path) | Region.path.startswith(path, autoescape=True)
    return db.session.scalars(sa.select(Plan).join(Region, Plan.region_id == Region.id)
                              .where(Plan.period_start == plan.period_end + 1, within)
                              .order_by(Plan.key)).all()


def carry_over(actor: Actor, source: Plan, target: Plan, projects) -> list:
    """Links each unfinished project of ``source`` to ``target`` as well: one project, two plan
    links, its history intact. Returns the projects carried (those already linked are skipped)."""
    from ..projects import services as project_services

    if target.period_start is None or source.period_end is None or target.period_start <= source.period_end:
        raise ValidationFailed(_("只能转入下一规划期的规划"))
    if target not in next_plans(source):
        raise ValidationFailed(_("只能转入本地区（或其上级、下级地区）下一规划期的规划"))
    carried = []
    for project in projects:
        if project_services.link_plan(actor, project, target):
            carried.append(project)
            record(actor, "plan:carry-over", project,
                   {"name": project.name, "source": source.title, "target": target.title},
                   changes={"plan": [source.key, target.key]}, project_id=project.id)
    return carried


def continued_ids(plan: Plan) -> set[int]:
    """The projects of ``plan`` that an earlier period's plan already held: 续建 in this plan."""
    if plan.period_start is None:
        return set()
    earlier = sa.select(project_plans.c.project_id).join(Plan, Plan.id == project_plans.c.plan_id).where(
        Plan.period_end < plan.period_start)
    return set(db.session.scalars(sa.select(project_plans.c.project_id).where(
        project_plans.c.plan_id == plan.id, project_plans.c.project_id.in_(earlier))))


# Evaluation (终期评估) -------------------------------------------------------------------------------

OUTCOMES = ("on_time", "late", "completed_undated", "construction", "suspended", "not_started", "unknown",
            "cancelled")


def outcome_labels() -> dict[str, str]:
    return {"on_time": _("按期竣工"), "late": _("延期竣工"), "completed_undated": _("已竣工（竣工日期未填）"),
            "construction": _("在建"), "suspended": _("停缓建"), "not_started": _("未开工"),
            "unknown": _("状态未填报"),
            "cancelled": _("已取消")}


# What follows a figure as its unit, in an actual value ("6.9张", "82.5岁"): taken off, as the
# actuals template says a value may carry its unit.
_TRAILING_UNIT = re.compile(r"(?<=\d)\s*[\u4e00-\u9fff/]+$")
# A target printed as a range ("1-2个", "3—5"): met from its lower end.
_RANGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[-—–~～至到]\s*(\d+(?:\.\d+)?)")
# A target in words: what it asks of the figure against its base year.
_RISING = re.compile(r"提升|提高|增长|增加|上升|扩大|只增不减")
_FALLING = re.compile(r"下降|降低|减少|压减|缩小")
# A change by a share or by points of the base-year value ("在2020年基础上增长30%", "下降10%",
# "提高5个百分点"): the figure asked for is worked out from it.
_CHANGE_BY = re.compile(r"(提升|提高|增长|增加|上升|扩大|下降|降低|减少|压减|缩小)\s*(\d+(?:\.\d+)?)\s*(%|％|个百分点)")
# A year named in the words ("在2020年基础上"): the base, not a figure of the target.
_YEAR_NAMED = re.compile(r"\d{4}\s*年(?:底|末)?")
# A change each year ("每年降低0.5个百分点", "年均增长5%"): what it asks depends on the year of
# the value, which the target alone does not give.
_YEARLY = re.compile(r"每年|年均|逐年|年平均")


def _number(text: str | None, unit: str | None = None) -> Decimal | None:
    from ..core.values import ValueProblem, parse_decimal
    if text is None:
        return None
    text = str(text).strip()
    if unit and text.endswith(unit.strip()) and len(text) > len(unit.strip()):
        text = text[:-len(unit.strip())]
    cleaned = _TRAILING_UNIT.sub("", re.sub(r"[%％‰\s]|以上|以下|左右", "", text)).lstrip("≥≤<>＞＜")
    try:
        return parse_decimal(cleaned)
    except (ValueProblem, ArithmeticError, ValueError):
        return None


def judged_by(indicator) -> tuple[str, Decimal] | None:
    """How an actual value is held to the indicator's target: (comparator, figure). The printed
    comparator (≥7.5); else a plain target read in the direction from its base-year value (基期
    28, 目标 35: ≥35; 基期 15, 目标 12: ≤12), a range from its lower end (1-2个: ≥1), or words
    (持续提升, 稳步下降) against the base-year value. None when nothing says which way is better."""
    unit = getattr(indicator, "unit", None)
    target, baseline = _number(indicator.target, unit), _number(getattr(indicator, "baseline", None), unit)
    if indicator.comparator in ("≥", ">", "≤", "<") and target is not None:
        return indicator.comparator, target
    text = str(indicator.target or "")
    if (found := _RANGE.match(text)) is not None:
        return "≥", Decimal(found.group(1))
    if target is not None:
        if baseline is None or baseline == target:
            return None
        return ("≥" if target > baseline else "≤"), target
    words = _YEAR_NAMED.sub("", text)
    if re.search(r"\d", words):
        # A figure in the words is the target's: held to it, or not judged at all (growth of 30%
        # was judged as any growth, 0.85 over a base of 0.78 达标 where 1.014 was asked).
        return _changed_by(found, baseline) if (
            baseline is not None and (found := _CHANGE_BY.search(words)) and not _YEARLY.search(words)) else None
    if baseline is not None and _RISING.search(text):
        return ">", baseline
    if baseline is not None and _FALLING.search(text):
        return "<", baseline
    return None


def _changed_by(found: re.Match, baseline: Decimal) -> tuple[str, Decimal]:
    """The rule of a change by a share ("增长30%": ≥ base × 1.3) or by points ("下降0.5个百分点":
    ≤ base − 0.5) of the base-year value."""
    rising = _RISING.fullmatch(found.group(1)) is not None
    figure = Decimal(found.group(2))
    change = figure if found.group(3) == "个百分点" else baseline * figure / 100
    target = baseline + change if rising else baseline - change
    return ("≥" if rising else "≤"), target.normalize() + 0


def judged_rule(judged: tuple[str, Decimal]) -> str:
    """"≥35", "<28": the rule ``judged_by`` read, as the evaluation shows it beside the target."""
    from ..formatting import plain_number
    return f"{judged[0]}{plain_number(judged[1])}"


def attained(indicator, actual: str | None) -> bool | None:
    """Whether ``actual`` meets the indicator's target (``judged_by``); None when it cannot be
    told (no direction printed or to be read, or no number)."""
    judged, value = judged_by(indicator), _number(actual, getattr(indicator, "unit", None))
    if judged is None or value is None:
        return None
    comparator, target = judged
    return {"≥": value >= target, ">": value > target, "≤": value <= target, "<": value < target}[comparator]


def actual_problems(year, value: str, source: str, indicator=None) -> dict[str, list[str]]:
    """What is wrong with an actual value as given (the form's and the sheet's one rule). With its
    indicator: a year of the plan's period or its base year, not yet to come (a 2031 value became
    a 2026–2030 plan's latest, hiding its 2030 one); a number where the target is one ("abc",
    "约四点二" and -5 were taken for 床位数, which the evaluation then could not judge)."""
    errors: dict[str, list[str]] = {}
    plan = indicator.plan if indicator is not None else None
    first, last = PLAN_YEARS[0], min(PLAN_YEARS[-1], clock.today().year)
    if plan is not None and plan.period_start and plan.period_end:
        first, last = plan.period_start - 1, min(plan.period_end, clock.today().year)
    if not isinstance(year, int) or year not in PLAN_YEARS:
        errors["year"] = [_("请填写有效的年份")]
    elif not first <= year <= last:
        errors["year"] = [_("年份应在 %(first)s 到 %(last)s 之间（规划期及其基期年，不晚于今年）", first=first, last=last)
                          if first <= last else _("规划期尚未开始，还没有实际值可填")]
    unit = indicator.unit if indicator is not None else None
    target = _number(indicator.target, unit) if indicator is not None else None
    number = _number(value, unit)
    if not value:
        errors["value"] = [_("请填写实际值")]
    elif len(value) > 100:
        errors["value"] = [_("不能超过%(limit)s个字", limit=100)]
    elif target is not None and number is None:
        errors["value"] = [_("此指标的目标值是数字（%(target)s），实际值也请填数字", target=indicator.target)]
    elif target is not None and target >= 0 and number is not None and number < 0:
        errors["value"] = [_("实际值不能为负数")]
    if not source:
        errors["source"] = [_("请注明数据来源（如统计年鉴、年度报告）")]
    elif len(source) > 500:
        errors["source"] = [_("不能超过%(limit)s个字", limit=500)]
    return errors


def attainment_label(row: dict) -> str:
    """What the evaluation says of an indicator row of ``evaluation()``: the page, its PDF and its
    sheet alike."""
    if row["latest"] is None:
        return "—"
    return {True: _("达标"), False: _("未达标"), None: _("无法判定")}[row["attained"]]


def actual_as_given(value: str | None, source: str | None) -> tuple[str, str]:
    """An actual value and its source as they are stored: without controls, bidi overrides and
    zero-width characters (``clean_text``, as every form's text), the value's full-width digits
    and signs as ASCII ("６.５" is judged as 6.5, and shown so)."""
    return unicodedata.normalize("NFKC", clean_text(value) or ""), clean_text(source) or ""


def actuals_shown(plan: Plan) -> dict[str, str]:
    """Every actual value of the plan as its evaluation page shows it ({"<indicator id>-<year>":
    value}), the page's form carrying it back (``set_actual``)."""
    return {f"{indicator.id}-{actual.year}": actual.value for indicator in plan.indicators for actual in indicator.actuals}


def set_actual(actor: Actor, indicator, year, value: str | None, source: str | None, *, shown: dict | None = None):
    """An indicator's actual value in ``year`` with its source; a second entry for the year
    replaces the first (both in the audit). With ``shown`` (what the person's page showed), one
    entered by someone else since is not replaced unseen (two officers: 3.1 became 3.4, its
    source with it, and nobody was told)."""
    value, source = actual_as_given(value, source)
    errors = actual_problems(year, value, source, indicator)
    if errors:
        raise ValidationFailed(errors)
    actual = db.session.scalar(sa.select(PlanIndicatorActual).where(
        PlanIndicatorActual.indicator_id == indicator.id, PlanIndicatorActual.year == year))
    if (shown is not None and actual is not None and shown.get(f"{indicator.id}-{year}") != actual.value
            and (actual.value, actual.source) != (value, source)):
        raise ValidationFailed(_("其他人刚刚填报了%(name)s %(year)s 年的实际值“%(value)s”（来源：%(source)s）："
                                 "如仍要改为您填写的，请再次提交", name=indicator.name, year=year,
                                 value=actual.value, source=actual.source), "value")
    before = [actual.value, actual.source] if actual else None
    if actual is None:
        actual = PlanIndicatorActual(indicator_id=indicator.id, year=year, value=value, source=source)
        db.session.add(actual)
    else:
        actual.value, actual.source = value, source
    actual.entered_by_id = actor.user.id if actor.user else None
    db.session.flush()
    record(actor, "plan:indicator-actual", indicator.plan,
           {"name": indicator.name, "year": year, "value": value},
           changes={"indicator": [None, indicator.key], "year": [None, year],
                    "value": [before[0] if before else None, value],
                    "source": [before[1] if before else None, source]})
    return actual


def project_outcome(project, deadline: dt.date) -> str:
    from ..vocabulary import Stage, Status

    if project.status is Status.CANCELLED:
        return "cancelled"
    actual = {m.stage: m.actual_date for m in project.milestones if m.stage is not None}
    if project.status in (Status.COMPLETED, Status.IN_USE):
        done = actual.get(Stage.ACCEPTANCE) or actual.get(Stage.IN_USE)
        if done is None:
            return "completed_undated"
        return "on_time" if done <= (project.planned_end or deadline) else "late"
    if project.status is Status.SUSPENDED:  # 停建 or 缓建: neither built on nor "not started"
        return "suspended"
    if project.status is Status.CONSTRUCTION or actual.get(Stage.START):
        return "construction"
    if project.status is None:  # nobody has said: not counted as not started (未填报 is not 0)
        return "unknown"
    return "not_started"


def evaluation(plan: Plan) -> dict:
    """The plan's indicators against their targets and its projects by outcome."""
    indicators = []
    for indicator in plan.indicators:
        latest = indicator.actuals[-1] if indicator.actuals else None
        judged = judged_by(indicator)
        indicators.append({"indicator": indicator, "latest": latest,
                           "attained": attained(indicator, latest.value) if latest else None,
                           # How the target is read when the plan prints no ≥ or ≤ (shown beside it),
                           # and from what: a range's lower end (1-2个: ≥1) or the base-year value.
                           "read_as": judged_rule(judged) if judged and not indicator.comparator else None,
                           "read_from": "range" if _RANGE.match(str(indicator.target or "")) else "baseline"})
    deadline = dt.date(plan.period_end or 2100, 12, 31)
    projects = db.session.scalars(
        sa.select(Project).join(project_plans, project_plans.c.project_id == Project.id)
        .where(project_plans.c.plan_id == plan.id, Project.kind.in_(BUILDING_KINDS))
        .order_by(Project.name)).all()
    by_outcome: dict[str, list] = {outcome: [] for outcome in OUTCOMES}
    for project in projects:
        by_outcome[project_outcome(project, deadline)].append(project)
    planned = [p.total_investment for p in projects if p.total_investment is not None]
    # What was invested by the plan's end, from the last report of its period: an ended plan is
    # not credited with the months after it (an evaluation of 2021—2025 read in 2026 counted
    # 2026's reports). A plan not yet ended: the latest report, as the list shows.
    ended = deadline < clock.today()
    at_end = invested_by((project.id for project in projects), until=deadline.replace(day=1) if ended else None)
    invested = list(at_end.values())
    return {"indicators": indicators, "by_outcome": by_outcome, "projects": projects,
            "planned": sum(planned, Decimal(0)) if planned else None, "planned_count": len(planned),
            "invested": sum(invested, Decimal(0)) if invested else None, "invested_count": len(invested),
            "invested_of": at_end,
            "invested_label": (_("截至 %(year)s 年底累计完成投资", year=deadline.year) if ended
                               else _("累计完成投资"))}


def invested_by(project_ids, until: dt.date | None = None) -> dict[int, Decimal]:
    """Each project's 自开工累计完成投资 by its last monthly report up to ``until`` (a month's
    first day; every report when None), where that report states it."""
    from ..progress.models import MonthlyReport

    ids = list(project_ids)
    if not ids:
        return {}
    within = [MonthlyReport.project_id.in_(ids), *([MonthlyReport.month <= until] if until else [])]
    last = (sa.select(MonthlyReport.project_id, sa.func.max(MonthlyReport.month).label("month"))
            .where(*within).group_by(MonthlyReport.project_id).subquery())
    rows = db.session.execute(sa.select(MonthlyReport.project_id, MonthlyReport.invested_total).join(
        last, sa.and_(MonthlyReport.project_id == last.c.project_id, MonthlyReport.month == last.c.month)))
    return {project_id: amount for project_id, amount in rows if amount is not None}
