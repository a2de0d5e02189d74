"""The tracker's one clock.

"Today" is a day in the portfolio's time zone (``TRACKER_TIMEZONE``, Asia/Shanghai by default),
never the server's UTC date: between 00:00 and 08:00 in Beijing the two differ, and 滞后, 本月未报
and "不能填报未来月份" must not be a day off. Every rule and every printed time asks this module.

Tests fix the moment with ``time_machine.travel(...)``: everything here reads
``datetime.now(timezone.utc)``, which it patches.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Shanghai"


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone() -> ZoneInfo:
    """The configured zone (``TIMEZONE``); the default outside an application."""
    name = current_app.config.get("TIMEZONE", DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE
    return _zone(name)


def utcnow() -> dt.datetime:
    """Now, timezone-aware in UTC: what timestamps store."""
    return dt.datetime.now(dt.timezone.utc)


def now() -> dt.datetime:
    """Now, timezone-aware in the portfolio's zone: what pages and printouts show."""
    return utcnow().astimezone(zone())


def today() -> dt.date:
    """Today's date in the portfolio's zone."""
    return now().date()


def this_month() -> dt.date:
    """The first day of this month in the portfolio's zone."""
    return today().replace(day=1)


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def local(moment: dt.datetime) -> dt.datetime:
    """A stored (UTC, aware) timestamp in the portfolio's zone."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: timestamps must carry a timezone")
    return moment.astimezone(zone())


def local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants where a local day begins and the next begins (for timestamp filters)."""
    start = dt.datetime.combine(day, dt.time(), zone())
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone())
    return start.astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc)


def offset_label(moment: dt.datetime) -> str:
    """A local time's offset from UTC, "UTC+08:00": printed beside a time a reader may take for
    the server's or his own zone's."""
    minutes = int((moment.utcoffset() or dt.timedelta(0)).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
