"""Accounts: creating users, passwords, roles, regions. Every change is audited."""

from __future__ import annotations

import functools
import re
import secrets

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit.services import Actor, record
from ..errors import FieldErrors, ValidationFailed
from ..extensions import db
from ..projects.fields import PROJECT_FIELDS
from ..regions.models import Region
from ..vocabulary import Role
from . import throttle
from .models import Setting, User

PASSWORD_MIN_LENGTH = 10
USERNAME_PATTERN = r"^[A-Za-z0-9_.-]{3,64}$"
EMAIL_PATTERN = r"[^@\s]+@[^@\s]+\.[^@\s]+"


@functools.cache
def _dummy_hash() -> str:
    """A hash to check against when the user does not exist, so both answers take the same time:
    made by the function that makes every user's hash (the same method, the same cost), on the
    first sign-in attempt rather than at import (70 ms of scrypt in every CLI command)."""
    return generate_password_hash(secrets.token_hex(8))


# zxcvbn's score 0-4: 3 is "safely unguessable" (about 10^8 guesses and more). Its dictionaries are
# English; these words, common in Chinese passwords and in this office, count as guessable too.
PASSWORD_MIN_SCORE = 3
GUESSABLE_WORDS = ("woaini", "aini", "zhongguo", "beijing", "shanghai", "weisheng", "jiankang",
                   "weijian", "wsjkw", "wjw", "jkw", "yiyuan", "jibing", "jikong", "cdc", "taizhang",
                   "tracker", "xiangmu", "admin", "guanli", "mima", "zhangsan", "lisi", "wangwu")


def password_problems(password: str, username: str = "", *, display_name: str | None = None,
                      email: str | None = None) -> list[str]:
    problems = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(_("密码至少需要 %(n)s 个字符", n=PASSWORD_MIN_LENGTH))
    if password.isdigit() or password.isalpha():
        problems.append(_("密码需同时包含字母和数字（或符号）"))
    if username and username.lower() in password.lower():
        problems.append(_("密码不能包含用户名"))
    if len(password) > 200:
        problems.append(_("密码不能超过200个字符"))
    elif len(password) >= PASSWORD_MIN_LENGTH and _guessable(password, username, display_name, email):
        problems.append(_("密码太常见或容易被猜到（如 password12、姓名拼音加数字），请换一个更长、不常见的密码，"
                          "例如由三四个不相关的词和数字组成"))
    return problems


def _guessable(password: str, *personal: str | None) -> bool:
    from zxcvbn import zxcvbn

    inputs = [*GUESSABLE_WORDS]
    for value in personal:
        if value:
            inputs += [value, *value.replace("@", " ").replace(".", " ").split()]
    return zxcvbn(password, user_inputs=inputs)["score"] < PASSWORD_MIN_SCORE


def _check_password(password: str, username: str, user: User | None = None) -> None:
    problems = password_problems(password, username,
                                 display_name=getattr(user, "display_name", None),
                                 email=getattr(user, "email", None))
    if problems:
        raise ValidationFailed({"password": problems})


def get_by_username(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.username == username.strip().lower()))


def authenticate(username: str, password: str) -> User | None:
    user = get_by_username(username or "")
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    return user


def _regions(keys_or_rows) -> list[Region]:
    regions = []
    for item in keys_or_rows or []:
        if isinstance(item, Region):
            regions.append(item)
            continue
        region = db.session.scalar(sa.select(Region).where(Region.key == str(item)))
        if region is None:
            raise ValidationFailed(_("没有行政区划代码为 %(code)s 的地区", code=item), "regions")
        regions.append(region)
    return regions


def new_user_problems(username: str | None, role: Role | str | None, password: str | None, regions=(), *,
                      display_name: str | None = None, email: str | None = None) -> FieldErrors:
    """Every problem of a new account at once (a QA walk was told them one save at a time):
    the name, the password (``None``: one is generated), an officer's regions."""
    import re
    errors = FieldErrors()
    username = (username or "").strip().lower()
    if not re.fullmatch(USERNAME_PATTERN, username):
        errors.add("username", _("用户名为3-64位字母、数字、下划线、点或连字符"))
    elif get_by_username(username) is not None:
        errors.add("username", _("用户名 %(name)s 已存在", name=username))
    if password is not None:
        for problem in password_problems(password, username, display_name=display_name, email=email):
            errors.add("password", problem)
    if role in (Role.OFFICER, Role.OFFICER.value) and not _regions(regions):
        errors.add("regions", _("项目专员至少需要分配一个负责地区"))
    return errors


def create_user(actor: Actor, username: str, role: Role | str, password: str, *,
                regions=(), display_name: str | None = None, email: str | None = None,
                must_change_password: bool = False) -> User:
    new_user_problems(username, role, password, regions, display_name=display_name, email=email).raise_any()
    username = (username or "").strip().lower()
    role = Role(role)
    region_rows = _regions(regions) if regions_apply(role) else []
    user = User(username=username, role=role, display_name=display_name, email=email,
                password_hash=generate_password_hash(password), regions=region_rows,
                must_change_password=must_change_password, session_token=secrets.token_hex(16))
    db.session.add(user)
    db.session.flush()
    record(actor, "user:create", user, {"name": username, "role": role},
           changes={"role": [None, role.value], "regions": [None, [r.key for r in region_rows]]})
    return user


def set_password(actor: Actor, user: User, password: str, *, must_change: bool = False) -> None:
    _check_password(password, user.username, user)
    own = actor.user is not None and actor.user.id == user.id
    if own and user.password_hash and check_password_hash(user.password_hash, password):
        # The one-time password an admin (or the console) gave would stay valid as "his own".
        raise ValidationFailed(_("新密码不能与当前密码相同"), "password")
    user.password_hash = generate_password_hash(password)
    user.must_change_password = must_change
    user.session_token = secrets.token_hex(16)  # other sessions of this user end
    if not own:
        # An admin's reset lifts the account's lock: the user signing in with the one-time
        # password he was just handed was told to wait 5 minutes (his own typos locked him out).
        throttle.clear(throttle.LOGIN, throttle.account_key(user.username))
        throttle.clear(throttle.PASSWORD, throttle.account_key(user.username))
    # The trail tells a user setting his own password from an admin's reset.
    record(actor, "user:password", user, {"own": user.username} if own else {"name": user.username})


def set_active(actor: Actor, user: User, active: bool) -> None:
    if user.active == active:
        return
    if not active and user.role is Role.ADMIN and _other_active_admins(user) == 0:
        raise ValidationFailed(_("不能停用最后一个管理员"), "active")
    user.active = active
    user.session_token = secrets.token_hex(16)
    record(actor, "user:activate" if active else "user:disable", user, {"name": user.username},
           changes={"active": [not active, active]})


def role_as_loaded(user: User) -> dict:
    """The role and regions as the admin page shows them (its form carries them back)."""
    return {"role": user.role.value, "regions": sorted(region.key for region in user.regions)}


def profile_as_loaded(user: User) -> dict:
    return {"display_name": user.display_name, "email": user.email}


def _merged(field: str, mine, loaded: dict | None, current, label: str, shown=None):
    """One field of a save begun from ``loaded``: what this admin did not change keeps what is
    saved now; what only he changed is his; both changed, to different values, is refused
    naming the other's (two admins on one account: the second's save undid the first's)."""
    if loaded is None or field not in loaded or mine == loaded[field]:
        return current if loaded is not None and field in loaded else mine
    if current != loaded[field] and current != mine:
        value = shown(current) if shown is not None and current is not None else current
        raise ValidationFailed(_("在您编辑期间，其他管理员已把%(field)s改为“%(value)s”：请刷新页面后再修改",
                                 field=label, value=value if value not in (None, "") else _("（空）")), field)
    return mine


def regions_apply(role: Role | str) -> bool:
    """Whether a role's regions mean anything: an officer edits his regions' projects; a leader, a
    viewer and an admin see every region. A leader given 龙南 kept it on the admin's page and saw
    the whole country: regions are kept for officers only."""
    return Role(role) is Role.OFFICER


def change_role(actor: Actor, user: User, role: Role | str, regions=(), *, loaded: dict | None = None) -> None:
    """Set the role and regions. With ``loaded`` (what the admin's page showed), a save changes
    what the admin changed: a region another admin added meanwhile stays, as one he took away
    stays away, and a role both changed to different values is refused."""
    role = Role(role)
    if loaded is not None:
        current = role_as_loaded(user)
        role = Role(_merged("role", role.value, loaded, current["role"], _("角色"), lambda code: Role(code).label))
        shown, mine = set(loaded.get("regions") or ()), {str(key) for key in regions}
        regions = sorted((set(current["regions"]) - (shown - mine)) | (mine - shown))
    region_rows = _regions(regions) if regions_apply(role) else []
    if role is Role.OFFICER and not region_rows:
        raise ValidationFailed(_("项目专员至少需要分配一个负责地区"), "regions")
    if user.role is Role.ADMIN and role is not Role.ADMIN and _other_active_admins(user) == 0:
        raise ValidationFailed(_("不能取消最后一个管理员的管理员角色"), "role")
    before = {"role": user.role.value, "regions": [r.key for r in user.regions]}
    user.role = role
    user.regions = region_rows
    after = {"role": role.value, "regions": [r.key for r in region_rows]}
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changes:
        # A right taken away ends the user's sessions at once; one only given (a region added)
        # does not: he was signed out mid-form, his typing lost, for being trusted with more.
        if "role" in changes or set(before["regions"]) - set(after["regions"]):
            user.session_token = secrets.token_hex(16)
        record(actor, "user:role", user, {"name": user.username}, changes=changes)


def _other_active_admins(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count(User.id)).where(
        User.role == Role.ADMIN, User.active.is_(True), User.id != user.id)) or 0


def ensure_admin(actor: Actor) -> tuple[User, str] | None:
    """When no active admin exists, create ``admin`` with a one-time random password."""
    exists = db.session.scalar(sa.select(sa.exists().where(
        User.role == Role.ADMIN, User.active.is_(True))))
    if exists:
        return None
    password = secrets.token_urlsafe(12) + "7a"
    user = get_by_username("admin")
    if user is None:
        # No display name: the header shows "admin" beside its role, where the name 管理员
        # stood beside the role 管理员 (and, in English, beside "Administrator").
        user = create_user(actor, "admin", Role.ADMIN, password, must_change_password=True)
    else:
        user.active = True
        user.role = Role.ADMIN
        set_password(actor, user, password, must_change=True)
    return user, password


def generate_password(username: str = "") -> str:
    """A random one-time password that passes ``password_problems`` (letters and digits)."""
    while True:
        password = secrets.token_urlsafe(12) + "7a"
        if not password_problems(password, username):
            return password


def reset_password(actor: Actor, user: User) -> str:
    """Give ``user`` a new one-time password, to be changed at his next login.

    The password is returned once for the admin to pass on; only its hash is stored.
    """
    password = generate_password(user.username)
    set_password(actor, user, password, must_change=True)
    return password


def update_profile(actor: Actor, user: User, *, display_name: str | None, email: str | None,
                   loaded: dict | None = None) -> dict:
    """Change the name and e-mail address shown and used for reminders (with ``loaded``, what
    the admin changed: see ``change_role``)."""
    display_name = (display_name or "").strip() or None
    email = (email or "").strip().lower() or None
    display_name = _merged("display_name", display_name, loaded, user.display_name, _("姓名"))
    email = _merged("email", email, loaded, user.email, _("电子邮箱"))
    if email is not None and not re.fullmatch(EMAIL_PATTERN, email):
        raise ValidationFailed(_("请填写有效的电子邮箱地址，例如 zhangsan@example.cn"), "email")
    before = {"display_name": user.display_name, "email": user.email}
    after = {"display_name": display_name, "email": email}
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changes:
        user.display_name = display_name
        user.email = email
        record(actor, "user:profile", user, {"name": user.username},
               changes=changes)
    return changes


# Portfolio-wide switches an admin sets: the key, and the value when nobody has set it.
HIDE_MONEY_FROM_VIEWERS = "hide_money_from_viewers"
SETTING_DEFAULTS = {
    HIDE_MONEY_FROM_VIEWERS: {"enabled": False},
}


def setting_label(key: str) -> str:
    labels = {HIDE_MONEY_FROM_VIEWERS: _("向只读用户隐藏金额")}
    return labels.get(key, key)


def get_setting(key: str) -> dict:
    """The stored value of a switch, or its default when nobody set it or the row is malformed."""
    if key not in SETTING_DEFAULTS:
        raise KeyError(key)
    row = db.session.get(Setting, key)
    if row is None or not isinstance(row.value, dict):
        return dict(SETTING_DEFAULTS[key])
    return dict(row.value)


def setting_enabled(key: str) -> bool:
    """A switch an admin sets: ``{"enabled": true}`` under ``key``; absent or malformed is its default."""
    return bool(get_setting(key).get("enabled"))


def set_setting(actor: Actor, key: str, value: dict) -> bool:
    """Store a switch; returns False when it already had that value (nothing is audited)."""
    if key not in SETTING_DEFAULTS:
        raise KeyError(key)
    old = get_setting(key)
    if old == value:
        return False
    row = db.session.get(Setting, key)
    if row is None:
        row = Setting(key=key, value=dict(value))
        db.session.add(row)
    else:
        row.value = dict(value)  # a new dict: the JSON column sees the change
    db.session.flush()
    record(actor, "setting:update", row, {"setting": key},
           changes={key: [old, dict(value)]})
    return True


# The attributes a plan quote (a source mention) can support that are amounts, by attribute and
# seed name (the registry's money): such a quote ("7,515", 表6's 总投资 cell) is hidden with the money.
MONEY_SOURCE_FIELDS = frozenset(name for field in PROJECT_FIELDS if field.money
                                for name in (field.name, field.seed_name) if name)


def money_hidden_from(user) -> bool:
    """Whether money figures (amounts in 万元) are hidden from ``user``: the one place that decides.

    Only a viewer is affected, and only when the admin has switched hiding on; admins, officers,
    leaders, anonymous visitors (who see no page anyway) and ``None`` (the CLI) are not.
    Costs one primary-key lookup of the settings row, and only for a viewer.
    """
    if getattr(user, "role", None) is not Role.VIEWER:
        return False
    return setting_enabled(HIDE_MONEY_FROM_VIEWERS)

