"""A month of service renewals: each site's hosting and domain name, each organisation's internet connection,
their periods (some ending in the month and renewed by a person with the invoice, one ended and not renewed,
some due next month), the daily reminders `renewals.remind` sends, and the domain expiry the registry reports
to monitoring (`plan_domains`, which the monitoring part reads too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile

from jagaweb.demo.month.base import Fill
from jagaweb.inventory.choices import ThirdPartyKind
from jagaweb.inventory.models import Organisation, Site, ThirdParty
from jagaweb.renewals import verbs
from jagaweb.renewals.choices import CYCLE_MONTHS, BillingCycle, DateSource, ServiceKind
from jagaweb.renewals.models import Reminder, Renewal, Service, invoice_path
from jagaweb.renewals.operations import add_months
from jagaweb.renewals.reminders import ENDED, severity_for, threshold_for

REMIND_HOUR = 7.0  # local time of the daily reminder job
PROVIDERS = {
    ThirdPartyKind.HOSTING: "PT Awan Nusantara Hosting",
    ThirdPartyKind.REGISTRAR: "Pengelola Nama Domain go.id",
    ThirdPartyKind.ISP: "PT Telkom Indonesia (Astinet)",
}
SECOND_LEVEL = {"go", "ac", "co", "or", "sch", "web", "my", "desa", "mil", "net", "ponpes", "biz"}
# The smallest valid PDF a viewer opens: what an invoice file holds here.
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
       b"3 0 obj<</Type/Page/MediaBox[0 0 595 842]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def registered_domain(site: Site) -> str:
    """The name a registry holds for the site's host (a fixed .go.id name for an address without one)."""
    host = site.hostname
    labels = host.split(".")
    if not host or host.replace(".", "").isdigit() or len(labels) < 2:
        return f"{site.slug}.go.id"
    keep = 3 if len(labels) >= 3 and labels[-2] in SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


@dataclass(frozen=True)
class DomainPlan:
    domain: str
    registrar: str
    ends_before: date  # the registry's expiry when the month begins
    renewed_at: datetime | None  # when a person recorded its renewal, inside the month
    ends_after: date  # the registry's expiry when the month ends

    def expires_on(self, at: datetime) -> date:
        return self.ends_after if self.renewed_at is not None and at >= self.renewed_at else self.ends_before


def renewal_moment(fill: Fill, end: date) -> datetime:
    """A working-hours moment in the weeks before `end` (and inside the month) when a person renews."""
    days = [day for day in fill.month.days if end - timedelta(days=20) <= day < end and day.weekday() < 5]
    day = fill.rng.choice(days) if days else fill.month.days[0]
    return fill.month.at(day, fill.rng.uniform(8.5, 15.5))


def plan_domains(fill: Fill) -> dict[int, DomainPlan]:
    """Each site's registered domain (sites on subdomains of one name share it) and its expiry."""
    first = fill.month.days[0]
    by_name: dict[str, DomainPlan] = {}
    plans = {}
    for site in fill.sites:
        name = registered_domain(site)
        if name not in by_name:
            ends = first + timedelta(days=fill.rng.randint(3, 400))
            renewed = renewal_moment(fill, ends) if ends <= fill.month.last_day else None
            by_name[name] = DomainPlan(name, PROVIDERS[ThirdPartyKind.REGISTRAR], ends, renewed,
                                       add_months(ends, 12) if renewed else ends)
        plans[site.pk] = by_name[name]
    return plans


@dataclass
class Planned:
    """A service and what happens to its period this month."""

    service: Service
    end_before: date
    renewed_at: datetime | None = None


def providers() -> dict[str, ThirdParty]:
    return {kind: ThirdParty.objects.get_or_create(name=name, defaults={"kind": kind})[0]
            for kind, name in PROVIDERS.items()}


def hosting_end(fill: Fill, index: int, ended: int) -> tuple[date, bool]:
    """(period end at the month's start, renewed this month). Site `ended` lets its hosting run out; the first
    sites end this month and next month, so that even a small fill has each case."""
    month, rng = fill.month, fill.rng
    if index == ended:
        return rng.choice(month.days[4:-4]), False
    if index == 0:
        return rng.choice(month.days[5:-2]), True
    if index == 2:
        return month.last_day + timedelta(days=rng.randint(3, 25)), False
    end = month.days[0] + timedelta(days=rng.randint(2, 365))
    return end, end <= month.last_day


def plan_services(fill: Fill, domains: dict[int, DomainPlan]) -> list[Planned]:
    rng, month = fill.rng, fill.month
    found = providers()
    ended = min(1, len(fill.sites) - 1)
    planned: list[Planned] = []
    registered: set[str] = set()  # a domain is one service, held by the first of its sites
    for index, site in enumerate(fill.sites):
        end, renewed = hosting_end(fill, index, ended)
        hosting = Service(organisation=site.organisation, site=site, kind=ServiceKind.HOSTING,
                          provider=found[ThirdPartyKind.HOSTING], name=f"Hosting {site.name}",
                          identifier=f"VPS-{rng.choice(['S', 'M', 'L'])}-{site.slug}"[:253],
                          cost=Decimal(rng.choice([1800, 2400, 3600, 6000, 9600]) * 1000), auto_renew=False,
                          billing_cycle=BillingCycle.YEARLY)
        planned.append(Planned(hosting, end, renewal_moment(fill, end) if renewed else None))
        plan = domains[site.pk]
        if plan.domain in registered:
            continue
        registered.add(plan.domain)
        domain = Service(organisation=site.organisation, site=site, kind=ServiceKind.DOMAIN,
                         provider=found[ThirdPartyKind.REGISTRAR], name=f"Domain {plan.domain}",
                         identifier=plan.domain, cost=None, billing_cycle=BillingCycle.YEARLY,
                         monitored_end=plan.ends_after, monitored_source=DateSource.RDAP,
                         monitored_at=month.end - timedelta(hours=rng.uniform(0.5, 11.5)))
        planned.append(Planned(domain, plan.ends_before, plan.renewed_at))
    organisations = sorted({site.organisation for site in fill.sites}, key=lambda org: org.pk)
    for organisation in organisations:
        planned.append(connection(fill, organisation, found[ThirdPartyKind.ISP]))
    return planned


def connection(fill: Fill, organisation: Organisation, isp: ThirdParty) -> Planned:
    """The organisation's internet line: billed monthly and renewed by itself; a person records each month's
    invoice, which arrives a few days before the period ends."""
    rng, month = fill.rng, fill.month
    end = rng.choice(month.days[4:-3])
    line = fill.stable_text("line", organisation.pk, length=6, alphabet="0123456789")
    service = Service(organisation=organisation, kind=ServiceKind.CONNECTION, provider=isp,
                      name=f"Internet {organisation.name}"[:200], identifier=f"AST-{line}",
                      cost=Decimal(rng.choice([2500, 4000, 7500, 12000]) * 1000), billing_cycle=BillingCycle.MONTHLY,
                      auto_renew=True)
    day = end - timedelta(days=rng.randint(1, 3))
    return Planned(service, end, month.at(day, rng.uniform(8.5, 15.5)))


def renewal_of(fill: Fill, planned: Planned) -> Renewal:
    service, rng = planned.service, fill.rng
    assert planned.renewed_at is not None
    months = CYCLE_MONTHS[BillingCycle(service.billing_cycle)]
    number = f"INV/{fill.month.year}/{fill.stable_text('invoice', service.pk, length=6, alphabet='0123456789')}"
    renewal = Renewal(service=service, period_start=planned.end_before,
                      period_end=add_months(planned.end_before, months), previous_end=planned.end_before,
                      cost=service.cost, invoice_number=number,
                      invoice_name=f"{number.replace('/', '-')}.pdf", paid_on=fill.month.day_of(planned.renewed_at),
                      recorded_by=fill.people.pick(rng), recorded_at=planned.renewed_at)
    storage = Renewal._meta.get_field("invoice").storage
    renewal.invoice.name = storage.save(invoice_path(renewal, renewal.invoice_name), ContentFile(PDF))
    return renewal


def settle(fill: Fill, planned: list[Planned]) -> None:
    """Each service's period as the month leaves it, then the services saved."""
    for item in planned:
        service = item.service
        months = CYCLE_MONTHS[BillingCycle(service.billing_cycle)]
        service.period_end = add_months(item.end_before, months) if item.renewed_at else item.end_before
        service.period_start = add_months(service.period_end, -months)
        service.end_source = (DateSource.RENEWAL if item.renewed_at else
                              DateSource.RDAP if service.kind == ServiceKind.DOMAIN else DateSource.MANUAL)
        service.created_at, service.updated_at = fill.month.start, item.renewed_at or fill.month.start
    fill.save(Service, [item.service for item in planned])
    fill.counts.services += len(planned)


def remind(fill: Fill, item: Planned) -> list[Reminder]:
    """The reminders the daily job sends this month; the ones due before the month went out then."""
    service, month = item.service, fill.month
    sent: dict[date, int | None] = {item.end_before: threshold_for((item.end_before - month.days[0]).days + 1)}
    made = []
    for day in month.days:
        at = month.at(day, REMIND_HOUR)
        end = service.period_end if item.renewed_at is not None and at >= item.renewed_at else item.end_before
        days_left = (end - day).days
        threshold = threshold_for(days_left)
        before = sent.get(end)
        if threshold is None or (before is not None and before <= threshold):
            continue
        sent[end] = threshold
        made.append(Reminder(service=service, period_end=end, threshold=threshold, days_left=days_left, sent_at=at))
        data = {"service": str(service), "days_left": days_left, "period_end": f"{end:%Y-%m-%d}",
                "threshold": threshold, "organisation_name": service.organisation.name}
        fill.events.system(verbs.ENDED if threshold == ENDED else verbs.REMINDED, at, "renewals.remind",
                           severity=severity_for(threshold, service), site=service.site,
                           organisation=service.organisation, target=service, **data)
    return made


def fill_renewals(fill: Fill, domains: dict[int, DomainPlan]) -> None:
    planned = plan_services(fill, domains)
    settle(fill, planned)
    renewals = [renewal_of(fill, item) for item in planned if item.renewed_at is not None]
    fill.save(Renewal, renewals)
    fill.counts.renewals += len(renewals)
    for renewal in renewals:
        service = renewal.service
        assert renewal.recorded_by is not None
        fill.events.person(verbs.RENEWED, renewal.recorded_at, renewal.recorded_by, site=service.site,
                           organisation=service.organisation, target=service, service=str(service),
                           period_start=f"{renewal.period_start:%Y-%m-%d}",
                           period_end=f"{renewal.period_end:%Y-%m-%d}",
                           previous_end=f"{renewal.previous_end:%Y-%m-%d}", cost=str(renewal.cost or ""),
                           invoice=renewal.invoice_name, invoice_number=renewal.invoice_number)
    reminders = [reminder for item in planned for reminder in remind(fill, item)]
    fill.save(Reminder, reminders)
    fill.counts.reminders += len(reminders)
