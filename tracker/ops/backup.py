"""Backups a running tracker can take, and their restore on a new machine.

A backup is one tar file, written 0600, holding everything a restore on a new server needs:

- ``database.sqlite3`` (SQLite: the online-backup API, a consistent copy while the tracker keeps
  serving) or ``database.pgdump`` (PostgreSQL: pg_dump's custom format, restored with
  pg_restore; the client tools of the server's major version must be installed);
- ``uploads/``: the site photos and the sheets awaiting an import's confirmation;
- ``instance/secret_key``: the generated signing key, when the key is not set in the environment;
- ``tracker-backup.json``: what the archive holds, with each file's SHA-256.

A restore puts each back. A bare database file (what ``tracker backup`` wrote before) is still
restored, as the database alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath
from typing import IO

import sqlalchemy as sa
from sqlalchemy.engine import make_url

MANIFEST = "tracker-backup.json"
FORMAT = 1
SECRET_KEY = "instance/secret_key"


class BackupError(RuntimeError):
    pass


def _sqlite_path(url) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(url.database)


def _libpq_url(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL client tools are needed)")
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:2000]}")


def private_file(path: Path) -> int:
    """Open ``path`` for writing, new, readable by its owner only."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)


# --- the database alone -------------------------------------------------------------------------

def dump_database(database_url: str, output: Path) -> str:
    """The database into ``output`` (a new file, 0600); returns the archive member's name."""
    url = make_url(database_url)
    os.close(private_file(output))
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        target = sqlite3.connect(output)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
        return "database.sqlite3"
    if url.get_backend_name() == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
              f"--file={output}", _libpq_url(url)])
        return "database.pgdump"
    raise BackupError(f"no backup method for {url.get_backend_name()}")


# The database a backup holds, by its member's name (``dump_database``).
BACKUP_KINDS = {"database.sqlite3": "sqlite", "database.pgdump": "postgresql"}
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def load_database(database_url: str, source: Path) -> None:
    """Replace the database's contents with a database file or dump."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        try:
            backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            backup_db.execute("SELECT count(*) FROM alembic_version").fetchone()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} is not a tracker backup: {error}") from None
        target = sqlite3.connect(_sqlite_path(url))
        try:
            backup_db.backup(target)
        finally:
            target.close()
            backup_db.close()
    elif url.get_backend_name() == "postgresql":
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", f"--dbname={_libpq_url(url)}", str(source)])
    else:
        raise BackupError(f"no restore method for {url.get_backend_name()}")


# --- the whole tracker --------------------------------------------------------------------------

def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files_under(directory: Path | None):
    if directory is None or not directory.is_dir():
        return
    for path in sorted(directory.rglob("*")):
        if path.is_file() and not path.is_symlink() and not path.name.endswith(".partial"):
            yield path


def backup(database_url: str, output: Path, *, upload_dir: Path | None = None,
           secret_key_file: Path | None = None) -> dict:
    """Write the archive to ``output`` (0600, complete or absent); returns its manifest."""
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".tracker-backup-") as scratch:
        database_file = Path(scratch) / "database"
        database_member = dump_database(database_url, database_file)
        entries = [(database_member, database_file)]
        entries += [(f"uploads/{path.relative_to(upload_dir).as_posix()}", path)
                    for path in _files_under(upload_dir)]
        if secret_key_file is not None and secret_key_file.is_file():
            entries.append((SECRET_KEY, secret_key_file))
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "database": database_member,
            "files": {name: _sha256(path) for name, path in entries},
        }
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        with os.fdopen(private_file(partial), "wb") as handle, \
                tarfile.open(fileobj=handle, mode="w", format=tarfile.PAX_FORMAT) as archive:
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(manifest_bytes), 0o600, int(dt.datetime.now().timestamp())
            archive.addfile(info, _BytesReader(manifest_bytes))
            for name, path in entries:
                member = archive.gettarinfo(path, arcname=name)
                member.mode, member.uid, member.gid, member.uname, member.gname = 0o600, 0, 0, "", ""
                with path.open("rb") as source:
                    archive.addfile(member, source)
    partial.replace(output)
    return manifest


class _BytesReader:
    def __init__(self, data: bytes):
        import io
        self._buffer = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._buffer.read(size)


def _regular_file(archive: tarfile.TarFile, member: str | tarfile.TarInfo) -> IO[bytes]:
    """A file of the archive, to read; KeyError when it has no regular file of that name."""
    data = archive.extractfile(member)
    if data is None:  # a directory or a link
        raise KeyError(member)
    return data


def _safe_member(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"the backup names a path outside its folders: {name!r}")
    return path


def restore(database_url: str, source: Path, *, upload_dir: Path | None = None,
            secret_key_file: Path | None = None) -> dict:
    """Replace the database's contents, and put the photos, uploads and secret key back."""
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    if not tarfile.is_tarfile(source):
        load_database(database_url, source)  # a bare database file: the earlier format
        return {"database": source.name, "files": {}}
    with tarfile.open(source, mode="r:") as archive, \
            tempfile.TemporaryDirectory(prefix=".tracker-restore-") as scratch:
        try:
            manifest = json.load(_regular_file(archive, MANIFEST))
        except (KeyError, ValueError):
            raise BackupError(f"{source} is not a tracker backup (no {MANIFEST})") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{source} is a backup of an unknown format {manifest.get('format')!r}")
        files = manifest.get("files") or {}
        members = {member.name: member for member in archive.getmembers() if member.isfile()}
        for name in files:
            _safe_member(name)
            if name not in members:
                raise BackupError(f"{source} is incomplete: {name} is missing")

        def extract(name: str, target: Path) -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".partial")
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
            digest = hashlib.sha256()
            with _regular_file(archive, members[name]) as data, os.fdopen(private_file(partial), "wb") as out:
                for block in iter(lambda: data.read(1 << 20), b""):
                    digest.update(block)
                    out.write(block)
            if digest.hexdigest() != files[name]:
                partial.unlink()
                raise BackupError(f"{source} is damaged: {name} does not match its checksum")
            partial.replace(target)

        database_name = manifest.get("database")
        if database_name not in files:
            raise BackupError(f"{source} holds no database")
        kind, target_kind = BACKUP_KINDS.get(str(database_name)), make_url(database_url).get_backend_name()
        if kind is not None and kind != target_kind:
            # pg_restore said only "input file does not appear to be a valid archive".
            raise BackupError(f"{source} is a backup of a {KIND_NAMES[kind]} database and this tracker's database is "
                              f"{KIND_NAMES.get(target_kind, target_kind)}: restore it into a {KIND_NAMES[kind]} "
                              "database (TRACKER_DATABASE_URL), then move the data with your own tools")
        database_copy = Path(scratch) / "database"
        extract(database_name, database_copy)
        load_database(database_url, database_copy)
        for name in files:
            relative = PurePosixPath(name)
            if relative.parts[0] == "uploads" and upload_dir is not None:
                extract(name, upload_dir.joinpath(*relative.parts[1:]))
            elif name == SECRET_KEY and secret_key_file is not None:
                extract(name, secret_key_file)
    return manifest


def other_connections(database_url: str) -> int:
    """How many other sessions are connected to this PostgreSQL database (a tracker still serving
    it, whose next save would land between the restore's steps); 0 on SQLite, where none shows."""
    if not database_url.startswith("postgresql"):
        return 0
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")).scalar_one())
    finally:
        engine.dispose()


def is_empty(database_url: str) -> bool:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            names = set(sa.inspect(connection).get_table_names())
            if not names - {"alembic_version"}:
                return True
            return not connection.execute(sa.text("SELECT 1 FROM projects LIMIT 1")).first() \
                and not connection.execute(sa.text("SELECT 1 FROM users LIMIT 1")).first()
    finally:
        engine.dispose()
