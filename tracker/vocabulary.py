"""The domain's closed vocabularies: stored codes and the labels users read.

Codes are stable English words kept in the database, the seed files and the exports; labels are
Chinese msgids translated by Flask-Babel, so the interface reads Chinese first.
"""

from __future__ import annotations

import enum

from flask import has_app_context
from flask_babel import lazy_gettext as _l

from .core.translation import translations

# A filter's value for "not stated": the projects whose status (建设性质) nobody stated, and those
# linked to no plan (a plan may not take it as its key: plans/services.check_plan).
UNKNOWN = "unknown"


_LABELS: dict[type, dict] = {}
# The labels read in each language (keyed by Flask-Babel's translations object, one per locale
# for the life of the process): a list page shows some 250, and translating a lazy string costs
# several context lookups each time (~0.1 ms; issue 19, benchmarks/NOTES.md).
_TRANSLATED: dict[tuple[object, type], dict] = {}


class Vocabulary(enum.StrEnum):
    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]

    @property
    def label(self) -> str:
        # The lazy labels are built once per vocabulary (a list page asks for hundreds).
        vocabulary = type(self)
        labels = _LABELS.get(vocabulary)
        if labels is None:
            labels = _LABELS[vocabulary] = vocabulary._labels()
        if not has_app_context():
            return str(labels[self])
        key = (translations(), vocabulary)
        translated = _TRANSLATED.get(key)
        if translated is None:
            translated = _TRANSLATED[key] = {member: str(label) for member, label in labels.items()}
        return translated[self]

    @classmethod
    def _labels(cls):  # pragma: no cover - every subclass defines its labels
        raise NotImplementedError


class Kind(Vocabulary):
    CONSTRUCTION = "construction"
    EQUIPMENT = "equipment"
    IT_PLATFORM = "it_platform"
    PROGRAMME = "programme"
    ACCREDITATION = "accreditation"

    @classmethod
    def _labels(cls):
        return {cls.CONSTRUCTION: _l("工程建设"), cls.EQUIPMENT: _l("设备购置"),
                cls.IT_PLATFORM: _l("信息化平台"), cls.PROGRAMME: _l("专项工程/行动"),
                cls.ACCREDITATION: _l("等级创建")}


class Category(Vocabulary):
    GENERAL_HOSPITAL = "general_hospital"
    TCM_HOSPITAL = "tcm_hospital"
    MATERNAL_CHILD = "maternal_child"
    CDC = "cdc"
    INFECTIOUS_DISEASE = "infectious_disease"
    EMERGENCY_120 = "emergency_120"
    SUPPLIES_DEPOT = "supplies_depot"
    LABORATORY = "laboratory"
    TOWNSHIP_CLINIC = "township_clinic"
    ELDERLY_CARE = "elderly_care"
    MENTAL_HEALTH = "mental_health"
    BLOOD_STATION = "blood_station"
    OTHER = "other"

    @classmethod
    def _labels(cls):
        return {cls.GENERAL_HOSPITAL: _l("综合医院"), cls.TCM_HOSPITAL: _l("中医医院"),
                cls.MATERNAL_CHILD: _l("妇幼保健"), cls.CDC: _l("疾病预防控制"),
                cls.INFECTIOUS_DISEASE: _l("传染病救治"), cls.EMERGENCY_120: _l("院前急救（120）"),
                cls.SUPPLIES_DEPOT: _l("医疗物资储备"), cls.LABORATORY: _l("检验检测实验室"),
                cls.TOWNSHIP_CLINIC: _l("基层医疗机构"), cls.ELDERLY_CARE: _l("医养结合"),
                cls.MENTAL_HEALTH: _l("精神卫生"), cls.BLOOD_STATION: _l("采供血"),
                cls.OTHER: _l("其他")}


class BuildNature(Vocabulary):
    NEW = "new"
    EXPANSION = "expansion"
    RENOVATION = "renovation"
    RENOVATION_EXPANSION = "renovation_expansion"
    RELOCATION = "relocation"

    @classmethod
    def _labels(cls):
        return {cls.NEW: _l("新建"), cls.EXPANSION: _l("扩建"), cls.RENOVATION: _l("改建"),
                cls.RENOVATION_EXPANSION: _l("改扩建"), cls.RELOCATION: _l("迁建")}


class Status(Vocabulary):
    RESERVE = "reserve"
    PREPARATION = "preparation"
    CONSTRUCTION = "construction"
    COMPLETED = "completed"
    IN_USE = "in_use"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"

    @classmethod
    def _labels(cls):
        return {cls.RESERVE: _l("储备"), cls.PREPARATION: _l("前期"), cls.CONSTRUCTION: _l("在建"),
                cls.COMPLETED: _l("竣工"), cls.IN_USE: _l("投用"), cls.SUSPENDED: _l("停缓建"),
                cls.CANCELLED: _l("取消")}


class Stage(Vocabulary):
    """The lifecycle of a construction project, in order."""

    PLANNING = "planning"
    PROPOSAL = "proposal"
    FEASIBILITY = "feasibility"
    PRELIMINARY_DESIGN = "preliminary_design"
    DRAWING_REVIEW = "drawing_review"
    TENDERING = "tendering"
    START = "start"
    TOPPING_OUT = "topping_out"
    ACCEPTANCE = "acceptance"
    IN_USE = "in_use"

    @classmethod
    def _labels(cls):
        return {cls.PLANNING: _l("谋划储备"), cls.PROPOSAL: _l("立项（项目建议书批复）"),
                cls.FEASIBILITY: _l("可研批复"), cls.PRELIMINARY_DESIGN: _l("初步设计及概算批复"),
                cls.DRAWING_REVIEW: _l("施工图审查"), cls.TENDERING: _l("施工招标"),
                cls.START: _l("开工"), cls.TOPPING_OUT: _l("主体封顶"),
                cls.ACCEPTANCE: _l("竣工验收"), cls.IN_USE: _l("投入使用")}

    @property
    def position(self) -> int:
        return list(Stage).index(self)


class FundingSource(Vocabulary):
    CENTRAL_BUDGET = "central_budget"
    ULTRA_LONG_BONDS = "ultra_long_bonds"  # 超长期特别国债 (since 2024)
    PROVINCIAL_FISCAL = "provincial_fiscal"
    SPECIAL_BONDS = "special_bonds"
    LOCAL_FISCAL = "local_fiscal"
    SELF_RAISED = "self_raised"
    BANK_LOAN = "bank_loan"
    PRIVATE_CAPITAL = "private_capital"
    OTHER = "other"

    @classmethod
    def _labels(cls):
        return {cls.CENTRAL_BUDGET: _l("中央预算内投资"), cls.ULTRA_LONG_BONDS: _l("超长期特别国债"),
                cls.OTHER: _l("其他"), cls.PROVINCIAL_FISCAL: _l("省级财政"),
                cls.SPECIAL_BONDS: _l("地方政府专项债券"), cls.LOCAL_FISCAL: _l("市/县财政"),
                cls.SELF_RAISED: _l("单位自筹"), cls.BANK_LOAN: _l("银行贷款"),
                cls.PRIVATE_CAPITAL: _l("社会资本")}


class RegionLevel(Vocabulary):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    ZONE = "zone"

    @classmethod
    def _labels(cls):
        return {cls.PROVINCE: _l("省"), cls.CITY: _l("市"), cls.COUNTY: _l("县（市、区）"),
                cls.ZONE: _l("功能区")}


class CandidateDecision(Vocabulary):
    """What a person decided about a project or indicator a plan's text was found to name."""

    ACCEPTED = "accepted"
    MERGED = "merged"
    REJECTED = "rejected"

    @classmethod
    def _labels(cls):
        return {cls.ACCEPTED: _l("已采纳"), cls.MERGED: _l("已并入已有项目"), cls.REJECTED: _l("已驳回")}


class IndicatorNature(Vocabulary):
    EXPECTED = "expected"
    BINDING = "binding"

    @classmethod
    def _labels(cls):
        return {cls.EXPECTED: _l("预期性"), cls.BINDING: _l("约束性")}


class Role(Vocabulary):
    ADMIN = "admin"
    OFFICER = "officer"
    LEADER = "leader"
    VIEWER = "viewer"

    @classmethod
    def _labels(cls):
        return {cls.ADMIN: _l("管理员"), cls.OFFICER: _l("项目专员"), cls.LEADER: _l("领导"),
                cls.VIEWER: _l("只读用户")}


# What a plan calls its floor area (面积口径, ``Project.floor_area_term``) where it is one of the
# tracker's own words (the form suggests them): shown in the reader's language. Any other term
# is a plan's own wording (新建实验楼面积), shown as printed.
AREA_TERMS = {"总建筑面积": _l("总建筑面积"), "建设面积": _l("建设面积"), "建筑面积": _l("建筑面积")}


def area_term_label(term: str | None) -> str | None:
    """A stored 面积口径 as the reader reads it: a tracker's word translated, a plan's as printed."""
    label = AREA_TERMS.get(term) if term is not None else None
    return term if label is None else str(label)
