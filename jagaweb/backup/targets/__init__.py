"""Backup media, one module per kind, and the registry that names them."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from jagaweb.backup.targets.base import Target, TargetError
from jagaweb.backup.targets.local import LocalTarget

# Kind -> "module:class". Imported when first built: a local backup need not load paramiko and httpx.
TARGETS: dict[str, str] = {
    "local": "jagaweb.backup.targets.local:LocalTarget",
    "sftp": "jagaweb.backup.targets.sftp:SFTPTarget",
}


def target_class(kind: str) -> type[Target]:
    try:
        module, name = TARGETS[kind].split(":")
    except KeyError:
        raise TargetError(f"unknown backup target kind {kind!r} (known: {', '.join(sorted(TARGETS))})") from None
    found: type[Target] = getattr(import_module(module), name)
    return found


def build_target(kind: str, **params: Any) -> Target:
    """A target of a registered kind, e.g. ``build_target("sftp", host=..., username=..., ...)``."""
    return target_class(kind)(**params)


def __getattr__(name: str) -> Any:
    if name == "SFTPTarget":
        return target_class("sftp")
    raise AttributeError(name)


__all__ = ["TARGETS", "LocalTarget", "SFTPTarget", "Target", "TargetError", "build_target", "target_class"]
