"""Fill English strings into the catalog: ``python tools/set_translations.py FILE.json``.

FILE.json maps a Chinese msgid (or ``context\u0004msgid``) to its English text. Used after
``make messages`` lists what is missing; the catalog is rewritten in pybabel's own format.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOG = Path(__file__).resolve().parent.parent / "tracker/translations/en/LC_MESSAGES/messages.po"


def main(path: str) -> None:
    wanted = json.loads(Path(path).read_text(encoding="utf-8"))
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    for key, english in wanted.items():
        context, _, msgid = key.rpartition("\u0004")
        message = catalog.get(msgid, context or None)
        if message is None:
            raise SystemExit(f"not in the catalog (run make messages first): {key}")
        message.string = english
    with CATALOG.open("wb") as handle:
        write_po(handle, catalog, width=76)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"{len(wanted)} set; {len(missing)} still without English")
    for msgid in missing:
        print("  ", msgid)


if __name__ == "__main__":
    main(sys.argv[1])
