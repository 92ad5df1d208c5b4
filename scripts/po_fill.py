#!/usr/bin/env python
"""Fill untranslated entries of an app's Chinese catalogue from a JSON mapping, then report
what is still missing. The .po file stays the source of truth; this only saves typing.

    .venv/bin/python scripts/po_fill.py lms /tmp/lms-zh.json   # {"English msgid": "中文"}
    .venv/bin/python scripts/po_fill.py lms                    # just list what is missing
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib


def main(app: str, mapping_path: str | None) -> int:
    po_path = Path(app) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(po_path))
    mapping = json.loads(Path(mapping_path).read_text("utf-8")) if mapping_path else {}
    for entry in catalogue:
        if entry.msgid in mapping:
            entry.msgstr = mapping[entry.msgid]
            entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
    catalogue.metadata["Language"] = "zh_Hans"
    catalogue.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    catalogue.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    catalogue.save()
    missing = [e.msgid for e in catalogue if not e.translated() and not e.obsolete]
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    print(f"{po_path}: {len(catalogue.translated_entries())} translated, {len(missing)} missing")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None))
