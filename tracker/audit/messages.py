"""What each audit action says, written when the entry is read, in the reader's language.

An entry stores its action and the values its sentence names (``params``), never the sentence:
a trail written by a Chinese officer and an English admin reads in one language to each reader.
Each action has one or more templates (Chinese msgids, translated at display time); the first
whose placeholders the params fill is used, so a seeded plan (its title) and an uploaded one
(its title and candidate counts) share the action ``plan:create``.

Entries written before params existed keep their stored summary, which is what they show.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from flask_babel import gettext

from ..accounts.services import setting_label
from ..vocabulary import FundingSource, Role, Stage, Vocabulary
from .models import AuditEntry


def N_(msgid: str) -> str:
    """Marks a msgid for ``make messages``; it is translated when an entry is shown."""
    return msgid


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@dataclass(frozen=True)
class Message:
    templates: tuple[str, ...]
    # Params stored as a code (a stage, a role), shown as its label in the reader's language.
    labels: Mapping[str, Callable[[str], str]] = field(default_factory=dict)
    # For a sentence that states an amount: what the entry says instead to a reader from whom
    # money is hidden (accounts.services.money_hidden_from), the action without its figures.
    without_money: str | None = None

    def template_for(self, params: dict) -> str | None:
        """The first template whose placeholders the params fill."""
        return next((template for template in self.templates
                     if set(_PLACEHOLDER.findall(template)) <= params.keys()), None)


def _message(*templates: str, labels: Mapping[str, Callable[[str], str]] | None = None,
             without_money: str | None = None) -> Message:
    return Message(templates, labels or {}, without_money)


def _label(vocabulary: type[Vocabulary]) -> Callable[[str], str]:
    """A code's label; a code the vocabulary no longer has prints as stored."""
    def label(code: str) -> str:
        try:
            return vocabulary(code).label
        except ValueError:
            return code
    return label


_STAGE = {"stage": _label(Stage)}


def _token_scope(code: str) -> str:
    from .display import TOKEN_SCOPES  # the trail's words for a token's scope, one place
    return str(TOKEN_SCOPES.get(code, code))


MESSAGES: dict[str, Message] = {
    # projects
    "project:create": _message(N_("新建项目：%(name)s")),
    "project:update": _message(N_("修改项目：%(name)s")),
    "project:alias": _message(N_("新增别名：%(name)s")),
    "project:plan": _message(N_("取消关联规划：%(unlinked)s"), N_("关联规划：%(title)s")),
    "project:source": _message(N_("来源：《%(plan)s》第%(line)s行")),
    "project:merge": _message(N_("并入种子记录：%(name)s")),
    # milestones: a standard one is named by its stage (a code), a custom one by its name
    "milestone:lifecycle": _message(N_("设置标准建设节点（%(n)s 个）")),
    "milestone:create": _message(N_("新增节点：%(stage)s"), N_("新增节点：%(name)s"), labels=_STAGE),
    "milestone:update": _message(N_("更新节点：%(stage)s"), N_("更新节点：%(name)s"), labels=_STAGE),
    "milestone:delete": _message(N_("删除节点：%(name)s")),
    # monthly reports
    "report:submit": _message(N_("提交 %(month)s 月报")),
    "report:correct": _message(N_("更正 %(month)s 月报（第 %(n)s 版）")),
    "report:photos": _message(N_("为 %(month)s 月报上传现场照片 %(n)s 张")),
    "report:photo-delete": _message(N_("删除 %(month)s 月报的现场照片：%(name)s")),
    "report:recompute": _message(N_("因补报 %(filed)s 月报重算 %(month)s 累计"),
                                 N_("因更正重算 %(month)s 累计")),
    # money
    "budget:revise": _message(N_("概算调整：%(old)s → %(new)s 万元"), without_money=N_("概算调整")),
    "funding:create": _message(N_("新增资金来源：%(source)s"), labels={"source": _label(FundingSource)}),
    "funding:delete": _message(N_("删除资金来源：%(source)s"), labels={"source": _label(FundingSource)}),
    "funding:update": _message(N_("修改资金来源：%(source)s"), labels={"source": _label(FundingSource)}),
    "annual_plan:set": _message(N_("%(year)s 年度计划投资：%(amount)s 万元"),
                                without_money=N_("年度计划投资")),
    # plans
    "plan:create": _message(
        N_("新增规划：%(title)s（项目候选 %(projects)s 个，指标候选 %(indicators)s 个）"),
        N_("新建规划文件：%(title)s")),
    "plan:candidate-accepted": _message(N_("采纳规划指标：%(indicator)s（%(plan)s）"),
                                        N_("采纳规划候选：%(name)s（%(plan)s）")),
    "plan:candidate-merged": _message(N_("规划候选并入已有项目：%(name)s → %(project)s（%(plan)s）")),
    "plan:candidate-rejected": _message(N_("驳回规划候选：%(name)s（%(plan)s）")),
    "plan:update": _message(N_("修改规划信息：%(title)s")),
    "plan:withdraw": _message(N_("撤回规划：%(title)s（%(key)s）")),
    "plan:carry-over": _message(N_("续建：%(name)s 由《%(source)s》转入《%(target)s》")),
    "plan:indicator-actual": _message(N_("指标实际值：%(name)s %(year)s年 %(value)s")),
    "plan:indicator-actuals-import": _message(N_("从表格导入指标实际值：%(file)s，%(n)s 行")),
    "indicator:create": _message(N_("新增规划指标：%(name)s（%(plan)s）"), N_("新增规划指标：%(name)s")),
    "indicator:delete": _message(N_("删除规划指标：%(name)s（%(plan)s）")),
    "indicator:update": _message(N_("更正规划指标基期值：%(name)s")),
    # regions
    "region:create": _message(N_("新建行政区划：%(name)s（%(key)s）")),
    "region:rename": _message(N_("行政区划更名：%(old)s → %(new)s（%(code)s）")),
    "region:load": _message(N_("载入全国行政区划：新增 %(created)s 个，更名 %(renamed)s 个")),
    # accounts, settings, API tokens
    "user:create": _message(N_("新建用户：%(name)s（%(role)s）"), labels={"role": _label(Role)}),
    "user:password": _message(N_("修改本人密码：%(own)s"), N_("重置密码：%(name)s")),
    "user:activate": _message(N_("启用用户：%(name)s")),
    "user:disable": _message(N_("停用用户：%(name)s")),
    "user:role": _message(N_("修改角色：%(name)s")),
    "user:profile": _message(N_("修改用户信息：%(name)s")),
    "setting:update": _message(N_("修改设置：%(setting)s"), labels={"setting": setting_label}),
    "token:create": _message(N_("新建接口令牌：%(token)s…（%(scope)s）"), labels={"scope": _token_scope}),
    "token:revoke": _message(N_("吊销接口令牌：%(token)s…")),
}


def milestone_params(milestone) -> dict:
    """How a milestone is named in an entry: its stage's code (shown as the stage's label in the
    reader's language), or the name an officer gave a custom one."""
    if milestone.stage is not None:
        return {"stage": milestone.stage.value}
    return {"name": milestone.custom_name or ""}


def _shown(message: Message, name: str, value) -> str:
    if value is None or value == "":
        return "—"
    label = message.labels.get(name)
    return label(value) if label is not None else str(value)


def summary(entry: AuditEntry, show_money: bool = True) -> str:
    """The entry's sentence in the reader's language; an amount it names only if he may see money."""
    message = MESSAGES.get(entry.action)
    if not show_money and message is not None and message.without_money is not None:
        return gettext(message.without_money)
    if entry.params is None:  # written before entries carried params
        return entry.summary or entry.action
    template = message.template_for(entry.params) if message is not None else None
    if message is None or template is None:  # an action without a message: a test keeps there being none
        return entry.action
    values = {name: _shown(message, name, value) for name, value in entry.params.items()}
    return gettext(template, **values)
