"""How large a zip package (a .docx, an .xlsx) unpacks, read from its directory before anything
is unpacked: a few hundred kilobytes can unpack to gigabytes (a "zip bomb"). Python's ``zipfile``
stops at each entry's declared size, so the directory cannot lie about it."""

from __future__ import annotations

import zipfile


def unpacks_within(package: zipfile.ZipFile, max_bytes: int, max_entries: int) -> bool:
    """Whether the package holds at most ``max_entries`` files of at most ``max_bytes`` together."""
    entries = package.infolist()
    return len(entries) <= max_entries and sum(entry.file_size for entry in entries) <= max_bytes
