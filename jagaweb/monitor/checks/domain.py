"""The domain expiry check: RDAP first (IANA bootstrap -> the registry), WHOIS second, a typed date last.

`.id` and `.go.id` names go to PANDI's RDAP server, found through IANA's bootstrap like any other TLD.
The check watches the registered domain (kominfo.go.id for portal.kominfo.go.id, see `names`), and
all checks of one TLD share a per-host key, so the per-host cap keeps a province's thousands of
sites from hitting one registry at once (registries rate-limit RDAP and WHOIS).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jagaweb import net
from jagaweb.activity.choices import Severity
from jagaweb.monitor.checks import rdap, register, whois
from jagaweb.monitor.checks.base import CheckSpec, CheckType, Context, Notice, Outcome
from jagaweb.monitor.checks.expiry import days_until, threshold_crossed
from jagaweb.monitor.checks.names import clean_host, host_of, is_ip, registered_domain
from jagaweb.monitor.choices import CheckKind, Status

WARN_DAYS = 30  # fewer days left than this: degraded (renewing a .go.id takes paperwork)


class Source:
    """Where the expiry date came from (facts["source"])."""

    RDAP = "rdap"
    WHOIS = "whois"
    MANUAL = "manual"


@dataclass
class Findings:
    expires_on: date | None = None
    source: str = ""
    registrar: str = ""
    nameservers: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    whois_server: str = ""
    errors: list[str] = field(default_factory=list)


def parse_manual_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError(value)
    return date.fromisoformat(value.strip())


@register
class DomainCheck(CheckType):
    kind = CheckKind.DOMAIN
    label = gettext_lazy("Domain expiry")
    default_interval = 24 * 3600

    def target_for(self, target: str, site_url: str) -> str:
        # A bare name typed as the target is taken as the domain itself (for suffixes the table lacks,
        # such as example.co.uk); a URL or the site's address is cut down to its registered domain.
        if target and "://" not in target and "/" not in target:
            return clean_host(target)
        host = host_of(target or site_url)
        return registered_domain(host) or host or target

    def host_key(self, spec: CheckSpec) -> str:
        return "registry:" + spec.target.rsplit(".", 1)[-1].lower()

    def clean_config(self, config: dict[str, Any]) -> dict[str, Any]:
        cleaned = dict(config)
        try:
            manual = parse_manual_date(cleaned.get("expires_on"))
        except ValueError as exc:
            raise ValidationError({"expires_on": _("Enter the date as YYYY-MM-DD.")}) from exc
        cleaned["expires_on"] = manual.isoformat() if manual else ""
        server = cleaned.setdefault("whois_server", "")
        if not isinstance(server, str) or (server and whois.server_for("x.invalid", server) is None):
            raise ValidationError({"whois_server": _("Enter a host name, optionally with :port.")})
        for option in ("rdap", "whois"):
            if not isinstance(cleaned.setdefault(option, True), bool):
                raise ValidationError({option: _("Enter true or false.")})
        warn_days = cleaned.setdefault("warn_days", WARN_DAYS)
        if not isinstance(warn_days, int) or isinstance(warn_days, bool) or not 0 <= warn_days <= 365:
            raise ValidationError({"warn_days": _("Enter a whole number of days from 0 to 365.")})
        return cleaned

    async def run(self, spec: CheckSpec, context: Context) -> Outcome:
        domain = clean_host(spec.target)
        if not domain or is_ip(domain) or "." not in domain:
            return Outcome(Status.UNKNOWN, _("%(target)r is not a domain name.") % {"target": spec.target})
        started = time.monotonic()
        found = Findings()
        if spec.config.get("rdap", True):
            await self._from_rdap(spec, context, domain, found)
        if found.expires_on is None and spec.config.get("whois", True):
            await self._from_whois(spec, domain, found)
        if found.expires_on is None:
            try:
                manual = parse_manual_date(spec.config.get("expires_on"))
            except ValueError:
                manual = None
            if manual is not None:
                found.expires_on, found.source = manual, Source.MANUAL
        elapsed = (time.monotonic() - started) * 1000
        return self._judge(spec, context, domain, found, elapsed)

    async def _from_rdap(self, spec: CheckSpec, context: Context, domain: str, found: Findings) -> None:
        try:
            record = await rdap.lookup(domain, sessions=context.sessions, allow_private=spec.allow_private,
                                       timeout=spec.timeout)
        except rdap.RdapError as exc:
            found.errors.append(_("RDAP: %(error)s") % {"error": exc})
            return
        found.registrar, found.nameservers, found.status = record.registrar, record.nameservers, record.status
        found.whois_server = record.whois_server
        if record.expires_on is None:
            found.errors.append(_("RDAP: %(server)s gives no expiration date.") % {"server": record.server})
        else:
            found.expires_on, found.source = record.expires_on, Source.RDAP

    async def _from_whois(self, spec: CheckSpec, domain: str, found: Findings) -> None:
        server = whois.server_for(domain, str(spec.config.get("whois_server") or ""), found.whois_server)
        if server is None:
            found.errors.append(_("WHOIS: no server is known for .%(tld)s.") % {"tld": domain.rsplit(".", 1)[-1]})
            return
        try:
            record = await whois.lookup(domain, server, allow_private=spec.allow_private, timeout=spec.timeout)
        except net.NetError as exc:
            found.errors.append(_("WHOIS: %(error)s") % {"error": exc})
            return
        if record.not_found:
            found.errors.append(_("WHOIS: %(server)s has no record of %(domain)s.")
                                % {"server": server[0], "domain": domain})
        elif record.expires_on is None:
            found.errors.append(_("WHOIS: %(server)s gives no expiration date we can read.") % {"server": server[0]})
        else:
            found.expires_on, found.source = record.expires_on, Source.WHOIS
        found.registrar = found.registrar or record.registrar
        found.nameservers = found.nameservers or record.nameservers

    def _judge(self, spec: CheckSpec, context: Context, domain: str, found: Findings, elapsed: float) -> Outcome:
        facts: dict[str, Any] = {"domain": domain, "registrar": found.registrar, "nameservers": found.nameservers,
                                 "status": found.status, "source": found.source}
        if found.errors:
            facts["lookup_errors"] = found.errors
        if found.expires_on is None:
            # The advice comes before the details: results keep only the first 300 characters.
            message = _("Cannot tell when %(domain)s expires (enter the date by hand if the registry answers "
                        "neither RDAP nor WHOIS): %(errors)s.")
            errors = "; ".join(error.rstrip(". ") for error in found.errors)
            return Outcome(Status.UNKNOWN, message % {"domain": domain, "errors": errors}, elapsed, facts)
        days_left = days_until(found.expires_on, context.now)
        facts.update(expires_on=found.expires_on.isoformat(), days_left=days_left)
        when = {"domain": domain, "date": found.expires_on.isoformat(), "days": days_left, "source": found.source}
        dead = [s for s in found.status if s in rdap.DEAD_STATUSES]
        if days_left < 0:
            return Outcome(Status.DOWN, _("%(domain)s expired on %(date)s (%(source)s).") % when, elapsed, facts)
        if dead:
            message = _("The registry lists %(domain)s as %(status)s: it does not resolve or is being deleted.")
            return Outcome(Status.DOWN, message % {"domain": domain, "status": ", ".join(dead)}, elapsed, facts)
        if days_left < int(spec.config.get("warn_days", WARN_DAYS)):
            return Outcome(Status.DEGRADED, _("%(domain)s expires in %(days)s days, on %(date)s (%(source)s); "
                                              "renew it now.") % when, elapsed, facts)
        return Outcome(Status.UP, _("%(domain)s is registered until %(date)s, %(days)s days from now (%(source)s).")
                       % when, elapsed, facts)

    def notices(self, spec: CheckSpec, outcome: Outcome) -> list[Notice]:
        days_left, expires_on = outcome.facts.get("days_left"), outcome.facts.get("expires_on")
        if not isinstance(days_left, int) or not isinstance(expires_on, str):
            return []
        threshold = threshold_crossed(days_left)
        if threshold is None:
            return []
        return [Notice(
            key=f"domain:{expires_on}:{threshold}",
            verb="monitor.domain_expiring",
            severity=Severity.CRITICAL if threshold <= 7 else Severity.WARNING,
            data={"site_name": spec.site_name, "domain": outcome.facts.get("domain", spec.target),
                  "days_left": days_left, "expires_on": expires_on, "threshold": threshold,
                  "source": outcome.facts.get("source", ""), "registrar": outcome.facts.get("registrar", "")},
        )]
