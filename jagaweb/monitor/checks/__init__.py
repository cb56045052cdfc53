"""The registry of check kinds: one module per kind in this package, each registering one `CheckType`."""

from __future__ import annotations

from importlib import import_module

from jagaweb.monitor.checks.base import CheckType

MODULES = ("http", "tls", "dns", "domain", "freshness", "tcp", "heartbeat")
KINDS: dict[str, CheckType] = {}


def register(check_type: type[CheckType]) -> type[CheckType]:
    KINDS[check_type.kind] = check_type()
    return check_type


def all_kinds() -> dict[str, CheckType]:
    if len(KINDS) < len(MODULES):
        for module in MODULES:
            import_module(f"jagaweb.monitor.checks.{module}")
    return KINDS


def kind_of(name: str) -> CheckType:
    return all_kinds()[name]
