"""The quality benchmark says clearly when its data is missing (tests never read the shared data)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_missing_data_is_reported(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "logs_quality.py"), "--data", str(tmp_path)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2
    assert "The evaluation data is missing" in result.stdout and str(tmp_path) in result.stdout
