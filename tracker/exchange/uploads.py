"""Uploaded sheets kept between the preview and the confirmation.

Each upload lives in ``UPLOAD_DIR/imports/<token>/``: the bytes as received and ``meta.json`` (who
uploaded it, what kind, its name, and the versions the preview saw). Only the uploader can reach
it; the token is random and checked against a strict pattern, so it never names another path.
Uploads older than a day are swept on the next upload.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
KEEP_SECONDS = 24 * 3600


@dataclass
class Upload:
    token: str
    meta: dict
    data: bytes

    @property
    def filename(self) -> str:
        return self.meta.get("filename", "")

    @property
    def kind(self) -> str:
        return self.meta["kind"]


def imports_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "imports"


def _folder(token: str) -> Path | None:
    if not TOKEN.fullmatch(token or ""):
        return None
    return imports_dir() / token


class NotStored(Exception):
    """The server could not keep the upload (a full disk, a read-only folder): nothing was kept."""


def store(user, kind: str, filename: str, data: bytes) -> str:
    """Keep the upload for its preview; raises NotStored, leaving nothing behind, when it cannot."""
    sweep()
    token = secrets.token_urlsafe(24)  # 32 characters
    folder = imports_dir() / token
    meta = {"user_id": user.id, "kind": kind, "filename": (filename or "")[:200],
            "uploaded_at": time.time(), "versions": {}}
    try:
        folder.mkdir(parents=True, mode=0o700)
        (folder / "upload.bin").write_bytes(data)
        (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    except OSError as error:
        shutil.rmtree(folder, ignore_errors=True)
        current_app.logger.error("import upload not stored: %s", error)
        raise NotStored(str(error)) from error
    return token


def load(token: str, user) -> Upload | None:
    """The upload, if it exists and belongs to ``user``."""
    folder = _folder(token)
    if folder is None or not (folder / "meta.json").is_file():
        return None
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        data = (folder / "upload.bin").read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("user_id") != user.id:
        return None
    return Upload(token, meta, data)


def save_versions(upload: Upload, versions: dict[str, int]) -> None:
    upload.meta["versions"] = versions
    folder = _folder(upload.token)
    try:
        (folder / "meta.json").write_text(json.dumps(upload.meta, ensure_ascii=False),
                                          encoding="utf-8")
    except OSError as error:
        current_app.logger.error("import preview not stored: %s", error)
        raise NotStored(str(error)) from error


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
