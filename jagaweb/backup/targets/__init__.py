"""Backup media, one module per kind, and the registry that names them."""

from __future__ import annotations

from typing import Any

from jagaweb.backup.targets.base import Target, TargetError
from jagaweb.backup.targets.local import LocalTarget
from jagaweb.backup.targets.sftp import SFTPTarget

TARGETS: dict[str, type[Target]] = {"local": LocalTarget, "sftp": SFTPTarget}


def build_target(kind: str, **params: Any) -> Target:
    """A target of a registered kind, e.g. ``build_target("sftp", host=..., username=..., ...)``."""
    try:
        target_class = TARGETS[kind]
    except KeyError:
        raise TargetError(f"unknown backup target kind {kind!r} (known: {', '.join(sorted(TARGETS))})") from None
    return target_class(**params)


__all__ = ["TARGETS", "LocalTarget", "SFTPTarget", "Target", "TargetError", "build_target"]
