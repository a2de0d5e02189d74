"""Who sees what on the dashboard. (The settings reader belongs with accounts; the lead moves it.)"""

from __future__ import annotations

import sqlalchemy as sa

from ..accounts.models import Setting
from ..extensions import db
from ..vocabulary import Role

HIDE_MONEY_FROM_VIEWERS = "hide_money_from_viewers"


def setting_enabled(key: str) -> bool:
    """A switch an admin sets: ``{"enabled": true}`` under ``key``; absent or malformed is off."""
    value = db.session.scalar(sa.select(Setting.value).where(Setting.key == key))
    return isinstance(value, dict) and value.get("enabled") is True


def money_hidden_for(user) -> bool:
    """Viewers see no money figures (amounts in 万元) when the admin has switched that on."""
    return getattr(user, "role", None) is Role.VIEWER and setting_enabled(HIDE_MONEY_FROM_VIEWERS)
