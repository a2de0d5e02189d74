"""Static files named by their content's version: kept by browsers for a year, fetched again only
when they change.

Every page links the stylesheet, a script and the icon. Served with Flask's default (no max-age),
a browser asked the server again for each of them on every page, three conditional requests more
per page on an office's slow line. ``url_for('static', …)`` now adds ``v=``, a hash of the file's
content (``add_version``), and a request carrying the file's current hash is answered with a
year's max-age (``max_age``): a changed file has a new hash, hence a new URL, and is fetched at
once. A request without ``v`` or with an old one (a page cached before a release) is served as
before, to be checked again.
"""

from __future__ import annotations

import hashlib
import os

from flask import current_app, request
from werkzeug.security import safe_join

YEAR = 365 * 24 * 60 * 60
# filename → ((mtime_ns, size), version): a file edited while the server runs gets a new version.
_versions: dict[str, tuple[tuple[int, int], str]] = {}


def version(filename: str) -> str | None:
    """The first 12 hex digits of the SHA-256 of the static file's content; None for no such file."""
    folder = current_app.static_folder
    path = safe_join(folder, filename) if folder else None
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    key = (stat.st_mtime_ns, stat.st_size)
    known = _versions.get(filename)
    if known is not None and known[0] == key:
        return known[1]
    try:
        with open(path, "rb") as handle:
            found = hashlib.sha256(handle.read()).hexdigest()[:12]
    except OSError:
        return None
    _versions[filename] = (key, found)
    return found


def add_version(endpoint: str, values: dict) -> None:
    """``url_for('static', filename=…)`` with ``v=`` the file's version (an ``url_defaults``)."""
    if endpoint == "static" and "v" not in values and isinstance(values.get("filename"), str):
        found = version(values["filename"])
        if found is not None:
            values["v"] = found


def max_age(filename: str) -> int | None:
    """A year for a request naming the file's current version, else Flask's default."""
    asked = request.args.get("v")
    if asked and asked == version(filename):
        return YEAR
    return None
