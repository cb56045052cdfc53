"""RDAP lookups of a domain: IANA's bootstrap file says which server holds a TLD, the server says the rest.

Fetching goes through `jagaweb.net` (the monitoring engine's shared aiohttp sessions, under the
address policy); whoisit (a maintained RDAP client) parses the answer. whoisit's own bootstrap and
query functions fetch with requests/httpx and want all five IANA files (ASN, IPv4, IPv6, objects,
DNS) before any lookup, so only its parser is used, and the one bootstrap file domains need
(dns.json: `{"services": [[["id", ...], ["https://rdap.example/"]], ...]}`) is read here.

Both the bootstrap file (a day) and each domain's answer (an hour) are kept in memory, so thousands
of checks of sites under one registered domain (every regency's `*.kabupaten.go.id`) ask the
registry once, and a failing bootstrap fetch is not retried by every check for ten minutes.
"""

from __future__ import annotations

import asyncio
import json
import time
import weakref
from dataclasses import dataclass, field
from datetime import UTC, date
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

import aiohttp
from django.conf import settings
from django.utils.translation import gettext as _
from whoisit.bootstrap import BaseBootstrap
from whoisit.errors import WhoisItError
from whoisit.parser import ParseDomain

from jagaweb import net

BOOTSTRAP_TTL = 24 * 3600.0
BOOTSTRAP_RETRY = 600.0  # after a failed fetch, checks wait this long before the next try
ANSWER_TTL = 3600.0
MAX_BYTES = 2 * 1024 * 1024  # real RDAP answers are a few KiB; anything this large is not one
RDAP_MEDIA = "application/rdap+json, application/json;q=0.9"
# Registry statuses (RFC 8056 mapping of EPP) under which the domain does not resolve or is being deleted.
DEAD_STATUSES = ("server hold", "client hold", "redemption period", "pending delete")


class Sessions(Protocol):
    """The engine's shared sessions (`Context.sessions`); only the HTTP one is needed here."""

    def http(self, allow_private: bool) -> aiohttp.ClientSession: ...


class RdapError(Exception):
    """RDAP could not tell (no server for the TLD, no answer, a malformed answer); the message says why."""


class RdapNotFound(RdapError):
    """The registry's RDAP server has no such domain (HTTP 404)."""


@dataclass(frozen=True)
class RdapDomain:
    name: str
    expires_on: date | None
    registrar: str = ""
    nameservers: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    whois_server: str = ""  # the registry's port-43 server, if the answer names one
    server: str = ""  # the RDAP base URL that answered


@dataclass
class _Cache:
    bootstrap: dict[str, tuple[float, dict[str, list[str]] | str]] = field(default_factory=dict)
    answers: dict[str, tuple[float, RdapDomain | RdapError]] = field(default_factory=dict)
    # One lock per event loop: asyncio locks belong to the loop that first waits on them.
    locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = field(
        default_factory=weakref.WeakKeyDictionary)

    def lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if loop not in self.locks:
            self.locks[loop] = asyncio.Lock()
        return self.locks[loop]


_cache = _Cache()


def clear_caches() -> None:
    """Forget bootstrap data and answers (tests; a changed JAGAWEB_RDAP_BOOTSTRAP_URL)."""
    _cache.bootstrap.clear()
    _cache.answers.clear()


def parse_bootstrap(data: Any) -> dict[str, list[str]]:
    """IANA's dns.json -> {"id": ["https://rdap.pandi.id/rdap/"], ...}; https servers first."""
    if not isinstance(data, dict) or not isinstance(data.get("services"), list):
        raise ValueError("no services list")
    servers: dict[str, list[str]] = {}
    for service in data["services"]:
        if not isinstance(service, list) or len(service) < 2:
            continue
        suffixes, urls = service[0], service[1]
        if not isinstance(suffixes, list) or not isinstance(urls, list):
            continue
        usable = [u for u in urls if isinstance(u, str) and u.lower().startswith(("https://", "http://"))]
        usable.sort(key=lambda u: not u.lower().startswith("https://"))
        for suffix in suffixes:
            if isinstance(suffix, str) and usable:
                servers[suffix.lower().strip(".")] = usable
    return servers


async def fetch_json(session: aiohttp.ClientSession, url: str, timeout: float) -> Any:
    """GET a JSON document (capped in size); raises RdapError/RdapNotFound with a clear message."""
    host = urlsplit(url).netloc or url
    try:
        async with session.get(url, headers={"Accept": RDAP_MEDIA}, max_redirects=3,
                               timeout=aiohttp.ClientTimeout(total=timeout)) as response:
            body = await response.content.read(MAX_BYTES + 1)
            status = response.status
    except TimeoutError as exc:
        raise RdapError(_("%(host)s did not answer within %(timeout)s s.")
                        % {"host": host, "timeout": f"{timeout:g}"}) from exc
    except net.NetError as exc:
        raise RdapError(str(exc)) from exc
    except (aiohttp.ClientError, OSError, ValueError) as exc:
        raise RdapError(_("Could not talk to %(host)s: %(error)s") % {"host": host, "error": exc or type(exc)}) from exc
    if status == 404:
        raise RdapNotFound(_("%(host)s has no record of it (HTTP 404).") % {"host": host})
    if status != 200:
        raise RdapError(_("%(host)s answered HTTP %(status)s.") % {"host": host, "status": status})
    if len(body) > MAX_BYTES:
        raise RdapError(_("%(host)s sent an answer too large to be RDAP.") % {"host": host})
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RdapError(_("%(host)s sent a malformed answer (not JSON: %(error)s).")
                        % {"host": host, "error": exc}) from exc


async def bootstrap(sessions: Sessions, timeout: float) -> dict[str, list[str]]:
    """The TLD -> RDAP servers table, fetched at most once a day (and once per failure pause)."""
    url = settings.JAGAWEB_RDAP_BOOTSTRAP_URL
    async with _cache.lock():
        cached = _cache.bootstrap.get(url)
        if cached is not None and time.monotonic() < cached[0]:
            if isinstance(cached[1], str):
                raise RdapError(cached[1])
            return cached[1]
        try:
            # The bootstrap address is the deployment's own setting (IANA by default), trusted as such.
            data = await fetch_json(sessions.http(True), url, timeout)
            table = parse_bootstrap(data)
        except (RdapError, ValueError) as exc:
            message = _("The RDAP bootstrap file %(url)s is unusable: %(error)s") % {"url": url, "error": exc}
            _cache.bootstrap[url] = (time.monotonic() + BOOTSTRAP_RETRY, message)
            raise RdapError(message) from exc
        _cache.bootstrap[url] = (time.monotonic() + BOOTSTRAP_TTL, table)
        return table


def servers_for(table: dict[str, list[str]], domain: str) -> list[str]:
    """The servers for the longest suffix of `domain` in the table ("go.id" before "id")."""
    labels = domain.split(".")
    for i in range(1, len(labels)):
        servers = table.get(".".join(labels[i:]))
        if servers:
            return servers
    return []


def parse_domain(raw: Any, domain: str, server: str) -> RdapDomain:
    """A registry's domain object -> what the domain check needs; RdapError when it is not one."""
    host = urlsplit(server).netloc or server
    if isinstance(raw, dict) and "errorCode" in raw and raw.get("objectClassName") is None:
        # An RDAP error object sent with status 200 (seen during registry maintenance).
        raise RdapError(_("%(host)s answered with RDAP error %(code)s: %(title)s")
                        % {"host": host, "code": raw.get("errorCode"), "title": str(raw.get("title", ""))[:100]})
    if not isinstance(raw, dict) or raw.get("objectClassName") != "domain":
        raise RdapError(_("%(host)s sent a malformed RDAP answer (not a domain object).") % {"host": host})
    try:
        parsed = ParseDomain(BaseBootstrap(), raw, domain).parse()
    except (WhoisItError, ValueError, TypeError, AttributeError, KeyError, OverflowError) as exc:
        # whoisit's messages quote the whole answer; the first words are enough here.
        raise RdapError(_("%(host)s sent a malformed RDAP answer: %(error)s")
                        % {"host": host, "error": str(exc).split(":", 1)[0][:120]}) from exc
    expiration = parsed.get("expiration_date")
    if expiration is not None and expiration.tzinfo is not None:
        expiration = expiration.astimezone(UTC)  # registries write UTC; an offset is read as the same instant
    registrars = parsed.get("entities", {}).get("registrar", [])
    registrar = next((str(r.get("name") or r.get("org") or r.get("handle")) for r in registrars
                      if r.get("name") or r.get("org") or r.get("handle")), "")
    return RdapDomain(
        name=str(parsed.get("name") or domain).lower(),
        expires_on=expiration.date() if expiration is not None else None,
        registrar=registrar,
        nameservers=sorted({str(ns).lower().rstrip(".") for ns in parsed.get("nameservers", [])}),
        status=[str(s).lower() for s in parsed.get("status", [])],
        whois_server=str(parsed.get("whois_server") or ""),
        server=server,
    )


async def lookup(domain: str, *, sessions: Sessions, allow_private: bool, timeout: float) -> RdapDomain:
    """The registry's RDAP record of `domain` (cached for an hour, a failure for ten minutes)."""
    key = f"{domain} {allow_private}"  # a refusal under the address policy must not answer a permitted check
    cached = _cache.answers.get(key)
    if cached is not None and time.monotonic() < cached[0]:
        if isinstance(cached[1], RdapError):
            raise cached[1]
        return cached[1]
    table = await bootstrap(sessions, timeout)
    servers = servers_for(table, domain)
    if not servers:
        raise RdapError(_("IANA's bootstrap names no RDAP server for .%(tld)s.") % {"tld": domain.rsplit(".", 1)[-1]})
    result: RdapDomain | RdapError = RdapError("")
    for server in servers[:2]:  # a registry lists one or two mirrors; the second is tried if the first fails
        url = server.rstrip("/") + "/domain/" + quote(domain)
        try:
            result = parse_domain(await fetch_json(sessions.http(allow_private), url, timeout), domain, server)
        except RdapNotFound as exc:
            result = exc
            break
        except RdapError as exc:
            result = exc
            continue
        break
    # A failure is kept only for the retry pause: the registry may be back soon, a date does not move.
    ttl = BOOTSTRAP_RETRY if isinstance(result, RdapError) else ANSWER_TTL
    _cache.answers[key] = (time.monotonic() + ttl, result)
    if isinstance(result, RdapError):
        raise result
    return result
