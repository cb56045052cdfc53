"""The DNS check: A/AAAA/NS/MX answers, compared with the answers recorded on the first good run.

A changed NS or A record is how a domain gets hijacked (and how a defaced copy gets served), so any
difference from the baseline degrades the check and alerts once per new answer set, until an
operator records the new answers as the baseline.

Government sites are mostly subdomains (portal.kominfo.go.id) whose NS and MX live at the zone
apex (kominfo.go.id): when the host has no NS records, the parents are asked, down to the
registered domain and no further (go.id's own servers say nothing about the site).
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jagaweb import net
from jagaweb.activity.choices import Severity
from jagaweb.monitor.checks import register
from jagaweb.monitor.checks.base import CheckSpec, CheckType, Context, Notice, Outcome
from jagaweb.monitor.checks.names import host_of, is_ip, zone_candidates
from jagaweb.monitor.choices import CheckKind, Status

RECORD_TYPES = ("A", "AAAA", "NS", "MX")
ZONE_TYPES = ("NS", "MX")  # asked at the zone apex when the host is not a zone itself

Answers = dict[str, list[str]]
Query = Callable[[str, str], Awaitable[list[str]]]


def normalise(rdtype: str, answers: list[str]) -> list[str]:
    """Comparable text: lower case, no trailing dots (NS and MX names), sorted, no duplicates."""
    if rdtype in ("NS", "MX"):
        answers = [answer.lower().rstrip(".") for answer in answers]
    return sorted(set(answers))


def differences(baseline: Answers, current: Answers) -> dict[str, dict[str, list[str]]]:
    """Per record type in both: what was added and removed (types not recorded yet are not compared)."""
    changes = {}
    for rdtype in RECORD_TYPES:
        if rdtype not in baseline or rdtype not in current:
            continue
        before, after = set(baseline[rdtype]), set(current[rdtype])
        if before != after:
            changes[rdtype] = {"added": sorted(after - before), "removed": sorted(before - after)}
    return changes


def describe_changes(changes: dict[str, dict[str, list[str]]]) -> str:
    parts = []
    for rdtype, change in changes.items():
        words = []
        if change["added"]:
            words.append(_("added %(values)s") % {"values": ", ".join(change["added"])})
        if change["removed"]:
            words.append(_("removed %(values)s") % {"values": ", ".join(change["removed"])})
        parts.append(f"{rdtype}: {'; '.join(words)}")
    return " | ".join(parts)


def answers_key(answers: Answers) -> str:
    """A short fingerprint of an answer set: the notice key, so each new set alerts once."""
    return hashlib.sha256(json.dumps(answers, sort_keys=True).encode()).hexdigest()[:16]


def parse_nameservers(values: list[Any]) -> list[tuple[str, int]]:
    """["192.0.2.53", "192.0.2.54:5353", "[2001:db8::53]:53"] -> [(address, port)]; ValueError if not."""
    servers = []
    for value in values:
        text = str(value).strip()
        if text.startswith("["):
            address, _sep, rest = text[1:].partition("]")
            port = int(rest[1:]) if rest.startswith(":") else 53
        elif text.count(":") == 1:
            address, _sep, port_text = text.partition(":")
            port = int(port_text)
        else:
            address, port = text, 53
        ipaddress.ip_address(address)
        if not 0 < port < 65536:
            raise ValueError(text)
        servers.append((address, port))
    return servers


@register
class DnsCheck(CheckType):
    kind = CheckKind.DNS
    label = gettext_lazy("DNS records")
    default_interval = 3600

    def target_for(self, target: str, site_url: str) -> str:
        return host_of(target or site_url) or target

    def clean_config(self, config: dict[str, Any]) -> dict[str, Any]:
        cleaned = dict(config)
        types = cleaned.setdefault("record_types", list(RECORD_TYPES))
        if (not isinstance(types, list) or not types
                or any(not isinstance(t, str) or t.upper() not in RECORD_TYPES for t in types)):
            raise ValidationError({"record_types": _("Choose one or more of %(types)s.")
                                   % {"types": ", ".join(RECORD_TYPES)}})
        cleaned["record_types"] = [t for t in RECORD_TYPES if t in {t.upper() for t in types}]
        servers = cleaned.setdefault("nameservers", [])
        try:
            if not isinstance(servers, list):
                raise ValueError(servers)
            parse_nameservers(servers)
        except ValueError as exc:
            raise ValidationError({"nameservers": _("Enter IP addresses, optionally with :port.")}) from exc
        return cleaned

    async def run(self, spec: CheckSpec, context: Context) -> Outcome:
        host = host_of(spec.target)
        if not host or is_ip(host):
            return Outcome(Status.UNKNOWN, _("%(target)r is not a host name; there are no DNS records to watch.")
                           % {"target": spec.target})
        types = [t for t in RECORD_TYPES if t in spec.config.get("record_types", RECORD_TYPES)]
        try:
            servers = parse_nameservers(list(spec.config.get("nameservers") or []))
            for address, _port in servers:
                net.check_addresses(address, [ipaddress.ip_address(address)], allow_private=spec.allow_private)
        except ValueError:
            return Outcome(Status.UNKNOWN, _("The check's name servers are not valid addresses."))
        except net.BlockedAddress as exc:
            return Outcome(Status.UNKNOWN, str(exc))
        started = time.monotonic()
        try:
            answers, zone = await self._lookup(host, types, spec.timeout, servers or None)
        except net.NetError as exc:  # NXDOMAIN, timeout, SERVFAIL: all mean the site cannot be found
            return Outcome(Status.DOWN, str(exc), (time.monotonic() - started) * 1000)
        elapsed = (time.monotonic() - started) * 1000
        facts: dict[str, Any] = {"host": host, "zone": zone, "answers": answers}
        return self._judge(spec, context, host, answers, elapsed, facts)

    async def _lookup(self, host: str, types: list[str], timeout: float,
                      servers: list[tuple[str, int]] | None) -> tuple[Answers, str]:
        async def query(name: str, rdtype: str) -> list[str]:
            return normalise(rdtype, await net.dns_query(name, rdtype, timeout=timeout, servers=servers))

        host_types = [t for t in types if t in ("A", "AAAA")]
        # Both asked at once; every result is collected, so a failure leaves no unretrieved task behind.
        results = await asyncio.gather(*(query(host, t) for t in host_types), return_exceptions=True)
        answers: Answers = {}
        for rdtype, result in zip(host_types, results, strict=True):
            if isinstance(result, BaseException):
                raise result
            answers[rdtype] = result
        zone = host
        if any(t in ZONE_TYPES for t in types):
            zone, ns = await self._zone_of(host, query)
            if "NS" in types:
                answers["NS"] = ns
            if "MX" in types:
                answers["MX"] = await query(zone, "MX")
        return {t: answers[t] for t in types}, zone

    async def _zone_of(self, host: str, query: Query) -> tuple[str, list[str]]:
        """The nearest name at or above `host` (down to the registered domain) that has NS records."""
        for name in zone_candidates(host):
            try:
                ns = await query(name, "NS")
            except net.UnresolvableHost:
                if name == host:
                    raise  # the site's own name does not exist: that is the finding
                continue  # a parent that does not exist on its own (an odd server); keep walking up
            if ns:
                return name, ns
        return host, []

    def _judge(self, spec: CheckSpec, context: Context, host: str, answers: Answers, elapsed: float,
               facts: dict[str, Any]) -> Outcome:
        if "A" in answers and "AAAA" in answers and not answers["A"] and not answers["AAAA"]:
            return Outcome(Status.DOWN, _("%(host)s has no A or AAAA record: browsers cannot find it.")
                           % {"host": host}, elapsed, facts)
        recorded: Answers = dict(spec.baseline.get("answers") or {})
        summary = "; ".join(f"{t} {', '.join(values) or '-'}" for t, values in answers.items())
        if not recorded:
            baseline = {"answers": answers, "recorded_at": context.now.isoformat()}
            return Outcome(Status.UP, _("Recorded the DNS answers as the baseline: %(summary)s")
                           % {"summary": summary}, elapsed, facts, new_baseline=baseline)
        changes = differences(recorded, answers)
        # A type added to the options since the baseline was recorded joins it on its first answer.
        missing = {t: values for t, values in answers.items() if t not in recorded}
        new_baseline = None
        if missing and not changes:
            new_baseline = {**spec.baseline, "answers": {**recorded, **missing}}
        if changes:
            facts["changes"] = changes
            facts["changes_key"] = answers_key(answers)
            message = _("DNS answers for %(host)s differ from the recorded baseline: %(changes)s")
            return Outcome(Status.DEGRADED, message % {"host": host, "changes": describe_changes(changes)},
                           elapsed, facts, new_baseline=new_baseline)
        return Outcome(Status.UP, _("Same as the baseline: %(summary)s") % {"summary": summary}, elapsed, facts,
                       new_baseline=new_baseline)

    def notices(self, spec: CheckSpec, outcome: Outcome) -> list[Notice]:
        changes, key = outcome.facts.get("changes"), outcome.facts.get("changes_key")
        if not changes or not key:
            return []
        # NS changes are the hijacking kind: critical. Address changes may be a planned move: a warning.
        severity = Severity.CRITICAL if "NS" in changes else Severity.WARNING
        return [Notice(
            key=f"dns:{key}", verb="monitor.dns_changed", severity=severity,
            data={"site_name": spec.site_name, "host": outcome.facts.get("host", spec.target),
                  "changes": describe_changes(changes), "types": sorted(changes)},
        )]
