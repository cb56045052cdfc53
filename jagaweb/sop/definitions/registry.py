"""Where definitions come from: the built-in seeds shipped with JagaWeb, and the institution's own files.

An institution's definitions are the `*.yaml` files of its definitions directory (`SOP_DEFINITIONS_DIR`
when the settings name one, else `sop/` in the data directory). One named like a built-in replaces that
built-in everywhere, so an institution adapts a seed by copying it under the same name.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from django.conf import settings

from jagaweb.sop.choices import TriggerEvent
from jagaweb.sop.definitions.loader import load_definition
from jagaweb.sop.definitions.model import SopDefinition
from jagaweb.sop.definitions.problems import DefinitionError, Problem

# The seed documents (../shared/seeds/00N_*) each built-in was written from, in that order.
BUILTIN_NAMES = (
    "pemeliharaan_website",  # 000: website maintenance
    "penjagaan_website",  # 001: guarding the website against unwanted changes
    "pemeliharaan_website_pn",  # 002: the Pengadilan Negeri variant of 000, nine steps
    "pemeliharaan_portal_keluhan",  # 003: portal maintenance driven by user complaints
    "permohonan_website_opd",  # 004: an OPD's request to create or update its website
)
SUFFIX = ".yaml"
BASED_ON_LINE = re.compile(r"^based_on:.*$", re.MULTILINE)


@dataclass(frozen=True)
class InstitutionFile:
    """One file of the institution's directory: its definition, or why it cannot be used."""

    path: Path
    definition: SopDefinition | None
    errors: tuple[Problem, ...] = ()


def builtin_text(name: str) -> str:
    """The YAML text of a built-in definition, comments included (KeyError for an unknown name)."""
    if name not in BUILTIN_NAMES:
        raise KeyError(name)
    return (resources.files("jagaweb.sop.builtin") / f"{name}{SUFFIX}").read_text(encoding="utf-8")


def builtin_definitions() -> dict[str, SopDefinition]:
    """The five seed SOPs by name (a new dict each time; the definitions themselves are immutable)."""
    return dict(read_builtins())


@lru_cache(maxsize=1)
def read_builtins() -> tuple[tuple[str, SopDefinition], ...]:
    """The built-ins are package data: read once per process."""
    return tuple(
        (name, dataclasses.replace(load_definition(builtin_text(name), source_name=f"{name}{SUFFIX}"), builtin=True))
        for name in BUILTIN_NAMES
    )


def institution_directory() -> Path:
    configured = getattr(settings, "SOP_DEFINITIONS_DIR", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "sop"


def institution_files(directory: Path | None = None) -> list[InstitutionFile]:
    """Every definition file of the institution's directory, valid or not, by name."""
    folder = directory or institution_directory()
    found = []
    for path in sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else []:
        try:
            found.append(InstitutionFile(path, load_definition(path, source_name=str(path))))
        except DefinitionError as exc:
            found.append(InstitutionFile(path, None, tuple(exc.errors)))
    return found


def definitions(directory: Path | None = None) -> dict[str, SopDefinition]:
    """The definitions in use: the built-ins, replaced or joined by the institution's valid files."""
    found = dict(builtin_definitions())
    for entry in institution_files(directory):
        if entry.definition is not None:
            found[entry.definition.name] = entry.definition
    return found


def get_definition(name: str, directory: Path | None = None) -> SopDefinition:
    """The definition in use under this name (KeyError when there is none)."""
    return definitions(directory)[name]


def definitions_started_by(event: TriggerEvent | str, directory: Path | None = None) -> list[SopDefinition]:
    """The definitions that declare they start on this event (which one runs is the runs' choice)."""
    return [definition for definition in definitions(directory).values() if definition.entry_step(event)]


def copy_text(name: str, directory: Path | None = None) -> str:
    """The text of definition `name` with `based_on: <the built-in it comes from>`, for an institution to
    adapt. The copy keeps the original's comments: they explain each choice made from the seed document.
    """
    source = definitions(directory).get(name)
    if source is None:
        raise KeyError(name)
    text = builtin_text(name) if source.builtin else Path(source.source).read_text(encoding="utf-8")
    based_on = f"based_on: {source.based_on or name}"
    return BASED_ON_LINE.sub(based_on, text, count=1) if BASED_ON_LINE.search(text) else f"{based_on}\n{text}"
