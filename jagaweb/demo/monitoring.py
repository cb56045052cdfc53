"""The demo's monitoring: an availability check every 30 seconds and a content check every few minutes for
each sample site, on loopback (so private addresses are allowed), with a profile that opens an incident
after two failures. Switching a site off (`jagaweb demo_site stop`, or the button on its page) shows it
down on the dashboard within a minute; the court's site, dated 45 days back, shows its content stale."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from jagaweb.activity.log import SystemJob
from jagaweb.inventory.models import Site
from jagaweb.monitor.checks import kind_of
from jagaweb.monitor.choices import CheckKind
from jagaweb.monitor.models import Check, MonitorProfile
from jagaweb.monitor.operations_admin import save_check, save_profile

# kind -> (name, interval in seconds); timeouts stay short, everything is on this machine.
CHECKS: dict[str, tuple[str, int]] = {
    CheckKind.HTTP: ("Beranda", 30),
    CheckKind.FRESHNESS: ("Pembaruan konten", 300),
}
TIMEOUT = 5.0


def set_up_monitoring(sites: Sequence[Site], actor: SystemJob) -> list[Check]:
    """Add the demo's checks to each site that lacks them (checks changed in an earlier run stay)."""
    made = []
    for site in sites:
        if not MonitorProfile.objects.filter(site=site).exists():
            save_profile(MonitorProfile(site=site, failures_to_open=2, successes_to_resolve=1), actor)
        for kind, (name, interval) in CHECKS.items():
            if Check.objects.filter(site=site, kind=kind).exists():
                continue
            check = Check(site=site, kind=kind, name=name, interval=interval, timeout=TIMEOUT, allow_private=True,
                          config=kind_of(kind).clean_config({}))
            made.append(save_check(check, actor))
    # A real server spreads new checks over minutes; the demo wants its first results at once.
    Check.objects.filter(pk__in=[check.pk for check in made]).update(next_due_at=timezone.now())
    return made
