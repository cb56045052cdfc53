"""Every backup operation is a BackupRun: recorded when it starts, finished with its outcome, written to
the activity log with its actor, and a failed backup alerts through the notification channels."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import timezone

from jagaweb.activity.choices import Severity
from jagaweb.activity.log import Actor, actor_label, record
from jagaweb.backup import verbs
from jagaweb.backup.choices import Operation, RunState
from jagaweb.backup.models import BackupRun
from jagaweb.inventory.models import Site
from jagaweb.progress import size_text
from jagaweb.steps import StepFailed

human_size = size_text  # one wording of sizes for the terminal, the pages and the activity log


def summary_of(run: BackupRun) -> str:
    if run.operation == Operation.BACKUP:
        return f"{run.files} files, {human_size(run.bytes_total)}, {human_size(run.bytes_new)} new"
    return str(run.report.get("summary", ""))


@contextmanager
def recorded_run(site: Site, operation: Operation, actor: Actor, **fields: Any) -> Iterator[BackupRun]:
    run = BackupRun.objects.create(site=site, operation=operation, actor=actor_label(actor), **fields)
    try:
        yield run
    except Exception as exc:
        fail(run, actor, exc)
        raise
    else:
        run.state = RunState.SUCCEEDED
        run.finished_at = timezone.now()
        run.save()
        record(verbs.SUCCEEDED, actor=actor, site=site, target=run, operation=run.get_operation_display(),
               site_name=site.name, summary=summary_of(run))


def fail(run: BackupRun, actor: Actor, exc: Exception) -> None:
    run.state = RunState.FAILED
    run.finished_at = timezone.now()
    run.step = exc.step if isinstance(exc, StepFailed) else run.step
    cause = exc.cause if isinstance(exc, StepFailed) else exc
    run.error = f"{type(cause).__name__}: {cause}"[:4000]
    run.save()
    severity = Severity.CRITICAL if run.operation == Operation.BACKUP else Severity.WARNING
    record(verbs.FAILED, actor=actor, site=run.site, target=run, severity=severity,
           operation=run.get_operation_display(), site_name=run.site.name, step=run.step or "-", error=run.error)
    if run.operation in (Operation.BACKUP, Operation.VERIFY):
        alert_failure(run)


def alert_failure(run: BackupRun) -> None:
    from jagaweb.notify.dispatch import notify

    notify(
        f"{run.get_operation_display()} {run.site.name} GAGAL / FAILED",
        f"{run.site.name} ({run.site.url})\n{run.step}: {run.error}",
        severity=Severity.CRITICAL, site=run.site,
    )
