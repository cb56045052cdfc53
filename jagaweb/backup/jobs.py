"""Backups on the one declared schedule: per site with a plan, and a watch for missed backups."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from jagaweb.activity.choices import Severity
from jagaweb.activity.log import SystemJob, record
from jagaweb.backup import verbs
from jagaweb.backup.choices import Operation, RunState
from jagaweb.backup.models import BackupPlan
from jagaweb.backup.operations import prune_backups, run_backup, verify_backups
from jagaweb.backup.runs import summary_of
from jagaweb.inventory.models import Site
from jagaweb.jobs.registry import periodic


def with_enabled_plan(sites: QuerySet[Site]) -> QuerySet[Site]:
    return sites.filter(backup_plan__enabled=True)


@periodic("backup.run", every=timedelta(days=1), per_site=True, applies_to=with_enabled_plan)
def scheduled_backup(site: Site) -> str:
    """Back up the site's web root, system paths and database to its backup medium."""
    return summary_of(run_backup(site, SystemJob("backup.run")))


@periodic("backup.verify", every=timedelta(days=7), per_site=True, applies_to=with_enabled_plan)
def scheduled_verify(site: Site) -> str:
    """Check the site's backups: structure, and a read check of a tenth of the data."""
    return summary_of(verify_backups(site, SystemJob("backup.verify"), read_data=True, sample=0.1))


@periodic("backup.prune", every=timedelta(days=7), per_site=True, applies_to=with_enabled_plan)
def scheduled_prune(site: Site) -> str:
    """Apply the plan's retention and free the data no remaining snapshot uses."""
    return summary_of(prune_backups(site, SystemJob("backup.prune")))


@periodic("backup.watch", every=timedelta(hours=1))
def watch_missed_backups() -> str:
    """Alert once a day for every site whose last good backup is older than its plan allows."""
    now = timezone.now()
    late = []
    plans = BackupPlan.objects.filter(enabled=True, site__is_active=True).select_related("site").annotate(
        last_good=Max("site__backup_runs__finished_at", filter=Q(
            site__backup_runs__operation=Operation.BACKUP, site__backup_runs__state=RunState.SUCCEEDED)),
    )
    for plan in plans:
        reference = plan.last_good or plan.site.created_at
        if now - reference > plan.max_age and not alerted_today(plan):
            late.append(plan)
            alert_missed(plan, reference)
    return f"{len(late)} site(s) without a recent good backup"


def alerted_today(plan: BackupPlan) -> bool:
    from jagaweb.activity.models import Event

    day_ago = timezone.now() - timedelta(days=1)
    return Event.objects.filter(verb=verbs.MISSED, site=plan.site, at__gte=day_ago).exists()


def alert_missed(plan: BackupPlan, since: object) -> None:
    from jagaweb.notify.dispatch import notify

    since_text = f"{since:%Y-%m-%d %H:%M}" if since else "-"
    record(verbs.MISSED, actor=SystemJob("backup.watch"), site=plan.site, target=plan,
           severity=Severity.CRITICAL, site_name=plan.site.name, since=since_text)
    notify(f"Backup {plan.site.name} TERLEWAT / MISSED",
           f"{plan.site.name}: tidak ada backup yang berhasil sejak {since_text}.",
           severity=Severity.CRITICAL, site=plan.site)

