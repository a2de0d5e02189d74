"""Named projects in a plan's prose: "推进A、B、C迁建项目", "建设宜春市公共卫生应急指挥中心",
the items of a 专栏 box ("（一）重大疫情救治基地建设工程。…").

A name is a run of words that ends in what a facility or a programme is called (医院, 中心, 平台,
工程, 项目 …), with the verbs that introduce it (加快推进, 支持新建 …) taken off the front. General
sentences ("加强基层医疗卫生机构建设") name a kind of institution, not one: they are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# What a named facility is called at the end of its name (longest first when matching).
FACILITY_ENDINGS = (
    "人民医院", "中医医院", "中医院", "医院", "卫生院", "保健院", "妇幼保健院", "中心", "用房", "大楼", "住院楼",
    "门诊楼", "综合楼", "医技楼", "实验楼", "实验室", "基地", "平台", "系统", "储备库", "物资库", "血站",
    "急救站", "中医馆", "学校", "学院", "小镇", "养老院", "养护院", "护理院", "示范区", "新院", "院区",
    "分院", "园区", "数据中心", "云",
)
PROGRAMME_ENDINGS = ("工程", "项目", "计划", "行动", "活动")
# Words of building that may close a name: "阳春市中医院迁建", "海陵综合医院升级改造".
WORK_ENDINGS = ("易地新建", "异地新建", "迁建", "改扩建", "扩建", "升级改造", "提档升级", "一期", "二期",
                "三期", "新建", "改造")
ENDINGS = tuple(sorted(set(FACILITY_ENDINGS + PROGRAMME_ENDINGS + WORK_ENDINGS), key=len, reverse=True))

# Verbs and adverbs that introduce a name; taken off its front, repeatedly.
LEADING_WORDS = tuple(sorted({
    "加快推进", "积极推进", "大力推进", "全力推进", "稳步推进", "继续推进", "持续推进", "有序推进", "加速推进",
    "扎实推进", "深入推进", "推进", "推动", "加快", "加速", "加强", "积极", "大力", "持续", "继续", "全面",
    "深入", "着力", "重点", "力争", "争取", "积极争取", "实施", "启动", "完成", "建成", "建设", "新建",
    "改扩建", "扩建", "迁建", "支持", "依托", "打造", "设置", "创建", "建立", "完善", "健全", "做大做强",
    "做强", "做优", "做实", "抓好", "落实", "开展", "谋划", "规划", "筹建", "组建", "成立", "引进",
    "新建或改扩建", "探索建立", "探索", "推动建设", "加快建设", "规划建设", "优化", "提升", "强化",
    "和", "及", "以及", "与", "或", "等", "的", "了", "并", "同时", "进一步", "逐步", "尽快", "适时",
    "确保", "实现", "促进", "鼓励", "支持建设", "推进建设", "抓", "要", "将", "把", "在", "对", "为",
    "年底前", "年内", "到", "办好", "建好", "用好", "抓紧", "配合", "参与", "融入", "完成了", "实施了",
    "扎实", "高质量", "高标准", "规范", "着手", "重点支持", "重点推进", "重点建设", "上",
}, key=len, reverse=True))
TRAILING_WORDS = ("等项目建设", "等工程建设", "项目建设", "工程建设", "等项目", "等工程", "等机构", "等科研平台",
                  "等", "建设工作", "工作")

# A kind of institution, not a named one: with nothing more specific in front, a general sentence.
GENERIC_CORES = re.compile(
    r"^(?:基层|各级|各类|乡镇|城乡|全市|全区|全县|市县|县级|县域|镇村|市县两级|公立|民营|社会办|二级以上|三级)*"
    r"(?:医疗卫生机构|医疗机构|卫生机构|卫生院|乡镇卫生院|村卫生室|卫生室|社区卫生服务中心|卫生服务中心|"
    r"医院|综合医院|中医医院|专科医院|妇幼保健机构|疾控机构|疾病预防控制机构|急救中心|医养结合机构|"
    r"养老机构|托育机构|服务体系|体系|网络|队伍|能力|制度|机制|学科|专科|科室|设施|基础设施|"
    r"信息化|服务|人才|中心)$")
GENERIC_TAILS = ("体系建设", "能力建设", "队伍建设", "制度建设", "网络建设", "学科建设", "专科建设",
                 "机制建设", "标准化建设", "规范化建设", "信息化建设", "文化建设", "能力提升", "体系", "机制")
# Something that makes a name one place's own: a region word, an ordinal, a number, a quotation.
SPECIFIC = re.compile(r"[省市县区镇乡村]|第[一二三四五六七八九十\d]|\d|“|《|[A-Z]")

SENTENCE_END = re.compile(r"(?<=[。；！？!?;])")
CLAUSE_SPLIT = re.compile(r"[，,：:]")
ENUMERATOR = re.compile(r"^\s*(?:\t)?\s*(?:[（(][一二三四五六七八九十\d]+[）)]|\d+\s*[．.、]|[一二三四五六七八九十]+、|"
                        r"[①②③④⑤⑥⑦⑧⑨⑩])\s*")


@dataclass
class NameHit:
    name: str
    quote: str  # verbatim on the line: the name itself, or the coordinated span it was read from
    start: int  # offset of the quote on its line
    sentence: str  # the sentence it stands in (figures and status are read from it)
    header: bool = False  # the name of a 专栏 item: "（一）X工程。…"


def _strip_leading(text: str) -> str:
    changed = True
    while changed and text:
        changed = False
        for word in LEADING_WORDS:
            if text.startswith(word) and len(text) > len(word) + 1:
                text = text[len(word):]
                changed = True
                break
        stripped = re.sub(r"^(?:依托|以|在|对)[^，、]{2,20}?(?:建设|设置|建立|为)", "", text)
        if stripped != text and len(stripped) >= 3:
            text, changed = stripped, True
        stripped = re.sub(r"^[\d一二三四五六七八九十两百千]+(?:[-—~～至][\d一二三四五六七八九十]+)?"
                          r"(?:个|所|家|间|座|处|批)", "", text)
        if stripped != text and len(stripped) >= 3:
            text, changed = stripped, True
    return text


def _strip_trailing(text: str) -> str:
    for word in TRAILING_WORDS:
        if text.endswith(word) and len(text) > len(word) + 2:
            text = text[: -len(word)]
            break
    return text


def ending_of(name: str) -> str | None:
    for ending in ENDINGS:
        if name.endswith(ending):
            return ending
    return None


def ends_like_a_name(name: str) -> bool:
    if ending_of(name):
        return True
    # "…建设" closes a name only when what it builds is named: "互联网医院建设", "五大中心建设".
    return (name.endswith("建设") or name.endswith("创建")) and ending_of(name[:-2]) is not None


def is_generic(name: str) -> bool:
    """"基层医疗卫生机构建设", "乡镇卫生院标准化建设": a kind of institution or a task, not one."""
    core = re.sub(r"(?:标准化|规范化|提档升级|提标扩能|升级改造|能力提升)?(?:建设|创建)$", "", name)
    if GENERIC_CORES.match(core):
        return True
    if name.endswith(GENERIC_TAILS) and not name.endswith(PROGRAMME_ENDINGS) and not SPECIFIC.search(name):
        return True
    return False


def _balanced(text: str) -> bool:
    return text.count("（") == text.count("）") and text.count("(") == text.count(")") \
        and text.count("“") == text.count("”")


def split_outside_brackets(text: str, separator: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        if char in "（(“《":
            depth += 1
        elif char in "）)”》":
            depth = max(0, depth - 1)
        if char == separator and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def names_in_line(text: str) -> list[NameHit]:
    """The named projects printed on one line of prose."""
    hits: list[NameHit] = []
    offset = 0
    for sentence in SENTENCE_END.split(text):
        if not sentence:
            continue
        sentence_start = text.find(sentence, offset)
        offset = sentence_start + len(sentence)
        hits.extend(_names_in_sentence(sentence, sentence_start))
    return hits


def header_name(text: str) -> tuple[str, int] | None:
    """The name of a 专栏 item: "（一）重大疫情救治基地建设工程。" or "1．健全医养结合机制：…"."""
    match = ENUMERATOR.match(text)
    if not match:
        return None
    rest = text[match.end():]
    head = re.split(r"[。：:；]", rest, maxsplit=1)[0].strip()
    if not head or len(head) > 40 or "，" in head or head == rest.strip():
        return None
    return head, text.find(head)


def _names_in_sentence(sentence: str, sentence_start: int) -> list[NameHit]:
    hits: list[NameHit] = []
    position = 0
    for clause in split_outside_brackets(sentence, "，"):
        clause_start = sentence.find(clause, position)
        position = clause_start + len(clause)
        for piece in re.split(r"[：:]", clause):
            piece_start = sentence.find(piece, clause_start)
            hits.extend(_names_in_clause(piece, sentence_start + piece_start, sentence))
    return hits


def _names_in_clause(clause: str, clause_start: int, sentence: str) -> list[NameHit]:
    clause = clause.rstrip("。；;！!？?").strip()
    clause = ENUMERATOR.sub("", clause)
    if len(clause) < 3:
        return []
    parts = split_outside_brackets(clause, "、")
    hits: list[NameHit] = []
    if len(parts) > 1:
        hits.extend(_coordinated(parts, clause, clause_start, sentence))
        return hits
    name = _clean(clause)
    if name and ends_like_a_name(name) and not is_generic(name):
        start = clause.find(name)
        hits.append(NameHit(name, name, clause_start + max(start, 0), sentence))
    return hits


def _clean(text: str) -> str:
    text = text.strip().strip("“”\"'").strip()
    text = _strip_trailing(text)
    text = _strip_leading(text)
    text = text.strip("“”\"' 　")
    if text.startswith("“") and text.endswith("”"):
        text = text[1:-1]
    while text and not _balanced(text) and text[0] in "（(“":
        text = text[1:]
    if not _balanced(text) or len(text) < 3 or len(text) > 60:
        return ""
    return text


def _coordinated(parts: list[str], clause: str, clause_start: int, sentence: str) -> list[NameHit]:
    """"推进A、B、C迁建项目": each of A, B, C is a project; the shared ending goes to each."""
    last = _clean(parts[-1])
    last = re.sub(r"^(.*?)(?:等)$", r"\1", last)
    shared = ""
    last_name = last
    if last:
        # The shared ending is what the last part adds after its own facility: "C迁建项目" → "迁建项目".
        for ending in ("迁建项目", "迁建", "易地新建项目", "改扩建项目", "改扩建", "升级改造项目", "升级改造",
                       "建设项目", "项目", "工程", "建设"):
            if last.endswith(ending) and ending_of(last[: -len(ending)] or "x") in FACILITY_ENDINGS:
                shared = ending if ending not in {"建设", "项目", "工程", "建设项目"} else ""
                break
    names: list[str] = []
    for index, part in enumerate(parts):
        name = _clean(part) if index < len(parts) - 1 else last_name
        if not name:
            continue
        if index < len(parts) - 1 and shared and ending_of(name) in FACILITY_ENDINGS:
            name = name + shared
        names.append(name)
    named = [name for name in names if ends_like_a_name(name) and not is_generic(name)]
    # A list of kinds ("儿童、老年病、康复等专科医院") names no facility: only the last part ends
    # in a facility word and the others are bare words.
    if len(named) == 1 and len(names) > 2 and named[0] == names[-1]:
        whole = _clean(clause)
        if whole and ends_like_a_name(whole) and not is_generic(whole):
            start = clause.find(whole)
            return [NameHit(whole, whole, clause_start + max(start, 0), sentence)]
        return []
    quote = clause.strip()
    first = _strip_leading(quote)
    quote_start = clause.find(first) if first else 0
    quote = clause[quote_start:].rstrip("。；;").strip()
    return [NameHit(name, name if name in clause else quote,
                    clause_start + (clause.find(name) if name in clause else quote_start), sentence)
            for name in named]
