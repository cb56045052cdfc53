"""Errors of the repair. A RepairError about one path leaves that path as it was and is reported;
the others stop the run (the journal lets the next run continue where it stopped)."""

from __future__ import annotations

from jagaweb.backup.store.restorer import RestoreError
from jagaweb.backup.store.sealing import DamagedData
from jagaweb.backup.targets.base import TargetError


class RepairError(Exception):
    """Something the repair refused or could not do."""


class UnsafePath(RepairError, ValueError):
    """A relative path that could leave the web root ("..", absolute, empty parts)."""


class NotReachable(RepairError):
    """A folder on the way to a path is missing or is no real folder (a symlink, a file): nothing
    behind it is read or written, as it may lie outside the web root."""


class QuarantineError(RepairError):
    """A path could not be copied into the quarantine; it is left in place, never overwritten."""


# What can go wrong with one path (its file system, its quarantine, its stored chunks): reported,
# and the repair goes on with the other paths.
PATH_ERRORS = (OSError, RepairError, DamagedData, RestoreError, TargetError)
