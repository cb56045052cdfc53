"""Kinds of difference between a web root and its snapshot.

Plain StrEnums, not Django TextChoices: the integrity library runs without Django (the backup store
does too), for example inside a watcher process or a benchmark.
"""

from __future__ import annotations

from enum import StrEnum


class ChangeKind(StrEnum):
    ADDED = "added"
    MODIFIED = "modified"  # a regular file's content
    DELETED = "deleted"
    PERMISSIONS = "permissions"  # mode, owner or group
    TYPE = "type"  # file, folder and symlink turned into one another
    TARGET = "target"  # a symlink now points elsewhere


class PathKind(StrEnum):
    """What is at a path; the first three are the snapshot's own kinds (manifest.EntryKind)."""

    FILE = "file"
    DIR = "dir"
    SYMLINK = "symlink"
    SPECIAL = "special"  # FIFO, socket or device: never opened, never in a snapshot
