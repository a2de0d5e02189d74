"""Who sees what on the dashboard.

The rule lives in ``tracker.accounts.services`` (``money_hidden_from``); these names stay importable
from here for the code that already uses them.
"""

from __future__ import annotations

from ..accounts.services import HIDE_MONEY_FROM_VIEWERS, money_hidden_from, setting_enabled

money_hidden_for = money_hidden_from

__all__ = ["HIDE_MONEY_FROM_VIEWERS", "money_hidden_for", "money_hidden_from", "setting_enabled"]
