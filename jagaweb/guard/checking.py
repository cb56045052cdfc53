"""A guard check of one site as ordered steps: look at the pages (as each identity, and the sitemap), at
the appearance (screenshots), at the files (against the trusted backup) and at the CMS database; then save
the findings, log and alert. Each look that cannot run (no web root, no database) is a note, not a failure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from jagaweb.activity.log import Actor, SystemJob, record
from jagaweb.backup.store.repository import RepositoryError
from jagaweb.backup.store.sealing import WrongPassphrase
from jagaweb.backup.targets.base import TargetError
from jagaweb.guard import verbs
from jagaweb.guard.choices import FindingState, RunKind, Severity, Source, Verdict
from jagaweb.guard.findings import SEVERITY_ORDER, VERDICT_ORDER, Draft, worst
from jagaweb.guard.integrity import Change
from jagaweb.guard.models import Finding, GuardProfile, GuardRun, all_identities
from jagaweb.guard.outside import key_pages, observe_all, page_drafts, read_sitemap, sitemap_drafts
from jagaweb.guard.page.urls import host_of
from jagaweb.guard.runs import alert, log_severity, recorded_run
from jagaweb.inventory.models import Site
from jagaweb.steps import Step, run_steps


@dataclass
class CheckContext:
    site: Site
    profile: GuardProfile
    run: GuardRun
    actor: Actor
    drafts: list[Draft] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)  # the web root against the trusted backup
    visual: list[dict[str, Any]] = field(default_factory=list)  # screenshots compared with their baselines
    progress: Callable[[str], None] | None = None

    @property
    def site_hosts(self) -> list[str]:
        return [host for host in [host_of(self.site.url)] if host]

    def add(self, drafts: list[Draft]) -> None:
        self.drafts.extend(drafts)


class LookAtPages(Step[CheckContext]):
    name = "look at the pages"

    def run(self, context: CheckContext) -> None:
        profile = context.profile
        sitemap = read_sitemap(context.site.url, site_hosts=context.site_hosts, baseline_count=profile.sitemap_count,
                               allow_private=profile.allow_private)
        if sitemap.error:
            context.notes.append(f"sitemap: {sitemap.error}")
        context.add(sitemap_drafts(context.site.url, sitemap))
        context.pages = key_pages(context.site.url, profile.pages, sitemap.urls, profile.sitemap_sample,
                                  timezone.localdate())
        identities = profile.identities or all_identities()
        observations = observe_all(context.pages, identities, site_hosts=context.site_hosts,
                                   allow_private=profile.allow_private)
        baselines = {(b.url, b.identity): b.summary for b in context.site.page_baselines.all()}
        context.add(page_drafts(observations, baselines))
        context.notes.extend(f"{seen.url} ({seen.identity}): {seen.error}" for seen in observations if seen.error)
        context.counts["pages"] = len(context.pages)
        context.counts["fetches"] = len(observations)


class LookAtAppearance(Step[CheckContext]):
    name = "look at the appearance"

    def run(self, context: CheckContext) -> None:
        from jagaweb.guard.appearance import appearance_drafts, photographed_pages
        from jagaweb.guard.visual import BrowserUnavailable

        try:
            view = appearance_drafts(context.profile, photographed_pages(context.profile, context.pages),
                                     context.run.pk)
        except BrowserUnavailable as exc:
            context.notes.append(f"screenshots: {exc}")
            return
        context.add(view.drafts)
        context.notes.extend(view.notes)
        context.visual = view.compared


class LookAtFiles(Step[CheckContext]):
    name = "look at the files"

    def run(self, context: CheckContext) -> None:
        from jagaweb.guard.inside import look_at_files
        from jagaweb.guard.operations import trusted_snapshot_for

        site = context.site
        if not site.web_root or not Path(site.web_root).is_dir():
            context.notes.append(f"files: not checked (web root {site.web_root or '-'} is not a folder here)")
            return
        snapshot = context.profile.trusted_snapshot or trusted_snapshot_for(site)
        try:
            view = look_at_files(site, snapshot, context.profile.accepted_files)
        except (OSError, RepositoryError, TargetError, WrongPassphrase) as exc:
            context.notes.append(f"files: the trusted backup could not be read ({exc}); every file was scanned")
            view = look_at_files(site, None, context.profile.accepted_files)
        context.add(view.drafts)
        context.notes.extend(view.notes)
        context.counts.update(view.counts)
        context.changes = view.changes


class LookAtDatabase(Step[CheckContext]):
    name = "look at the CMS database"

    def run(self, context: CheckContext) -> None:
        from jagaweb.guard.database import DatabaseScanError, login_for_site, scan_database, supports

        login = login_for_site(context.site)
        if login is None or not supports(context.site.cms):
            context.notes.append(f"database: not scanned (no database, or CMS {context.site.cms} not supported)")
            return
        try:
            report = scan_database(login, context.site.cms, site_host=host_of(context.site.url) or None)
        except DatabaseScanError as exc:
            context.notes.append(f"database: {exc}")
            return
        context.notes.extend(f"database: {note}" for note in [*report.errors, *report.notes][:20])
        context.counts["rows"] = report.rows
        context.add([Draft(Source.DATABASE, found.locator, str(found.verdict), str(found.severity), found.score,
                           [reason.to_dict() for reason in found.reasons],
                           detail={"table": found.table, "column": found.column, "exposure": str(found.exposure)})
                     for found in report.findings])


class SaveFindings(Step[CheckContext]):
    name = "save the findings"

    def run(self, context: CheckContext) -> None:
        run = context.run
        with transaction.atomic():
            Finding.objects.filter(site=context.site, state=FindingState.OPEN).exclude(run=run).update(
                state=FindingState.GONE)
            Finding.objects.bulk_create(Finding(
                run=run, site=context.site, source=draft.source, location=draft.location[:1000],
                identity=draft.identity, verdict=draft.verdict, severity=draft.severity, score=draft.score,
                reasons=draft.reasons, detail=draft.detail,
            ) for draft in context.drafts)
            run.verdict = max((d.verdict for d in context.drafts), key=VERDICT_ORDER.index, default=str(Verdict.CLEAN))
            run.severity = worst([d.severity for d in context.drafts])
            for source in Source.values:
                found = sum(d.source == source for d in context.drafts)
                if found:
                    context.counts[f"findings.{source}"] = found
            run.counts = context.counts
            run.report = {"notes": context.notes[:200], "pages": context.pages, "visual": context.visual}
            run.save()


class LogAndAlert(Step[CheckContext]):
    name = "log and alert"

    def run(self, context: CheckContext) -> None:
        run, site = context.run, context.site
        summary = check_summary(d.verdict for d in context.drafts)
        attacks = [d for d in context.drafts if d.is_attack or d.severity == "critical"]
        verb = verbs.ATTACK if attacks else verbs.CHECKED
        record(verb, actor=context.actor, site=site, target=run, severity=log_severity(run.severity),
               site_name=site.name, summary=summary, verdict=str(run.verdict), findings=len(context.drafts))
        if attacks and is_new_attack(run, attacks):
            # The worst first, and every view represented: ten page findings must not hide the webshell.
            ranked = sorted(attacks, key=lambda d: (-SEVERITY_ORDER.index(d.severity), d.source, d.location))
            shown = list({d.source: d for d in reversed(ranked)}.values())
            shown += [d for d in ranked if d not in shown][: max(0, 10 - len(shown))]
            shown.sort(key=ranked.index)
            lines = [f"- {d.source}: {d.location} ({d.verdict})" for d in shown]
            alert(run, f"SERANGAN / ATTACK {site.name}: {run.get_verdict_display()}", "\n".join(lines))


def check_summary(verdicts: Iterable[str]) -> str:
    """ "2 judol, 1 suspicious" or "clean": the same words in the activity log, the CLI and job results."""
    by_verdict = Counter(verdicts)
    if not by_verdict:
        return "clean"
    return ", ".join(f"{count} {verdict}" for verdict, count in sorted(by_verdict.items()))


def check_summary_of(run: GuardRun) -> str:
    return check_summary(run.findings.values_list("verdict", flat=True))


def is_new_attack(run: GuardRun, attacks: list[Draft]) -> bool:
    """Alert once per attack, not at every check while it lasts: only locations the last check did not report."""
    previous = GuardRun.objects.filter(site=run.site, kind=RunKind.CHECK, pk__lt=run.pk).order_by("-pk").first()
    if previous is None:
        return True
    known = set(previous.findings.values_list("source", "location"))
    return any((d.source, d.location[:1000]) not in known for d in attacks)


def check_steps(profile: GuardProfile) -> list[Step[CheckContext]]:
    looks: list[Step[CheckContext]] = [LookAtPages()]
    if profile.visual:
        looks.append(LookAtAppearance())
    if profile.files:
        looks.append(LookAtFiles())
    if profile.database:
        looks.append(LookAtDatabase())
    return [*looks, SaveFindings(), LogAndAlert()]


def run_check(site: Site, actor: Actor, *, progress: Callable[[str], None] | None = None, auto_restore: bool = True,
              **fields: Any) -> GuardRun:
    """Check one site now with every view its guard profile enables; returns the finished run. When the profile
    says so and the files were attacked, the site is restored from its trusted backup straight away."""
    profile = GuardProfile.for_site(site)
    with recorded_run(site, RunKind.CHECK, actor, **fields) as run:
        context = CheckContext(site, profile, run, actor, progress=progress)

        def on_step(step: Step[CheckContext]) -> None:
            run.step = step.name
            run.save(update_fields=["step"])
            if progress is not None:
                progress(step.name)

        run_steps(check_steps(profile), context, on_step)
    if auto_restore:
        restore_if_attacked(context)
    return run


def restore_if_attacked(context: CheckContext) -> None:
    """Restore the site straight away when its profile says so and the check found its files attacked."""
    if context.profile.auto_restore and should_restore(context):
        from jagaweb.guard.restoring import run_restore

        run_restore(context.site, SystemJob("guard.restore"), check_run=context.run)


def should_restore(context: CheckContext) -> bool:
    """Only an attack is restored without asking: a site edited by its own people is not rolled back."""
    return bool(context.changes) and any(
        d.source == Source.FILE and d.severity in (Severity.HIGH, Severity.CRITICAL) for d in context.drafts)
