"""Strict readers for settings that come from environment variables.

Every reader names the variable in its error, so a typo in a deployment
fails at start-up with a message the operator can act on.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on", "ya"}
FALSE_WORDS = {"0", "false", "no", "off", "tidak"}


def load_env_file(path: Path, environ: dict[str, str] | None = None) -> None:
    """Fill `environ` from a KEY=VALUE file; variables already set win."""
    target = os.environ if environ is None else environ
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ImproperlyConfigured(f"JAGAWEB_ENV_FILE: {path} does not exist") from exc
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.removeprefix("export ").partition("=")
        if not sep or not key.strip().isidentifier():
            raise ImproperlyConfigured(f"{path}:{number}: expected KEY=VALUE, got {raw!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        target.setdefault(key.strip(), value)


def env_str(name: str, default: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    source = os.environ if environ is None else environ
    value = source.get(name)
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"{name} must be set")
        return default
    return value


def env_bool(name: str, default: bool, environ: Mapping[str, str] | None = None) -> bool:
    raw = env_str(name, str(default), environ).strip().lower()
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}")


def env_int(
    name: str,
    default: int,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    raw = env_str(name, str(default), environ).strip()
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, got {value}")
    return value


def env_list(name: str, default: str = "", environ: Mapping[str, str] | None = None) -> list[str]:
    source = os.environ if environ is None else environ
    raw = source.get(name) or default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_hosts(name: str, environ: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """Fixed name -> addresses, like /etc/hosts: "intranet.go.id=10.0.0.5 10.0.0.6, portal.go.id=10.0.0.7"."""
    hosts: dict[str, list[str]] = {}
    for item in env_list(name, environ=environ):
        host, sep, addresses = item.partition("=")
        if not sep or not host.strip() or not addresses.split():
            raise ImproperlyConfigured(f"{name} must look like name=address [address], got {item!r}")
        for address in addresses.split():
            try:
                ipaddress.ip_address(address)
            except ValueError as exc:
                raise ImproperlyConfigured(f"{name}: {address!r} is not an IP address") from exc
        hosts[host.strip().lower()] = addresses.split()
    return hosts


def env_mapping(name: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """key=value pairs separated by commas: "id=whois.id, go.id=whois.example:43"."""
    mapping: dict[str, str] = {}
    for item in env_list(name, environ=environ):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ImproperlyConfigured(f"{name} must look like key=value, got {item!r}")
        mapping[key.strip().lower()] = value.strip()
    return mapping


def env_choice(name: str, default: str, choices: list[str], environ: Mapping[str, str] | None = None) -> str:
    value = env_str(name, default, environ).strip()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def env_path(name: str, default: Path, environ: Mapping[str, str] | None = None) -> Path:
    return Path(env_str(name, str(default), environ)).expanduser().resolve()


def parse_database_url(url: str, sqlite_default: Path) -> dict[str, object]:
    """Turn DATABASE_URL (sqlite:///path or postgres://user:pw@host:port/db) into Django's dict."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///relative.db and sqlite:////absolute/path.db, as dj-database-url reads them
        path = unquote(parts.path)[1:]
        return sqlite_database(Path(path) if path else sqlite_default)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise ImproperlyConfigured(
            f"DATABASE_URL: unsupported scheme {parts.scheme!r}; use sqlite:///PATH or postgres://..."
        )
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured("DATABASE_URL: the database name is missing (postgres://host/NAME)")
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured("DATABASE_URL: the port is not a number") from None
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": options,
    }


def sqlite_database(path: Path) -> dict[str, object]:
    # WAL lets the web server read while the worker writes; IMMEDIATE transactions take the
    # write lock up front, so two writers wait on busy_timeout instead of failing on upgrade.
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON;"
            ),
        },
    }
