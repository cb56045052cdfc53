"""The changes a repair undoes, as plain data: the lead maps the integrity report onto them.

The kind is what the evidence says happened; what the repair does is decided by the trusted
snapshot, so a wrong kind cannot make it destroy anything: a path the snapshot has is restored, any
other path is removed, and either only after what is there now is in the quarantine.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# One vocabulary of changes for the integrity check that finds them and the repair that undoes them.
from jagaweb.guard.integrity.choices import ChangeKind
from jagaweb.guard.repair.errors import UnsafePath

__all__ = ["Change", "ChangeKind", "PathType", "ancestors", "path_parts", "split"]


class PathType(StrEnum):
    """What is at a path; the first three are named as the snapshot's EntryKind, to compare with it."""

    FILE = "file"
    DIR = "dir"
    SYMLINK = "symlink"
    OTHER = "other"  # a FIFO, socket or device: never opened


def path_parts(relative: str) -> list[str]:
    """The names of a path relative to the web root; refuses anything that could leave it."""
    parts = relative.split("/")
    if not relative or "\0" in relative or any(part in ("", ".", "..") for part in parts):
        raise UnsafePath(f"{relative!r} is not a plain path inside the web root")
    return parts


def split(relative: str) -> tuple[str, str]:
    """(folder, name) of a checked relative path; the folder is "" at the top."""
    path_parts(relative)
    folder, _, name = relative.rpartition("/")
    return folder, name


def ancestors(relative: str) -> list[str]:
    """The folders above a path, outermost first, without the web root itself."""
    parts = path_parts(relative)
    return ["/".join(parts[:end]) for end in range(1, len(parts))]


@dataclass(frozen=True, slots=True)
class Change:
    path: str  # relative to the web root, "/"-separated
    kind: ChangeKind

    def __post_init__(self) -> None:
        path_parts(self.path)
        object.__setattr__(self, "kind", ChangeKind(self.kind))
