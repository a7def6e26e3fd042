"""The tree itself: no merge left half-done (a README once shipped with conflict markers)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXT = {".py", ".md", ".po", ".pot", ".toml", ".yml", ".yaml", ".cfg", ".ini", ".txt", ".csv"}
SKIPPED = {".venv", ".git", "node_modules", "build", "dist"}
MARKER = re.compile(r"^(<{7}|>{7}|={7})( |$)", re.MULTILINE)


def test_no_file_holds_merge_conflict_markers() -> None:
    found = []
    for path in ROOT.rglob("*"):
        if path.suffix not in TEXT or SKIPPED & set(path.relative_to(ROOT).parts):
            continue
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}"
                  for m in MARKER.finditer(text)]
    assert found == []
