"""What `jagaweb guard check|known-good|restore SITE` do: call the operation, word the result."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from jagaweb.activity.log import SystemJob
from jagaweb.guard.checking import check_summary_of, run_check
from jagaweb.guard.models import GuardRun
from jagaweb.guard.operations import GuardError, mark_known_good
from jagaweb.inventory.models import Site
from jagaweb.steps import StepFailed

ACTOR = SystemJob("cli")


def run_dict(run: GuardRun) -> dict[str, Any]:
    return {
        "site": run.site.slug, "kind": run.kind, "state": run.state, "verdict": run.verdict,
        "severity": run.severity, "counts": run.counts, "error": run.error, "report": run.report,
        "findings": [{"source": f.source, "location": f.location, "identity": f.identity, "verdict": f.verdict,
                      "severity": f.severity, "score": f.score, "reasons": f.reasons}
                     for f in run.findings.all()],
    }


def progress_line(step: str) -> None:
    sys.stderr.write(f"... {step}\n")


def check(site: Site, options: dict[str, Any]) -> str:
    try:
        run = run_check(site, ACTOR, progress=None if options.get("json") else progress_line)
    except StepFailed as exc:
        raise CommandError(str(exc)) from exc
    if options.get("json"):
        return json.dumps(run_dict(run), ensure_ascii=False, indent=2)
    lines = [_("%(site)s: %(verdict)s (%(summary)s)") % {
        "site": site.name, "verdict": run.get_verdict_display(), "summary": check_summary_of(run)}]
    lines += [f"  {f.severity:<8} {f.get_source_display():<12} {f.verdict:<10} {f.location}"
              + (f" [{f.identity}]" if f.identity else "") for f in run.findings.all()]
    lines += [f"  ! {note}" for note in run.report.get("notes", [])]
    return "\n".join(lines)


def known_good(site: Site, options: dict[str, Any]) -> str:
    try:
        baselines = mark_known_good(site, ACTOR, force=options.get("force", False))
    except GuardError as exc:
        raise CommandError(str(exc)) from exc
    return _("%(count)d page baselines recorded for %(site)s") % {"count": len(baselines), "site": site.name}


def restore(site: Site, options: dict[str, Any]) -> str:
    from jagaweb.guard.restoring import run_restore
    from jagaweb.progress import ProgressBar

    bars: dict[str, ProgressBar] = {}

    def progress(step: str, done: int, total: int) -> None:
        bar = bars.setdefault(step, ProgressBar(step, as_bytes=False))
        bar(done, total)

    try:
        run = run_restore(site, ACTOR, progress=None if options.get("json") else progress)
    except (StepFailed, GuardError) as exc:
        raise CommandError(str(exc)) from exc
    finally:
        for bar in bars.values():
            bar.close()
    if options.get("json"):
        return json.dumps(run_dict(run), ensure_ascii=False, indent=2)
    report = run.report
    lines = [str(report.get("summary", "")), _("Evidence: %(path)s") % {"path": report.get("evidence", "")}]
    lines += [f"  {item['change']:<11} {item['path']}  sha256={item['sha256']}" for item in report["quarantined"]]
    return "\n".join(lines)


ACTIONS: dict[str, Callable[[Site, dict[str, Any]], str]] = {
    "check": check, "known-good": known_good, "restore": restore,
}
