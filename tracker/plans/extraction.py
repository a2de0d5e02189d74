"""From a plan's numbered lines to the candidates a person confirms: projects and indicators.

``extract(lines, plan=KEY, regions=..., existing=...)`` returns
``{"plan": KEY, "projects": [...], "indicators": [...]}``. Project fields carry the names of
``tracker export --format json``; every figure carries the line and the exact quote it rests on
(the quote stands verbatim on its line and prints the number: the rule of
``tracker/seeding/provenance.py``, checked by :func:`provenance_problems`).

Pure: no database, no application. The caller passes the regions ((code, name, former names)) and
the projects already tracked ((id, name, aliases)).
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Sequence

from .candidates import (BUILT_WORDS, ONGOING_WORDS, Candidate, as_dict, merge, nature_term,
                         provenance_problems, status_of)
from .figures import CLAUSE_END, Figure, figures_in
from .indicators import indicator_candidates, is_indicator_table
from .matching import (KnownProject, KnownProjects, ProjectRow, RegionIndex, RegionRef, RegionRow, as_known,
                       as_region, match_key)
from .prose import (MARKUP, SPECIFIC, NameHit, clean_name, ends_like_a_name, header_name, is_generic, is_project_context,
                    names_in_line)
from .table_projects import table_candidates
from .tables import find_tables

__all__ = ["KnownProject", "RegionRef", "extract", "match_key", "provenance_problems"]

# The Five-Year periods a plan may name; the plan's own is the one it names most.
PERIODS = ("十一五", "十二五", "十三五", "十四五", "十五五", "十六五")
# Headings of the part of a plan that reports the previous period.
PAST_HEADING = re.compile(r"发展基础|发展现状|发展成就|主要成就|工作回顾|取得的成效")
DONE_WORDS = re.compile(r"建成|完成|竣工|投用|投入使用|完工")
HEADING = re.compile(r"^\s*(?:第[一二三四五六七八九十\d]+[章节]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])")


def plan_period(lines: Sequence[str]) -> str | None:
    """"十四五" for a 14th plan: the period of its title (its first lines), else the one its text
    names most often (the later one on a tie)."""
    title = "".join([line for line in lines if line.strip()][:5])
    for period in reversed(PERIODS):
        if period in title:
            return period
    text = "\n".join(lines)
    counts = {period: text.count(period) for period in reversed(PERIODS)}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else None


def previous_period(period: str | None) -> str:
    if period in PERIODS and PERIODS.index(period) > 0:
        return PERIODS[PERIODS.index(period) - 1]
    return "十三五"


def extract(lines: Sequence[str], plan: str, regions: Iterable[RegionRow] = (),
            existing: Iterable[ProjectRow] = (), plan_region: str | None = None) -> dict:
    """The candidates of one plan document; ``lines[N-1]`` is line N.

    ``regions``: (code, name, former names); ``existing``: (id, name, aliases[, region code]) of
    the projects already tracked; ``plan_region``: the code of the plan's region, the area a
    candidate that names no region is matched in.
    """
    region_index = RegionIndex([as_region(region) for region in regions], plan_region)
    known = KnownProjects([as_known(project) for project in existing], region_index)
    tables = find_tables(list(lines))
    table_lines: set[int] = set()
    candidates: list[Candidate] = []
    indicator_rows: list[dict] = []
    past = previous_period(plan_period(lines))
    past_tables = [table for table in tables if is_indicator_table(table) and _is_past(table.title, past)]
    for table in tables:
        if len(table.rows) <= 2 and all(len(row) == 1 for row in table.rows):
            continue  # a 专栏 box's title: its items are prose
        table_lines.update(range(table.first_line, table.last_line + 1))
        if is_indicator_table(table):
            if not _is_past(table.title, past):
                indicator_rows.extend(indicator_candidates(table, past_tables))
            continue
        candidates.extend(table_candidates(table))
    candidates.extend(_prose_candidates(lines, table_lines, past))
    merged = merge(candidates, region_index)
    return {
        "plan": plan,
        "projects": [as_dict(candidate, region_index, known) for candidate in merged],
        "indicators": indicator_rows,
    }


# Prose ----------------------------------------------------------------------------------------

# A table's caption: "表2 …", "附表1：…", "（续表2）".
CAPTION = re.compile(r"^[（(]?(?:表\s*[0-9０-９一二三四五六七八九十]+(?:[-—－.．][0-9]+)?(?:\s|[：:）)]|$)"
                     r"|(?:附表|续表)[^，,。；;]*$)"  # "附表 2027年卫生健康重点项目推进计划" too
                     r"|^(?:如|详见|见)?下表")  # "下表为“十五五”期间其他重点项目。" introduces one


def _prose_candidates(lines: Sequence[str], table_lines: set[int], past: str) -> list[Candidate]:
    """``past``: the period before the plan's ("十三五" for a 14th plan)."""
    past_heading = re.compile(PAST_HEADING.pattern + f"|{past}.{{0,6}}(?:成就|回顾|基础|进展)")
    # A sentence that reports the past period, wherever it stands.
    past_period = re.compile(rf"{past}.{{0,2}}(?:期间|时期|以来)|截[至止]20[123]\d年|过去五年|五年来")
    result: list[Candidate] = []
    in_past = False
    in_box = False
    blank_run = 0
    for number, text in enumerate(lines, start=1):
        if number in table_lines:
            continue
        stripped = text.strip()
        if not stripped:
            blank_run += 1
            if blank_run >= 2:
                in_box = False
            continue
        blank_run = 0
        stripped = MARKUP.sub("", stripped, count=1)
        if stripped.startswith("专栏"):
            in_box = True
            continue
        if CAPTION.match(stripped):
            continue  # a table's title names the table, no project ("表2 阳西县“十五五”…重点建设项目")
        if _is_heading(stripped):
            in_past = bool(past_heading.search(stripped))
            in_box = False
            # A short line may still be a project of its own ("1. 县人民医院迁建项目"), when it names
            # one place's facility; a heading such as "（二）公共卫生项目" does not.
            hits: list[NameHit] = [hit for hit in names_in_line(text) if SPECIFIC.search(hit.name)]
            result.extend(_from_hits(hits, number, text, in_past, past_period))
            continue
        hits = []
        prose = names_in_line(text)
        if in_box:
            head = header_name(text)
            if head:
                printed = head[0]
                name = _box_name(printed)
                if name and not _lists_several(printed, text.find(printed), prose):
                    hits.append(NameHit(name, printed, text.find(printed), text, header=True))
        headers, named = list(hits), set()
        for hit in prose:
            # In a 专栏 item the item's own name printed again ("县120急救指挥中心：新建急救指挥中心")
            # is the same project: the item's figures then stay with it.
            if hit.name in named or any(_same_name(hit.name, header.name) for header in headers):
                continue
            hits.append(hit)
            named.add(hit.name)
        result.extend(_from_hits(hits, number, text, in_past, past_period))
    return result


def _lists_several(head: str, at: int, prose: list[NameHit]) -> bool:
    """Whether a 专栏 item's head is a list of projects ("推进A、B改扩建项目": one verb covers
    several facilities), which the prose reads as two or more names within the head: those are
    the projects, and the head as a whole is none."""
    if "、" not in head:
        return False
    within = {hit.name for hit in prose if at <= hit.start < at + len(head)}
    return len(within) >= 2


def _same_name(first: str, second: str) -> bool:
    first, second = match_key(first), match_key(second)
    return first in second or second in first


def _box_name(head: str) -> str | None:
    name = clean_name(head)
    if not name:
        return None
    if ends_like_a_name(name) or name.endswith(("机制", "体系", "建设", "创建")):
        return name
    return None


def _from_hits(hits: list[NameHit], number: int, text: str, in_past: bool,
               past_period: re.Pattern) -> list[Candidate]:
    result = []
    figures: dict[str, list[tuple[Figure, str]]] = {}  # each sentence's, found once for its names
    by_sentence: dict[str, list[NameHit]] = {}
    for hit in hits:
        by_sentence.setdefault(hit.sentence, []).append(hit)
    for sentence, found in by_sentence.items():
        # The names that are projects here: not a kind of institution, not one named as an actor,
        # not a building the project named before the colon builds.
        sentence_hits = [hit for hit in _without_parts(text, sentence, found)
                         if hit.header or (not is_generic(hit.name) and is_project_context(hit))]
        if not sentence_hits:
            continue
        # What the plan reports as done before it: its 发展基础 part, or a sentence in the past
        # ("“十三五”期间，建成…", "…已建成投入使用").
        past = in_past or bool(past_period.search(sentence) and DONE_WORDS.search(sentence))
        if past and (BUILT_WORDS.search(sentence) or not ONGOING_WORDS.search(sentence)):
            continue
        if not past and BUILT_WORDS.search(sentence) and not ONGOING_WORDS.search(sentence):
            continue
        for hit in sentence_hits:
            candidate = Candidate(hit.name)
            candidate.add_source(number, hit.quote, ["name"])
            # The word right before the name, within its own list item: "新建县第二人民医院".
            before = re.split(r"[、，。；：,;:]", text[max(0, hit.start - 8): hit.start])[-1]
            term = nature_term(hit.name)
            if term:
                candidate.build_nature_term = term
                candidate.add_source(number, hit.quote, ["build_nature"])
            elif term := nature_term(before):
                candidate.build_nature_term = term
                start = text.rfind(term, 0, hit.start)
                candidate.add_source(number, text[start: hit.start + len(hit.quote)], ["build_nature"])
            status = status_of(sentence) if len(sentence_hits) == 1 else None
            if status and status != "construction" and not in_past:
                status = None  # "建成投用" in a plan's future tense is a target, not a status
            if status:
                candidate.status = status
                candidate.add_source(number, sentence.strip(), ["status"])
            # "推进A、B、C卫生院迁建项目，每所总投资约1200万元": each one's
            each = len(sentence_hits) > 1
            if sentence not in figures:
                figures[sentence] = _figures_after(text, sentence)
            for figure, quote in figures[sentence]:
                if not each or EACH.match(quote):
                    candidate.add_figure(figure, number, quote)
            result.append(candidate)
    return result


# A building of a project, named after it: "X项目：新建门诊医技楼、住院楼", "改建P2实验室",
# "完成住院楼、医技楼主体及配套工程".
BUILDING_PART = re.compile(r"(?:楼|用房|实验室|病房|院区|附属设施|配套设施|主体工程|配套工程)$")
PLACE_WORD = re.compile(r"[省市县区镇乡村]")
CLAUSE_BREAK = re.compile(r"[，,；;：:]")


def _without_parts(text: str, sentence: str, hits: list[NameHit]) -> list[NameHit]:
    """The names of a sentence less the buildings its project builds, named after it:
    "定南县人民医院新院区建设项目：新建门诊医技楼、住院楼，…总投资60000万元" (before a colon), or
    "改扩建龙南市疾病预防控制中心实验楼，改造面积3600平方米，建设生物安全二级（P2）实验室，总投资
    1850万元" (in a clause after the project's): one project, whose figures are the line's (the
    buildings as projects beside it left the figures to none). A building that names its own
    place ("推进以下项目：县妇幼保健院门诊楼、…") stays a project."""
    start = text.find(sentence)
    colon = re.search(r"[：:]", sentence)
    owner = next((hit for hit in hits if SPECIFIC.search(hit.name) and is_project_context(hit)
                  and (colon is None or hit.start < start + colon.start())), None)
    if owner is None:
        return hits
    at = start + colon.start() if colon is not None else owner.start + len(owner.quote)

    def a_part(hit: NameHit) -> bool:
        if hit is owner or hit.start < at or not BUILDING_PART.search(hit.name) or PLACE_WORD.search(hit.name):
            return False
        return colon is not None or bool(CLAUSE_BREAK.search(text, at, hit.start))
    return [hit for hit in hits if not a_part(hit)]


# A figure said of each of several projects named together: "每所总投资约1200万元", "各新增床位50张".
EACH = re.compile(r"^(?:每(?:所|个|家|座|处|间|栋|项|个项目)|各|均)")


# A sentence of a line: up to and with its 。 or ；, or the line's end.
SENTENCE = re.compile(r"[^。；]*(?:[。；]|$)")


def _figures_after(text: str, sentence: str) -> list[tuple[Figure, str]]:
    """The figures printed in a name's sentence and the sentences after it on the same line, until
    another sentence names a project, each with its quote. Found once per sentence and read
    sentence by sentence from it (a line of thousands of names, each reading the rest of the line
    again, was quadratic)."""
    start = text.find(sentence)
    following = [sentence]
    for found in SENTENCE.finditer(text, start + len(sentence)):
        more = found.group()
        if not more.strip() or names_in_line(more):
            break
        following.append(more)
    pairs = []
    for piece in following:
        quotes = Clauses(piece)
        pairs += [(figure, quotes.around(figure)) for figure in figures_in(piece)]
    return pairs


class Clauses:
    """A sentence cut into its clauses once, each figure's quote then found by its position (a
    line of 4,000 figures cut again for each was quadratic: a 1 MB line took 253 s)."""

    def __init__(self, sentence: str):
        self.sentence = sentence
        self.clauses = re.split(CLAUSE_END, sentence)
        self.starts = list(itertools.accumulate((len(clause) for clause in self.clauses[:-1]), initial=0))

    def around(self, figure: Figure) -> str:
        """The clause holding the figure, verbatim: short enough to read, long enough to show the words."""
        index = bisect.bisect_right(self.starts, figure.start) - 1
        if 0 <= index < len(self.clauses) and figure.start < self.starts[index] + len(self.clauses[index]):
            clause = MARKUP.sub("", self.clauses[index], count=1)
            return clause.strip().rstrip("，。；,;：:")
        return self.sentence.strip()


def _is_heading(text: str) -> bool:
    if len(text) > 30 or re.search(r"[。；，,]", text):
        return False
    return bool(HEADING.match(text)) or len(text) <= 20


def _is_past(title: str, past: str) -> bool:
    """The table of the previous period's indicators: "“十三五”规划主要指标完成情况"."""
    return past in title or "完成情况" in title


