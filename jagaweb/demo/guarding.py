"""The demo's guard: every sample site is guarded from the start, so that `jagaweb demo attack` (or the attack
button on a sample site's page) shows the whole response: detect, alert, restore, verify.

At set-up (`demo_setup`, before the demo starts) each site gets a guard profile that may reach 127.0.0.1,
and its guard checks run every five minutes. The slow part, a first backup marked trusted and the site
marked known-good (page baselines and screenshots), needs the site servers running, so it is a queued task
per site (`demo.tasks.prepare_guard`) that the worker runs once the demo is up; `jagaweb demo` still starts
quickly. That task takes the site's first backup itself, so the scheduled backups start ten minutes later.

Restoring is left to the operator (the Restore button on the guard's page of the site) on every sample site
but the court's: a person should see what was found before files are rolled back, which is also how a real
office starts. The court's site restores itself as soon as a check finds an attack on its files, to show
that mode too.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import timedelta
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.translation import gettext as _

from jagaweb.activity.log import Actor, record
from jagaweb.backup import verbs as backup_verbs
from jagaweb.backup.models import Snapshot
from jagaweb.backup.operations import run_backup
from jagaweb.demo import verbs
from jagaweb.demo.backups import BACKUP_EVERY
from jagaweb.demo.supervision import tcp_ready
from jagaweb.guard import verbs as guard_verbs
from jagaweb.guard.models import GuardProfile
from jagaweb.guard.operations import GuardError, mark_known_good, trusted_snapshot_for
from jagaweb.inventory.models import Site
from jagaweb.jobs.models import ScheduleEntry
from jagaweb.jobs.scheduler import sync_entries

logger = logging.getLogger("jagaweb.demo")

CHECK_EVERY = timedelta(minutes=5)
CHECK_JOB = "guard.check"
BACKUP_JOB = "backup.run"
AUTO_RESTORE_SITE = "pn-contoh"
SITE_UP_TIMEOUT = 30.0
SITE_UP_POLL = 0.5


def guard_profile(site: Site, actor: Actor) -> GuardProfile:
    """The site's profile, made on the first run; a profile changed in an earlier run keeps its settings, but
    always reaches loopback (the sample sites are on 127.0.0.1)."""
    profile, created = GuardProfile.objects.get_or_create(
        site=site, defaults={"allow_private": True, "auto_restore": site.slug == AUTO_RESTORE_SITE})
    changed = not created and not profile.allow_private
    if changed:
        profile.allow_private = True
        profile.save(update_fields=["allow_private"])
    if created or changed:
        record(guard_verbs.PROFILE_CHANGED, actor=actor, site=site, target=profile, site_name=site.name)
    return profile


def needs_preparation(profile: GuardProfile) -> bool:
    """No known-good state or trusted backup yet, or one recorded at another address (the demo moved the site
    to another port, and its pages name their own address)."""
    site = profile.site
    if profile.known_good_at is None or (profile.trusted_snapshot or trusted_snapshot_for(site)) is None:
        return True
    return site.page_baselines.exclude(url__startswith=site.url).exists()


def set_up_guard(sites: Sequence[Site], actor: Actor) -> list[Site]:
    """Profiles and a short check interval for every site; returns the sites still to be prepared (trusted
    backup and known-good), whose first check and first scheduled backup wait until that is done."""
    profiles = [guard_profile(site, actor) for site in sites]
    sync_entries()  # the check entries exist before their interval is set
    ids = [site.pk for site in sites]
    ScheduleEntry.objects.filter(job=CHECK_JOB, site_id__in=ids).update(interval=CHECK_EVERY, interval_is_custom=True)
    waiting = [profile.site for profile in profiles if needs_preparation(profile)]
    now = timezone.now()
    waiting_ids = [site.pk for site in waiting]
    ScheduleEntry.objects.filter(job=CHECK_JOB, site_id__in=waiting_ids).update(next_due_at=now + CHECK_EVERY)
    ScheduleEntry.objects.filter(job=BACKUP_JOB, site_id__in=waiting_ids).update(next_due_at=now + BACKUP_EVERY)
    return waiting


def queue_preparation(sites: Sequence[Site]) -> None:
    from jagaweb.demo.tasks import prepare_guard

    for site in sites:
        prepare_guard.enqueue(site.pk)


def wait_until_up(site: Site, timeout: float = SITE_UP_TIMEOUT) -> bool:
    """Whether the sample site's server answers within `timeout` seconds (the worker may start before it)."""
    port = urlsplit(site.url).port
    if port is None:
        return False
    deadline = time.monotonic() + timeout
    while not tcp_ready(port):
        if time.monotonic() > deadline:
            return False
        time.sleep(SITE_UP_POLL)
    return True


def trust_new_backup(site: Site, actor: Actor) -> Snapshot:
    run = run_backup(site, actor)
    snapshot = Snapshot.objects.get(site=site, snapshot_id=run.snapshot_id)
    snapshot.trusted = True
    snapshot.save(update_fields=["trusted"])
    record(backup_verbs.TRUSTED, actor=actor, site=site, target=snapshot, object=snapshot.short_id,
           site_name=site.name)
    return snapshot


def prepare_site(site: Site, actor: Actor, *, timeout: float = SITE_UP_TIMEOUT) -> str:
    """Back the site up, trust that backup and mark the site known-good; returns what was done, for the job's
    outcome. A site that does not answer (switched off) or already looks attacked is left unprepared."""
    if not wait_until_up(site, timeout):
        return f"{site.slug}: not prepared, its server does not answer"
    snapshot = trust_new_backup(site, actor)
    try:
        baselines = mark_known_good(site, actor)
    except GuardError as exc:
        logger.warning("demo guard of %s not prepared: %s", site.slug, exc)
        return f"{site.slug}: not marked known-good: {exc}"
    record(verbs.GUARD_PREPARED, actor=actor, site=site, site_name=site.name, snapshot=snapshot.short_id,
           pages=len(baselines))
    return f"{site.slug}: trusted backup {snapshot.short_id}, {len(baselines)} page baselines"


def not_ready(site: Site) -> str:
    """Why an attack on the site would show nothing yet ("" when the guard is ready): without a trusted
    backup and a known-good state there is nothing to compare with and nothing to restore from."""
    profile = GuardProfile.objects.filter(site=site).first()
    if profile is None or needs_preparation(profile):
        return _("The guard of %(site)s is still being prepared (a trusted backup and its known-good pages, "
                 "within a minute of the demo's start). Try again shortly.") % {"site": site.name}
    return ""
