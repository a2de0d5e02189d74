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
    "分院", "园区", "数据中心", "云", "机构",
    "楼",  # any other building of a hospital: 传染病楼, 感染楼, 病房楼, 康复楼
)
PROGRAMME_ENDINGS = ("工程", "项目", "计划", "行动", "活动")
# Words of building that may close a name: "阳春市中医院迁建", "海陵综合医院升级改造".
WORK_ENDINGS = ("易地新建", "异地新建", "迁建", "改扩建", "扩建", "升级改造", "提档升级", "一期", "二期",
                "三期", "新建", "改造")
ENDINGS = tuple(sorted(set(FACILITY_ENDINGS + PROGRAMME_ENDINGS + WORK_ENDINGS), key=len, reverse=True))

# Verbs and adverbs that introduce a name; taken off its front, repeatedly. No single characters
# that begin place names (上海, 和平区, 将乐县); 以, 对, 在 and 为 begin none.
LEADING_WORDS = tuple(sorted({
    "加快推进", "积极推进", "大力推进", "全力推进", "稳步推进", "继续推进", "持续推进", "有序推进", "加速推进", "扎实推进", "深入推进", "推进",
    "推动", "加快", "加速", "加强", "积极", "大力", "持续", "继续", "全面", "深入", "着力", "重点", "力争", "争取", "积极争取",
    "实施", "启动", "完成", "建成", "建设", "新建", "续建", "改扩建", "扩建", "迁建", "改建", "修建", "支持", "依托", "打造", "设置", "创建", "建立",
    "完善", "健全", "做大做强", "做强", "做优", "做实", "抓好", "落实", "开展", "谋划", "规划", "筹建", "组建", "成立", "引进",
    "新建或改扩建", "探索建立", "探索", "推动建设", "加快建设", "规划建设", "优化", "提升", "强化", "同时", "进一步", "逐步", "尽快",
    "适时", "确保", "实现", "促进", "鼓励", "支持建设", "推进建设", "年底前", "年内", "到", "办好", "建好", "用好", "抓紧", "配合",
    "参与", "融入", "完成了", "实施了", "扎实", "高质量", "高标准", "规范", "着手", "重点支持", "重点推进", "重点建设", "主要通过",
    "通过", "主要是", "重点是", "力争全市", "全市", "全区", "全县", "构建", "引导和支持", "引导", "加大对", "加大", "发展",
    "统筹推进", "统筹", "科学设置", "巩固", "创办", "健立", "申报和承担", "申报", "承担", "督促", "充分发挥", "发挥", "特别是",
    "认真总结", "结合", "扶持", "搭建", "深化", "坚持", "优先支持", "培育", "提高", "增强", "帮扶", "原则上",
    "以", "对", "抓实", "和规划", "努力建设", "努力", "预留", "组织开展", "组织", "获批新设", "获批", "新设",
    "所有", "签订", "布局一批", "布局", "在", "为",
    # what points at a list: "推进以下重点项目建设" names none of them
    "以下", "以上", "下列", "上述", "前述",
}, key=len, reverse=True))
# The same words by their first character, longest first as above: a name is compared with the
# few that can begin it, not with all 200 (the extraction of a plan strips tens of thousands).
_LEADING_BY_FIRST: dict[str, tuple[str, ...]] = {}
for _word in LEADING_WORDS:
    _LEADING_BY_FIRST[_word[0]] = (*_LEADING_BY_FIRST.get(_word[0], ()), _word)
TRAILING_WORDS = ("等项目建设", "等工程建设", "项目建设", "工程建设", "等项目", "等工程", "等机构", "等科研平台",
                  "等", "建设工作", "工作")

# A kind of institution, not a named one: with nothing more specific in front, a general sentence.
GENERIC_CORES = re.compile(
    r"^(?:基层|各级|各类|乡镇|城乡|全市|全区|全县|市县|县级|县域|镇村|市县两级|公立|民营|社会办|二级以上|三级|"
    r"二级及以上|镇|乡|村|社区|城市|农村|全部|所有|各|现有|相关|市级|示范性|非营利性|公办|专业|若干|"
    r"社会力量举办|规范化)*"
    r"(?:医疗卫生机构|医疗机构|卫生机构|卫生院|乡镇卫生院|村卫生室|卫生室|社区卫生服务中心|卫生服务中心|"
    r"医院|综合医院|中医医院|中医院|专科医院|妇幼保健机构|疾控机构|疾病预防控制机构|急救中心|医养结合机构|"
    r"养老机构|托育机构|服务体系|体系|网络|队伍|能力|制度|机制|学科|专科|科室|设施|基础设施|"
    r"康复医院|护理院|老年病医院|综合性医院|照护服务机构|婴幼儿照护服务机构|养老服务机构|公共卫生机构|"
    r"医疗卫生服务机构|卫生服务机构|服务机构|"
    r"信息化|服务|人才|中心)$")
GENERIC_TAILS = ("体系建设", "能力建设", "队伍建设", "制度建设", "网络建设", "学科建设", "专科建设",
                 "机制建设", "标准化建设", "规范化建设", "信息化建设", "文化建设", "能力提升", "体系", "机制")
# Something that makes a name one place's own: a region word, an ordinal, a number, a quotation.
SPECIFIC = re.compile(r"[省市县区镇乡村]|第[一二三四五六七八九十\d]|\d|“|《|[A-Z]")

# Markdown's marks before a line's words: "> ", "## ", "- ", "* ".
MARKUP = re.compile(r"^\s*(?:>\s*)*(?:#{1,6}\s+|[-*+•·]\s+)?")
ENUMERATOR = re.compile(r"^\s*(?:\t)?\s*(?:[（(][一二三四五六七八九十\d]+[）)]|\d+\s*[．.、]|[一二三四五六七八九十]+、|"
                        r"[①②③④⑤⑥⑦⑧⑨⑩]|第[一二三四五六七八九十\d]+[章节篇部分])\s*")


@dataclass
class NameHit:
    name: str
    quote: str  # verbatim on the line: the name itself, or the coordinated span it was read from
    start: int  # offset of the quote on its line
    sentence: str  # the sentence it stands in (figures and status are read from it)
    header: bool = False  # the name of a 专栏 item: "（一）X工程。…"
    clause: str = ""  # the words around it, up to the nearest comma: where a plan says what it does


# A facility is a project where the plan says it builds, moves, extends or sets it up; named as an
# actor ("由三级公立医院牵头", "认真总结市人民医院…的经验") it is not.
BUILD_CONTEXT = re.compile(r"设立|做好|做大做强|做强|做优|做实|布局|开展|创成|构建|建设|新建|迁建|改扩建|扩建|建成|推进|推动|加快|实施|设置|打造|筹建|启动|完成|创建|"
                           r"升级|改造|建立|成立|组建|规划|项目|工程|落地|争取|创办|投入使用|投用|续建|开工")


def is_project_context(hit: NameHit) -> bool:
    if hit.header or ending_of(hit.name) in PROGRAMME_ENDINGS + WORK_ENDINGS:
        return True
    return bool(BUILD_CONTEXT.search(hit.clause or hit.name))


# Verbs inside a run of words that begin the name: "宜春市人民医院建设市级重大疫情救治基地".
INNER_VERBS = re.compile(r"(?:打造成为|打造成|建设成为|建设成|建成为|设立|建设|设置|建立|新建|打造|实施|成立|组建|推进|加快|推动|开展|完成|支持|培育|创办|筹建)")
# Who acts, before an inner verb: a facility, an office, a place.
ACTORS = re.compile(r"(?:医院|卫生院|保健院|中心|学院|大学|委|政府|部门|集团|[省市县区镇])$")
CONJUNCTIONS = re.compile(r"以及|和|及|与|并|或")
TRAILING_PHRASES = re.compile(
    r"(?:等)?(?:一批|一系列)?(?:重点|重大)?(?:项目|工程)?(?:建设)?(?:落地建设|落地|全覆盖|取得明显成效|初步建成|基本建成|"
    r"全面建成|建成|投入使用|投用|为契机|为抓手|为重点|为龙头|为主体|工作|实现)$")
ONLY_KIND_WORDS = re.compile(r"^(?:重点|重大|主要|建设|工程|项目|工程项目|建设项目|重点项目|科研平台|平台|中心|"
                             r"系统|医院|基地|主体工程|[一二三]期工程|"
                             # programme words alone, however many: "项目建设", "重大工程项目", "各专项行动"
                             r"(?:各|一批|一系列|重点|重大|主要|专项|建设|工程|项目|行动|计划|活动|有)+|"
                             # an institution named by its kind alone, as a plan refers to its own
                             r"人民医院|中医院|中医医院|妇幼保健院|中心卫生院|卫生院|疾控中心|急救中心|"
                             # a kind of thing in general: "加强实验室建设", "打造一批创新平台"
                             r"实验室|创新平台|业务系统|宣讲活动|"
                             # a level of lab, not a lab: "建设P2实验室", "生物安全二级实验室和PCR实验室"
                             r"(?:P[1-4]|BSL-?[1-4]|PCR|生物安全[一二三四1-4]级|核酸检测)实验室)$")
# A campaign's slogan, "健康教育进家门、进学校、进社区": each "进…" is a place it goes to, no project.
SLOGAN_PLACE = re.compile(r"^进(?:家门|家庭|学校|校园|社区|单位|机关|企业|村镇|乡村|农村|医院)")


# What may stand before a name besides the leading words, each taken off when three characters or
# more are left, in this order.
LEADING_PHRASES = tuple(re.compile(pattern) for pattern in (
    r"^(?:依托|以|在|对)[^，、]{2,20}?(?:建设|设置|建立|为|下)",
    r"^(?:各|分别|均)?(?:建成|建设|新建|设置|建立)?[\d一二三四五六七八九十两百千]+"
    r"(?:[-—~～至][\d一二三四五六七八九十]+)?(?:个|所|家|间|座|处|批)(?:以上|左右)?",
    r"^(?:每个|各)[^，、]{0,12}?(?:至少|均)?(?:设置|建成|建有|建设|确定)[\d一两]+(?:个|所|家|间|座)",
    # A conjunction before a verb: the second of two verbs ("建立和完善…", "改造及新建…"), not a
    # name's first word ("和平医院").
    r"^(?:和|及|与|并|或)(?=(?:完善|实现|加强|推进|建设|提升|开展|健全|新建|改扩建|扩建|迁建|改造|打造|设立|"
    r"成立|建立|落实|优化))",
    r"^有计划地?",  # "有计划地推进…"
    r"^[一二三四五六七八九十]是",  # "一是推进…；二是…"
    r"^(?:到|至|在)?20\d\d\s*年(?:底|前|底前|内)?",
))


def _strip_leading(text: str) -> str:
    changed = True
    while changed and text:
        changed = False
        for word in _LEADING_BY_FIRST.get(text[0], ()):
            if text.startswith(word) and len(text) > len(word) + 1:
                text = text[len(word):]
                changed = True
                break
        for phrase in LEADING_PHRASES:
            stripped = phrase.sub("", text, count=1)
            if stripped != text and len(stripped) >= 3:
                text, changed = stripped, True
    return text


def _strip_trailing(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        for word in TRAILING_WORDS:
            if text.endswith(word) and len(text) > len(word) + 2:
                if word in {"项目建设", "工程建设"} and not ends_like_a_name(text[: -len(word)]):
                    text = text[:-2]  # "康养小镇健康产业项目建设" → "…项目"
                else:
                    text = text[: -len(word)]
                break
        stripped = TRAILING_PHRASES.sub("", text)
        if stripped != text and len(stripped) >= 3 and ends_like_a_name(stripped):
            text = stripped
    return text


def _bare(name: str) -> str:
    """The name without a closing parenthesis or quote: "…医院（第三人民医院）" → "…医院"."""
    return re.sub(r"[（(][^（）()]*[）)]$", "", name.rstrip("”\"》"))


def ending_of(name: str) -> str | None:
    name = _bare(name)
    for ending in ENDINGS:
        if name.endswith(ending):
            return ending
    return None


def only_kind_words(name: str) -> bool:
    """A kind of thing, or kinds joined: "实验室", "生物安全二级实验室和PCR实验室"."""
    return all(ONLY_KIND_WORDS.match(part) for part in re.split(f"{CONJUNCTIONS.pattern}|、", name) if part)


def ends_like_a_name(name: str) -> bool:
    if only_kind_words(name) or SLOGAN_PLACE.match(name):
        return False
    ending = ending_of(name)
    if ending in WORK_ENDINGS:
        # "市中医院改扩建", "市人民医院北院二期" name what is built; "各县（市、区）新建" does not.
        rest = _bare(name)[: -len(ending)]
        return bool(re.search(r"院|中心|站|库|楼|室|基地|用房|平台", rest))
    if ending:
        return True
    bare = _bare(name)
    # "…建设" closes a name only when what it builds is named: "互联网医院建设", "五大中心建设".
    return bare.endswith(("建设", "创建")) and ending_of(bare[:-2]) is not None


# "（不含乡镇卫生院提质改造工程）", "（含120急救分站）": what a project leaves out or takes in,
# not a project of its own.
EXCLUDED_OR_INCLUDED = re.compile(r"^(?:不含|不包括|除|含|包括|其中)")


def _after_inner_verb(name: str) -> str:
    """"宜春市人民医院建设市级重大疫情救治基地" → "市级重大疫情救治基地"."""
    for match in reversed(list(INNER_VERBS.finditer(name))):
        before, after = name[: match.start()], name[match.end():]
        if len(_bare(after)) < 4 or not ends_like_a_name(after) or re.match(r"^[一二三四]期|^工程", after):
            continue
        if ACTORS.search(before) or re.search(r"支持|鼓励|培育|依托|推动", before):
            return after
    return name


def _after_de(name: str) -> str:
    """"覆盖全市医疗机构的公共卫生信息平台" → "公共卫生信息平台"."""
    if "的" not in name:
        return name
    after = name.rsplit("的", 1)[1]
    if len(after) >= 4 and ends_like_a_name(after) and _balanced(after):
        return after
    return name
# A count before a kind of institution: "改造13个乡镇卫生院", "新建一批村卫生室".
COUNTED = re.compile(r"^[\u4e00-\u9fff]{0,4}?(?:[\d一二三四五六七八九十两百]+(?:个|所|家|座|处|间)|一批)")


def is_generic(name: str) -> bool:
    """"基层医疗卫生机构建设", "乡镇卫生院标准化建设", "改造13个乡镇卫生院": a kind of institution or
    a task, not one."""
    if "为中心" in name:  # "以人民健康为中心": a principle
        return True
    counted = COUNTED.match(name)
    if counted and counted.end() < len(name) and is_generic(name[counted.end():]):
        return True
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


def split_sentences(text: str) -> list[str]:
    """Sentences end at 。；！？ outside brackets: "A工程（重点是…；…）、B工程" stays one."""
    sentences, depth, current = [], 0, ""
    for char in text:
        current += char
        if char in "（(":
            depth += 1
        elif char in "）)":
            depth = max(0, depth - 1)
        elif char in "。；！？!?;" and depth == 0:
            sentences.append(current)
            current = ""
    if current:
        sentences.append(current)
    return sentences


def names_in_line(text: str) -> list[NameHit]:
    """The named projects printed on one line of prose."""
    hits: list[NameHit] = []
    offset = 0
    for sentence in split_sentences(text):
        sentence_start = text.find(sentence, offset)
        offset = sentence_start + len(sentence)
        for hit in _names_in_sentence(sentence):
            hit.start += sentence_start
            hits.append(hit)
        # A long parenthesis is a sentence of its own: "X工程（重点是…；实施妇幼保健机构建设项目，…）".
        for match in re.finditer(r"（([^（）]{12,})）", sentence):
            inner = match.group(1)
            for inner_sentence in split_sentences(inner):
                for hit in _names_in_sentence(inner_sentence):
                    hit.start += sentence_start + match.start(1) + inner.find(inner_sentence)
                    hits.append(hit)
    return hits


def header_name(text: str) -> tuple[str, int] | None:
    """The name of a 专栏 item: "（一）重大疫情救治基地建设工程。" or "1．健全医养结合机制：…"."""
    text = MARKUP.sub("", text, count=1)
    match = ENUMERATOR.match(text)
    if not match:
        return None
    rest = text[match.end():]
    head = re.split(r"[。：:；]", rest, maxsplit=1)[0].strip()
    if not head or len(head) > 40 or "，" in head or head == rest.strip():
        return None
    return head, text.find(head)


KIND_LIST = re.compile(r"^(?P<head>[^：:，。]{2,30})[：:](?P<items>[^：:]+?)[。；;]?$")


def _kind_list(sentence: str) -> list[NameHit] | None:
    """"创建9个省级中医重点(特色)专科：阳江市人民医院（治未病科、脑病科）、阳春市中医院（泌尿外科）":
    each institution listed gets the kind: "阳江市人民医院省级中医重点(特色)专科（治未病科、脑病科）"."""
    body = ENUMERATOR.sub("", sentence.strip())
    match = KIND_LIST.match(body)
    if not match:
        return None
    kind = _strip_leading(match["head"].strip())
    if not re.search(r"(?:专科|科|中心|基地|示范区|实验室)$", kind):
        return None
    bare_kind = re.sub(r"^[\dA-Za-z]+级", "", kind)
    hits = []
    for item in split_outside_brackets(match["items"], "、"):
        item = item.strip()
        bracket = re.search(r"[（(][^（）()]*[）)]$", item)
        institution = item[: bracket.start()] if bracket else item
        institution = _strip_leading(institution)
        if institution.endswith(bare_kind):
            name = institution
        elif ending_of(institution) in FACILITY_ENDINGS:
            name = institution + kind + (bracket.group(0) if bracket else "")
        else:
            return None
        hits.append(NameHit(name, item, sentence.find(item), sentence, header=True, clause=sentence))
    return hits or None


def _names_in_sentence(sentence: str) -> list[NameHit]:
    listed = _kind_list(sentence)
    if listed:
        return listed
    hits: list[NameHit] = []
    position = 0
    for clause in split_outside_brackets(sentence, "，"):
        for piece in split_outside_brackets(clause, "："):
            for part in split_outside_brackets(piece, ":"):
                start = sentence.find(part, position)
                if start < 0:
                    continue
                position = start + len(part)
                for hit in _names_in_clause(part, sentence):
                    hit.start += start
                    hits.append(hit)
    return hits


def _split_conjunctions(part: str) -> list[str]:
    """"A工程和B项目" → [A工程, B项目], only where what stands before the word is a name."""
    if re.search(r"[两三四五六七八九十]大", part):
        return [part]  # "卒中、胸痛…和危重孕产妇救治五大中心": one collective name
    pieces = []
    rest = part
    while True:
        for match in CONJUNCTIONS.finditer(rest):
            left = rest[: match.start()]
            right = rest[match.end():]
            if _depth(left) == 0 and ends_like_a_name(clean_name(left) or "x") and len(right) >= 3:
                pieces.append(left)
                rest = rest[match.end():]
                break
        else:
            pieces.append(rest)
            return pieces


def _depth(text: str) -> int:
    return text.count("（") + text.count("(") - text.count("）") - text.count(")")


# What a list's last facility may share with the others: the work done, not more words of a name.
SHARED_WORK = re.compile(r"(?:标准化|规范化|提档升级|提标扩能|升级改造|改扩建|扩建|迁建|易地新建|异地新建|整体搬迁|"
                         r"新院|院区|[一二三]期)(?:建设)?(?:项目|工程)?")
# A place named alone in a list, whose facility the list's last item names: a province, city,
# county or district, and a township (镇, 乡: "推进韩集镇、土桥镇、尹集镇卫生院迁建项目"), but not
# the words for towns in general, nor a 小镇 (a project itself: "热敏灸小镇").
REGION_WORD = re.compile(r"^(?!(?:城|乡|村|集|重|建制|各乡)镇$|(?:城|乡|各|每)乡$|.*小镇$)"
                         r"[\u4e00-\u9fff]{1,5}[省市县区镇乡]$")


# "对渡江镇、杨村镇、程龙镇等8个乡镇卫生院进行改扩建": places listed as some of a number of
# facilities, the members of a programme named beside them, not projects one by one.
SOME_OF_A_NUMBER = re.compile(r"等[\d一二三四五六七八九十两]+(?:个|所|家|座|处|间)")


# Where a project's figures begin (``figures._INVESTMENT`` and the others): a name ends before.
RUN_INTO_FIGURES = re.compile(r"(?:计划|估算|概算)?总投资|(?:总)?建筑面积|(?:总)?占地面积|新增床位|设置床位|编制床位")


def _names_in_clause(clause: str, sentence: str) -> list[NameHit]:
    if SOME_OF_A_NUMBER.search(clause) and "、" in clause:
        return []
    body = clause.rstrip("。；;！!？?")
    body = MARKUP.sub("", body, count=1)
    # A name run into its figures with no comma between: "某县第三人民医院扩建项目总投资12,000万元".
    figures = next((match for match in RUN_INTO_FIGURES.finditer(body, 4) if _depth(body[: match.start()]) == 0), None)
    if figures:  # (not in brackets: "新建县中医院康复大楼（建筑面积1.2万平方米）" is a name and its figure)
        body = body[: figures.start()]
    enumerator = ENUMERATOR.match(body)
    if enumerator:
        body = body[enumerator.end():]
    if len(body.strip()) < 3:
        return []
    parts = [piece for part in split_outside_brackets(body, "、") for piece in _split_conjunctions(part)]
    names = _names_of_parts(parts, body)
    hits = []
    for name in names:
        if not name or not ends_like_a_name(name) or is_generic(name) or EXCLUDED_OR_INCLUDED.match(name):
            continue
        if name in clause:
            hits.append(NameHit(name, name, clause.find(name), sentence, clause=clause))
        else:
            quote = body.strip()
            first = _strip_leading(quote)
            quote = quote[quote.find(first):] if first else quote
            hits.append(NameHit(name, quote, clause.find(quote), sentence, clause=clause))
    return hits


def _finish(text: str) -> str:
    name = clean_name(text)
    if not name:
        return ""
    # "阳西县各建成一间公立精神疾病专科医院" → "阳西县公立精神疾病专科医院"
    name = re.sub(r"^([\u4e00-\u9fff]{1,5}?[省市县区])(?:各|均|分别)(?:建成|建设|新建|设置)?"
                  r"(?:[一两二三\d]+(?:个|所|家|间|座))?", r"\1", name)
    # "人民医院启动三甲综合医院创建": the subject stays, the adverb of time goes.
    name = re.sub(r"(?<=[院心])(?:启动|积极|全面|力争|争取)(?=\S{3,})", "", name)
    name = _after_inner_verb(name)
    name = _after_de(name)
    name = clean_name(name) or name
    # "龙南市传染病医院建设" is the hospital; "五大中心建设", "互联网医院建设" name a programme.
    if name.endswith("建设") and ending_of(name[:-2]) in FACILITY_ENDINGS and not re.search(r"[两三四五六七八九十]大|互联网", name):
        name = name[:-2]
    return name


def _names_of_parts(parts: list[str], body: str) -> list[str]:
    if len(parts) == 1:
        return [_finish(parts[0])]
    tail: list[str] = []
    while len(parts) > 1 and not ends_like_a_name(_finish(parts[-1]) or "x"):
        tail.insert(0, parts.pop())  # "…专科医院或依托相关医疗机构建立精神科": the name is before
    if len(parts) == 1:
        return [_finish(parts[0])] + [_finish(part) for part in tail]
    last = _finish(parts[-1])
    shared = ""
    listed = re.match(r"^(.*?)等(" + "|".join(FACILITY_ENDINGS + ("平台", "系统")) + r")$", last)
    if listed:  # "云影像、云心电等平台"
        shared = listed.group(2)
        last = listed.group(1) + shared
    else:
        # "A中心、B中心标准化建设项目", "A医院、B医院迁建": what follows B's facility word is A's too,
        # when it says what is done ("项目", "工程" alone say nothing more than the facility).
        facility = re.search("(?:" + "|".join(sorted(FACILITY_ENDINGS, key=len, reverse=True)) + r")(?=[^院心]*$)",
                             _bare(last))
        if facility and facility.end() < len(_bare(last)):
            suffix = _bare(last)[facility.end():]
            if SHARED_WORK.fullmatch(suffix):
                shared = suffix
    names = []
    for part in parts[:-1]:
        raw = part.strip()
        if REGION_WORD.match(_strip_leading(raw) or raw):
            # "加快阳春市、阳西县急危重症救治中心建设": the region's own facility of the same kind.
            region = _strip_leading(raw) or raw
            remainder = re.sub(r"^[\u4e00-\u9fff]{1,5}?[省市县区镇乡](?:各|均|分别)?"
                               r"(?:建成|建设|新建|设置)?(?:[一两二三\d]+(?:个|所|家|间|座))?", "", last)
            if remainder != last and len(remainder) >= 3:
                names.append(region + remainder)
            continue
        name = _finish(part)
        if not name:
            continue
        if shared and not name.endswith(shared) and (ending_of(name) in FACILITY_ENDINGS or listed):
            name = name + shared
        names.append(name)
    names.append(last)
    names.extend(_finish(part) for part in tail)
    real = [name for name in names if name and ends_like_a_name(name)]
    # A list of kinds ("儿童、老年病、康复等专科医院") names no facility: only the last part ends in a
    # name word. Then the whole clause is either one name or none.
    if len(real) == 1 and len(parts) > 2 and real[0] == last and not shared:
        whole = _finish(body)
        return [whole] if whole and ends_like_a_name(whole) else []
    return names


def clean_name(text: str) -> str:
    """A run of words made a name: introducing verbs, trailing 等/建设 and explanations taken off;
    "" when what is left cannot be a name (too short, too long, brackets that do not close)."""
    text = MARKUP.sub("", text, count=1).replace("**", "").replace("__", "")
    text = text.strip().strip("　 ")
    if text.startswith("“") and text.endswith("”") and _balanced(text[1:-1]):
        text = text[1:-1]
    text = _strip_trailing(text)
    text = _strip_leading(text)
    text = re.sub(r"（(?:重点|主要|包括|含)[^）]*）", "", text)  # "X工程（重点是…）"
    text = re.sub(r"[（(][^（）()]{12,}[）)]", "", text)
    # "县中医院康复大楼（建筑面积1.2万平方米）": the figures are not part of the name.
    text = re.sub(r"[（(][^（）()]*\d[^（）()]*(?:平方米|㎡|万元|亿元|亩|张)[^（）()]*[）)]$", "", text)
    text = _strip_trailing(text)
    text = text.strip(" 　")
    while text and not _balanced(text) and text[0] in "（(“":
        text = text[1:]
    while text and not _balanced(text) and text[-1] in "）)”":
        text = text[:-1]
    if not _balanced(text) or len(text) < 3 or len(text) > 60:
        return ""
    return text
