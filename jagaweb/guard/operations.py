"""What people do with the guard, each in one place for views, API and CLI: mark a site as known-good,
approve a finding as a legitimate change."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jagaweb.activity.log import Actor, actor_label, record
from jagaweb.backup.models import Snapshot
from jagaweb.guard import verbs
from jagaweb.guard.choices import FindingState, Source, Verdict
from jagaweb.guard.models import Finding, GuardProfile, PageBaseline, all_identities
from jagaweb.guard.outside import Observation, key_pages, observe_all, read_sitemap
from jagaweb.guard.page.urls import host_of
from jagaweb.inventory.models import Site


class GuardError(Exception):
    """An operation that cannot be done as asked; the message is for the person who asked."""


def trusted_snapshot_for(site: Site) -> Snapshot | None:
    return Snapshot.objects.filter(site=site, trusted=True).order_by("-taken_at").first()


def mark_known_good(site: Site, actor: Actor, *, force: bool = False) -> list[PageBaseline]:
    """Record every key page as each identity as the site's baseline, with the sitemap's size and the newest
    trusted backup. Refuses when a page already looks attacked, unless `force`: a baseline of an infected
    site would hide the infection."""
    profile = GuardProfile.for_site(site)
    hosts = [host for host in [host_of(site.url)] if host]
    sitemap = read_sitemap(site.url, site_hosts=hosts, baseline_count=None, allow_private=profile.allow_private)
    pages = key_pages(site.url, profile.pages, sitemap.urls, profile.sitemap_sample, timezone.localdate())
    observations = observe_all(pages, profile.identities or all_identities(), site_hosts=hosts,
                               allow_private=profile.allow_private)
    attacked = [seen for seen in observations if seen.verdict is not None
                and seen.verdict.verdict in (Verdict.JUDOL, Verdict.DEFACED)]
    if attacked and not force:
        raise GuardError(_("%(url)s looks attacked (%(verdict)s) as %(identity)s; clean the site first")
                         % {"url": attacked[0].url, "verdict": attacked[0].verdict.verdict if attacked[0].verdict
                            else "", "identity": attacked[0].identity})
    who = actor_label(actor)
    with transaction.atomic():
        baselines = [save_baseline(site, seen, who) for seen in observations if seen.verdict is not None]
        problems = screenshots(profile, pages, who) if profile.visual else []
        profile.sitemap_count = len(sitemap.urls) if sitemap.verdict is not None else None
        profile.trusted_snapshot = trusted_snapshot_for(site)
        profile.accepted_files = {}
        profile.known_good_at = timezone.now()
        profile.known_good_by = who
        profile.save()
        record(verbs.KNOWN_GOOD, actor=actor, site=site, target=profile, site_name=site.name,
               pages=len(baselines), snapshot=profile.trusted_snapshot.snapshot_id if profile.trusted_snapshot else "",
               problems=problems[:20])
    return baselines


def screenshots(profile: GuardProfile, pages: list[str], who: str) -> list[str]:
    from jagaweb.guard.appearance import photographed_pages, record_baseline_screenshots
    from jagaweb.guard.visual import BrowserUnavailable

    try:
        return record_baseline_screenshots(profile, photographed_pages(profile, pages), who)
    except BrowserUnavailable as exc:
        return [str(exc)]


def save_baseline(site: Site, seen: Observation, who: str) -> PageBaseline:
    assert seen.verdict is not None and seen.verdict.summary is not None
    baseline, _created = PageBaseline.objects.update_or_create(
        site=site, url=seen.url, identity=seen.identity,
        defaults={"summary": seen.verdict.summary.to_dict(), "recorded_by": who},
    )
    return baseline


def approve_finding(finding: Finding, actor: Actor) -> Finding:
    """Accept what a finding reports as a legitimate change: a page's current summary (or screenshot) becomes
    its baseline; a file's current content is accepted until the next trusted backup."""
    if finding.state != FindingState.OPEN:
        raise GuardError(_("Only open findings can be approved"))
    who = actor_label(actor)
    with transaction.atomic():
        if finding.source == Source.PAGE and finding.detail.get("summary"):
            PageBaseline.objects.update_or_create(
                site=finding.site, url=finding.location, identity=finding.identity,
                defaults={"summary": finding.detail["summary"], "recorded_by": who},
            )
        elif finding.source == Source.VISUAL and finding.detail.get("current"):
            PageBaseline.objects.filter(site=finding.site, url=finding.location, identity=finding.identity).update(
                screenshot=finding.detail["current"], image_hash=finding.detail.get("current_hash", ""),
                recorded_by=who)
        elif finding.source == Source.FILE:
            profile = GuardProfile.for_site(finding.site)
            profile.accepted_files[finding.location] = finding.detail.get("hash", "")
            profile.save(update_fields=["accepted_files"])
        elif finding.source not in (Source.CLOAKING, Source.SITEMAP, Source.DATABASE, Source.PAGE):
            raise GuardError(_("This kind of finding cannot be approved"))
        if finding.source == Source.SITEMAP and "count" in finding.detail:
            GuardProfile.objects.filter(site=finding.site).update(sitemap_count=finding.detail["count"])
        finding.state = FindingState.APPROVED
        finding.save(update_fields=["state"])
        record(verbs.APPROVED, actor=actor, site=finding.site, target=finding, site_name=finding.site.name,
               location=finding.location, source=finding.source)
    return finding
