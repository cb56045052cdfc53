"""An interpreter that starts as an installed JagaWeb's does, for the benchmarks that time whole processes.

This machine's own site-packages run start-up hooks in every process (an editable install's finder, a
CA-bundle patch for the sandbox's network, setuptools' distutils shim): `python -c pass` takes 64 ms here
against 13 ms without them. An installed JagaWeb pays none of that, so the benchmarks run JagaWeb's code (the
working tree, through PYTHONPATH) with a virtual environment of their own that holds the packages it needs,
at this interpreter's versions, and nothing else.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def project_requirements() -> list[str]:
    """Every package pyproject.toml asks for, extras kept ("psycopg[binary]"), without version ranges."""
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return [re.split(r"[<>=!~;\s]", requirement, maxsplit=1)[0] for requirement in dependencies]


def clean_python(venv: Path, requirements: Sequence[str]) -> str:
    """The virtual environment's interpreter, made (or remade when the packages changed) with the given
    requirements pinned to the versions this interpreter has. Falls back to this interpreter, and says so,
    when the environment cannot be made."""
    python = venv / "bin" / "python"
    try:
        wanted = [f"{name}=={metadata.version(name.split('[')[0])}" for name in requirements]
    except metadata.PackageNotFoundError as exc:
        print(f"{exc.name} is not installed here, so no clean virtual environment: JagaWeb runs with {sys.executable}")
        return sys.executable
    stamp = venv / "jagaweb-bench-packages.txt"
    if python.exists() and stamp.exists() and stamp.read_text() == "\n".join(wanted):
        return str(python)
    print(f"making a virtual environment with {len(wanted)} packages in {venv}")
    try:
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *wanted],
                       check=True)
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"a clean virtual environment could not be made ({exc}): JagaWeb runs with {sys.executable}")
        return sys.executable
    stamp.write_text("\n".join(wanted))
    return str(python)
