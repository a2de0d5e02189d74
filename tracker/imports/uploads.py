"""Uploaded sheets kept between the preview and the confirmation.

Each upload lives in ``UPLOAD_DIR/imports/<token>/``: the bytes as received (``upload.bin``) and
the preview computed once at upload (``preview.json``: the report, with the versions of the
projects and reports it saw). Who uploaded it, its kind and its state are the ``import_batches``
row of the same token (``batches.py``). The token is random and checked against a strict pattern,
so it never names another path. Uploads older than a day are swept on the next upload.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from pathlib import Path

from flask import current_app

TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
KEEP_SECONDS = 24 * 3600


def imports_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "imports"


def _folder(token: str) -> Path | None:
    if not TOKEN.fullmatch(token or ""):
        return None
    return imports_dir() / token


def valid(token: str) -> bool:
    return _folder(token) is not None


class NotStored(Exception):
    """The server could not keep the upload (a full disk, a read-only folder): nothing was kept."""


def store(data: bytes) -> str:
    """Keep the upload's bytes; its token. Raises NotStored, leaving nothing behind, when it cannot."""
    sweep()
    token = secrets.token_urlsafe(24)  # 32 characters
    folder = imports_dir() / token
    try:
        folder.mkdir(parents=True, mode=0o700)
        (folder / "upload.bin").write_bytes(data)
    except OSError as error:
        shutil.rmtree(folder, ignore_errors=True)
        current_app.logger.error("import upload not stored: %s", error)
        raise NotStored(str(error)) from error
    return token


def save_preview(token: str, preview: dict) -> None:
    """Keep the preview beside the upload; NotStored (and the upload gone) when it cannot."""
    folder = _folder(token)
    if folder is None:
        raise NotStored(f"no upload has the token {token[:40]!r}")
    try:
        text = json.dumps(preview, ensure_ascii=False)
        (folder / "preview.tmp").write_text(text, encoding="utf-8")
        (folder / "preview.tmp").replace(folder / "preview.json")
    except OSError as error:
        discard(token)
        current_app.logger.error("import preview not stored: %s", error)
        raise NotStored(str(error)) from error


def data(token: str) -> bytes | None:
    folder = _folder(token)
    try:
        return (folder / "upload.bin").read_bytes() if folder is not None else None
    except OSError:
        return None


def preview(token: str) -> dict | None:
    folder = _folder(token)
    try:
        return json.loads((folder / "preview.json").read_text(encoding="utf-8")) if folder else None
    except (OSError, ValueError):
        return None


def discard(token: str) -> None:
    folder = _folder(token)
    if folder is not None and folder.is_dir():
        shutil.rmtree(folder, ignore_errors=True)


def sweep(now: float | None = None) -> None:
    root = imports_dir()
    if not root.is_dir():
        return
    cutoff = (now or time.time()) - KEEP_SECONDS
    try:
        folders = list(root.iterdir())
    except OSError:  # an unreadable folder: keeping old uploads a while longer harms nobody
        return
    for folder in folders:
        try:
            if TOKEN.fullmatch(folder.name) and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue
