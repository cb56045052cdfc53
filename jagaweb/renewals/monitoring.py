"""End dates from monitoring: a domain's expiry as the registry gives it (the domain check's RDAP or WHOIS
answer) and a certificate's as the site serves it (the TLS check).

Monitoring follows an end date it set itself. A date a person entered, or that a recorded renewal set,
is replaced only when monitoring gives a later one (the registry has the renewal, or someone renewed
without recording it) or when a person asks for the refresh; otherwise the disagreement is recorded once
(a registry often shows a paid renewal only days later). Every change is in the activity log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from jagaweb.activity.choices import Severity
from jagaweb.activity.log import Actor, SystemJob, record
from jagaweb.monitor.choices import CheckKind
from jagaweb.monitor.models import Check
from jagaweb.renewals import verbs
from jagaweb.renewals.choices import MONITORED_SOURCES, DateSource, RefreshResult, ServiceKind
from jagaweb.renewals.models import Service


@dataclass(frozen=True)
class Watched:
    """Which check watches a kind of service, and where its facts keep the name and the end."""

    check_kind: str
    name_key: str
    end_key: str


WATCHED = {
    ServiceKind.DOMAIN: Watched(CheckKind.DOMAIN, "domain", "expires_on"),
    ServiceKind.CERTIFICATE: Watched(CheckKind.TLS, "host", "not_after"),
}
FACT_SOURCES = {"rdap": DateSource.RDAP, "whois": DateSource.WHOIS}


@dataclass(frozen=True)
class Seen:
    end: date
    source: DateSource
    check: Check


@dataclass(frozen=True)
class Refresh:
    result: RefreshResult
    old_end: date
    seen: Seen | None = None


def end_of(value: Any) -> date | None:
    """A date from the facts: "2026-01-01", or a certificate's "2026-01-01T16:59:59+00:00" as a local date."""
    if not isinstance(value, str) or not value:
        return None
    try:
        if "T" in value:
            return timezone.localdate(datetime.fromisoformat(value))
        return date.fromisoformat(value)
    except ValueError:
        return None


def same_name(a: str, b: str) -> bool:
    return a.strip().rstrip(".").lower() == b.strip().rstrip(".").lower()


def candidate_checks(service: Service, watched: Watched) -> QuerySet[Check]:
    """The organisation's checks of the kind, the service's own site first, the freshest first."""
    checks = Check.objects.filter(kind=watched.check_kind, site__organisation_id=service.organisation_id)
    own_site = Case(When(site_id=service.site_id or 0, then=Value(0)), default=Value(1), output_field=IntegerField())
    return checks.annotate(own_site=own_site).order_by("own_site", "-last_checked_at", "pk")


def monitored_end(service: Service) -> Seen | None:
    """What monitoring says about the service's end, or None. With an identifier the check must be about that
    name (checks of any site of the organisation count); without one, only the service's site's check does."""
    watched = WATCHED.get(ServiceKind(service.kind)) if service.kind in ServiceKind.values else None
    if watched is None:
        return None
    for check in candidate_checks(service, watched).only("pk", "site_id", "facts", "last_checked_at"):
        facts = check.facts if isinstance(check.facts, dict) else {}
        name = str(facts.get(watched.name_key) or "")
        if service.identifier:
            if not name or not same_name(name, service.identifier):
                continue
        elif check.site_id != service.site_id:
            continue
        end = end_of(facts.get(watched.end_key))
        if end is None:
            continue
        if watched.check_kind == CheckKind.TLS:
            return Seen(end, DateSource.TLS, check)
        source = FACT_SOURCES.get(str(facts.get("source", "")))
        if source is not None:  # a date typed into the check ("manual") is nobody's registry answer
            return Seen(end, source, check)
    return None


def refresh(service: Service, actor: Actor, *, asked: bool = False) -> Refresh:
    """Bring the service's end date in line with monitoring (see the module). `asked`: a person asked for it
    (a page's or the API's "refresh from monitoring"), which also replaces a date entered by hand."""
    seen = monitored_end(service)
    old_end = service.period_end
    if seen is None:
        return Refresh(RefreshResult.NOT_MONITORED, old_end)
    newly_seen = (seen.end, seen.source) != (service.monitored_end, service.monitored_source)
    service.monitored_end, service.monitored_source, service.monitored_at = seen.end, seen.source, timezone.now()
    fields = ["monitored_end", "monitored_source", "monitored_at"]
    data: dict[str, Any] = {"site": service.site, "organisation": service.organisation, "target": service,
                            "service": str(service), "old_end": f"{old_end:%Y-%m-%d}",
                            "new_end": f"{seen.end:%Y-%m-%d}",
                            "source": str(seen.source).upper(), "check_id": seen.check.pk,
                            "old_source": service.end_source}
    with transaction.atomic():
        if seen.end == old_end:
            result = RefreshResult.UNCHANGED
        elif service.end_source in MONITORED_SOURCES or seen.end > old_end or asked:
            result = RefreshResult.UPDATED
            overwrote_person = service.end_source not in MONITORED_SOURCES
            service.period_end, service.end_source = seen.end, seen.source
            fields += ["period_end", "end_source"]
            record(verbs.END_FROM_MONITORING, actor=actor, severity=Severity.WARNING if overwrote_person
                   else Severity.INFO, **data)
        else:
            result = RefreshResult.KEPT
            if newly_seen:
                record(verbs.END_DISAGREES, actor=actor, severity=Severity.WARNING, **data)
        service.save(update_fields=[*fields, "updated_at"])
    return Refresh(result, old_end, seen)


JOB = SystemJob("renewals.refresh")


def refresh_all(actor: Actor = JOB) -> dict[str, int]:
    """Refresh every active service that monitoring can watch; counts per result."""
    counts: dict[str, int] = {}
    services = Service.objects.filter(is_active=True, kind__in=list(WATCHED)).select_related("organisation", "site")
    for service in services.iterator(chunk_size=500):
        outcome = refresh(service, actor)
        counts[outcome.result] = counts.get(outcome.result, 0) + 1
    return counts
