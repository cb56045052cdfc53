"""Builds a temporary web root from the fixtures in tests/fixtures/guard/files (see its expected.tsv)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "guard" / "files"


@dataclass(frozen=True)
class Expected:
    path: str
    fixture: str
    verdict: str  # "clean" or a Verdict value
    severity: str = ""
    code: str = ""


def expectations() -> list[Expected]:
    rows = []
    for line in (FIXTURES / "expected.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(Expected(*line.split("\t")))
    return rows


def build_tree(root: Path) -> Path:
    for row in expectations():
        target = root / row.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FIXTURES / row.fixture, target)
    return root
