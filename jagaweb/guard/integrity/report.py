"""What a comparison of a web root with its snapshot answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jagaweb.guard.integrity.choices import ChangeKind

KIND_ORDER = {kind: number for number, kind in enumerate(ChangeKind)}


@dataclass(frozen=True, slots=True)
class PathState:
    """One side of a change: the path as the snapshot recorded it, or as it is now."""

    kind: str  # choices.PathKind
    size: int = 0
    mode: int = 0  # permission bits only (stat.S_IMODE)
    uid: int = 0
    gid: int = 0
    hash: str = ""  # content hash of a regular file, hex; "" when not known or not a file
    target: str = ""  # of a symlink


@dataclass(frozen=True, slots=True)
class Change:
    path: str  # relative to the web root, '/'-separated
    kind: ChangeKind
    old: PathState | None  # None: not in the snapshot (added)
    new: PathState | None  # None: gone from the web root (deleted)

    def as_dict(self) -> dict[str, Any]:
        """Flat, for a database row or JSON: old_size, new_size, old_hash, new_hash, old_mode, ..."""
        flat: dict[str, Any] = {"path": self.path, "kind": str(self.kind)}
        for side, state in (("old", self.old), ("new", self.new)):
            for name in PathState.__slots__:
                flat[f"{side}_{name}"] = getattr(state, name) if state is not None else None
        return flat


@dataclass(frozen=True, slots=True)
class Skipped:
    path: str
    reason: str


@dataclass(slots=True)
class IntegrityReport:
    root: str
    snapshot_id: str = ""
    changes: list[Change] = field(default_factory=list)
    # Symlinks whose target leads out of the web root, changed or not: (path, target). Never followed.
    links_outside: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    paths_seen: int = 0
    files_seen: int = 0  # regular files
    files_hashed: int = 0  # read because neither the snapshot nor the last scan vouched for them
    bytes_hashed: int = 0
    state_used: bool = False  # a good state file of the last scan was read (its hashes trusted)
    state_problem: str = ""  # why a state file was not used ("" when it was, or there was none)

    @property
    def clean(self) -> bool:
        return not self.changes

    def of_kind(self, kind: ChangeKind) -> list[Change]:
        return [change for change in self.changes if change.kind == kind]

    @property
    def added(self) -> list[Change]:
        return self.of_kind(ChangeKind.ADDED)

    @property
    def modified(self) -> list[Change]:
        return self.of_kind(ChangeKind.MODIFIED)

    @property
    def deleted(self) -> list[Change]:
        return self.of_kind(ChangeKind.DELETED)

    @property
    def permissions(self) -> list[Change]:
        return self.of_kind(ChangeKind.PERMISSIONS)

    @property
    def type_changes(self) -> list[Change]:
        return self.of_kind(ChangeKind.TYPE)

    @property
    def target_changes(self) -> list[Change]:
        return self.of_kind(ChangeKind.TARGET)

    def paths(self, kind: ChangeKind) -> list[str]:
        return [change.path for change in self.of_kind(kind)]

    def sort(self) -> None:
        self.changes.sort(key=lambda change: (change.path, KIND_ORDER[change.kind]))
        self.links_outside.sort()
        self.skipped.sort(key=lambda skipped: skipped.path)
