"""Restore a site to its original state, as ordered steps: find what differs from the trusted backup, put
every changed and added file into the quarantine as evidence, restore the originals and remove what was
added (`guard.repair`), check the site again from outside and inside to verify its appearance, and write
the repair report ("laporan perbaikan website").

A restore that stopped (a crash, a full disk) is continued by the next one: it reuses the unfinished
quarantine folder, whose journal says what was already done, so no evidence is lost or overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jagaweb.activity.choices import Severity as LogSeverity
from jagaweb.activity.log import Actor, record
from jagaweb.backup.models import Snapshot
from jagaweb.guard import verbs
from jagaweb.guard.choices import FindingState, RunKind, RunState, Source, Verdict
from jagaweb.guard.inside import PREFIX, compare_site, snapshot_manifest
from jagaweb.guard.models import GuardProfile, GuardRun
from jagaweb.guard.operations import GuardError, trusted_snapshot_for
from jagaweb.guard.repair import Change, RepairReport, repair_tree
from jagaweb.guard.runs import alert, recorded_run
from jagaweb.inventory.models import Site
from jagaweb.steps import Step, run_steps


@dataclass
class RestoreContext:
    site: Site
    profile: GuardProfile
    run: GuardRun
    actor: Actor
    snapshot: Snapshot | None = None
    changes: list[Change] = field(default_factory=list)
    quarantine: Path | None = None
    repair: RepairReport | None = None
    verification: GuardRun | None = None
    progress: Callable[[str, int, int], None] | None = None


def quarantine_root(site: Site) -> Path:
    return Path(settings.DATA_DIR) / "guard" / "quarantine" / site.slug


def unfinished_quarantine(site: Site, current: GuardRun) -> Path | None:
    """The quarantine folder of the last restore before `current`, when that one did not finish: continue there."""
    last = GuardRun.objects.filter(site=site, kind=RunKind.RESTORE, pk__lt=current.pk).order_by("-pk").first()
    if last is None or last.state == RunState.SUCCEEDED or not last.report.get("quarantine"):
        return None
    folder = Path(last.report["quarantine"])
    return folder if folder.is_dir() else None


class ChooseSnapshot(Step[RestoreContext]):
    name = "choose the trusted backup"

    def run(self, context: RestoreContext) -> None:
        context.snapshot = context.profile.trusted_snapshot or trusted_snapshot_for(context.site)
        if context.snapshot is None:
            raise GuardError(_("%(site)s has no trusted backup to restore from") % {"site": context.site.name})
        if not context.site.web_root or not Path(context.site.web_root).is_dir():
            raise GuardError(_("The web root %(path)s is not a folder here") % {"path": context.site.web_root or "-"})
        context.quarantine = unfinished_quarantine(context.site, context.run) or (
            quarantine_root(context.site) / f"{timezone.now():%Y%m%d-%H%M%S}-{context.run.pk}")
        context.run.report = {"snapshot": context.snapshot.snapshot_id, "quarantine": str(context.quarantine)}
        context.run.save(update_fields=["report"])


class FindChanges(Step[RestoreContext]):
    name = "compare the files with the trusted backup"

    def run(self, context: RestoreContext) -> None:
        assert context.snapshot is not None
        report = compare_site(context.site, context.snapshot)
        context.changes = [Change(change.path, change.kind) for change in report.changes]


class Repair(Step[RestoreContext]):
    name = "quarantine, restore and remove"

    def run(self, context: RestoreContext) -> None:
        assert context.snapshot is not None and context.quarantine is not None
        context.quarantine.parent.mkdir(parents=True, exist_ok=True)
        with snapshot_manifest(context.site, context.snapshot) as (repo, _info, manifest), repo.locked():
            context.repair = repair_tree(Path(context.site.web_root), repo, manifest, context.changes,
                                         context.quarantine, prefix=PREFIX, progress=context.progress)
        repair = context.repair
        if repair.quarantined:
            record(verbs.QUARANTINED, actor=context.actor, site=context.site, target=context.run,
                   site_name=context.site.name, count=len(repair.quarantined), folder=str(context.quarantine))
        if not repair.ok:
            failures = "; ".join(f"{path}: {why}" for path, why in list(repair.failures.items())[:10])
            raise GuardError(repair.error or failures)


class Verify(Step[RestoreContext]):
    name = "verify the appearance"

    def run(self, context: RestoreContext) -> None:
        from jagaweb.guard.checking import run_check

        context.verification = run_check(context.site, context.actor, auto_restore=False)


class WriteReport(Step[RestoreContext]):
    name = "write the repair report"

    def run(self, context: RestoreContext) -> None:
        run, repair, verification = context.run, context.repair, context.verification
        assert repair is not None and verification is not None
        found = run.check_run.findings.all() if run.check_run is not None else []
        clean = verification.verdict == Verdict.CLEAN
        run.report = {
            **run.report,
            "summary": _("%(quarantined)d files quarantined, %(restored)d restored, %(removed)d removed; "
                         "after the restore: %(verdict)s") % {
                "quarantined": len(repair.quarantined), "restored": len(repair.restored),
                "removed": len(repair.removed), "verdict": verification.get_verdict_display()},
            "found": [{"source": f.source, "location": f.location, "verdict": f.verdict, "severity": f.severity}
                      for f in found],
            "quarantined": [{"path": e.path, "change": str(e.change), "size": e.size, "sha256": e.sha256,
                             "blake3": e.blake3} for e in repair.quarantined],
            "restored": repair.restored, "removed": repair.removed, "resumed": repair.resumed,
            "evidence": str(repair.evidence or ""),
            "verification": verification_of(verification), "failures": [],
        }
        run.verdict, run.severity = verification.verdict, verification.severity
        with transaction.atomic():
            if run.check_run is not None:
                run.check_run.findings.filter(source=Source.FILE, state=FindingState.OPEN).update(
                    state=FindingState.REPAIRED)
            run.save()
        record(verbs.RESTORED, actor=context.actor, site=context.site, target=run, site_name=context.site.name,
               summary=run.report["summary"], snapshot=run.report["snapshot"])
        record(verbs.VERIFIED, actor=context.actor, site=context.site, target=verification,
               severity=LogSeverity.INFO if clean else LogSeverity.CRITICAL, site_name=context.site.name,
               summary=verification.get_verdict_display())
        if not clean:
            alert(run, _("Restore of %(site)s did not clean it") % {"site": context.site.name},
                  run.report["summary"])


def verification_of(check: GuardRun) -> dict[str, Any]:
    """What the check after the restore saw: each page's verdict, each screenshot compared, files still wrong."""
    findings = list(check.findings.all())
    pages: list[dict[str, Any]] = []
    for url in check.report.get("pages", []):
        seen = [f for f in findings if f.location == url and f.source in (Source.PAGE, Source.CLOAKING)]
        pages += [{"url": f.location, "identity": f.identity, "verdict": f.verdict, "score": f.score} for f in seen]
        if not seen:
            pages.append({"url": url, "identity": "", "verdict": str(Verdict.CLEAN), "score": 0})
    return {
        "verdict": check.verdict, "run": check.pk, "pages": pages, "visual": check.report.get("visual", []),
        "files": [{"path": f.location, "verdict": f.verdict} for f in findings if f.source == Source.FILE],
    }


RESTORE_STEPS: list[Step[RestoreContext]] = [ChooseSnapshot(), FindChanges(), Repair(), Verify(), WriteReport()]


def run_restore(site: Site, actor: Actor, *, check_run: GuardRun | None = None,
                progress: Callable[[str, int, int], None] | None = None) -> GuardRun:
    """Restore the site's files from its trusted backup, keeping the evidence, and verify the result."""
    profile = GuardProfile.for_site(site)
    check_run = check_run or GuardRun.objects.filter(site=site, kind=RunKind.CHECK).first()
    with recorded_run(site, RunKind.RESTORE, actor, check_run=check_run) as run:
        context = RestoreContext(site, profile, run, actor, progress=progress)

        def on_step(step: Step[RestoreContext]) -> None:
            run.step = step.name
            GuardRun.objects.filter(pk=run.pk).update(step=step.name)

        run_steps(RESTORE_STEPS, context, on_step)
    return run
