"""Every guard operation is a GuardRun: recorded when it starts, finished with its outcome, written to the
activity log with its actor; a failed run and an attack alert through the notification channels."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import timezone

from jagaweb.activity.choices import Severity as LogSeverity
from jagaweb.activity.log import Actor, actor_label, record
from jagaweb.guard import verbs
from jagaweb.guard.choices import RunKind, RunState, Severity
from jagaweb.guard.models import GuardRun
from jagaweb.inventory.models import Site
from jagaweb.steps import StepFailed


def log_severity(severity: str) -> str:
    if severity == Severity.CRITICAL:
        return LogSeverity.CRITICAL
    return LogSeverity.WARNING if severity in (Severity.HIGH, Severity.MEDIUM) else LogSeverity.INFO


@contextmanager
def recorded_run(site: Site, kind: RunKind, actor: Actor, **fields: Any) -> Iterator[GuardRun]:
    run = GuardRun.objects.create(site=site, kind=kind, actor=actor_label(actor), **fields)
    try:
        yield run
    except Exception as exc:
        fail(run, actor, exc)
        raise
    run.state = RunState.SUCCEEDED
    run.finished_at = timezone.now()
    run.save()


def fail(run: GuardRun, actor: Actor, exc: Exception) -> None:
    run.state = RunState.FAILED
    run.finished_at = timezone.now()
    run.step = exc.step if isinstance(exc, StepFailed) else run.step
    cause = exc.cause if isinstance(exc, StepFailed) else exc
    run.error = f"{type(cause).__name__}: {cause}"[:4000]
    run.save()
    record(verbs.FAILED, actor=actor, site=run.site, target=run, severity=LogSeverity.CRITICAL,
           operation=run.get_kind_display(), site_name=run.site.name, step=run.step or "-", error=run.error)
    alert(run, f"{run.get_kind_display()} {run.site.name} GAGAL / FAILED", f"{run.step}: {run.error}")


def alert(run: GuardRun, title: str, body: str) -> None:
    from jagaweb.notify.dispatch import notify

    notify(title, f"{run.site.name} ({run.site.url})\n{body}", severity=LogSeverity.CRITICAL, site=run.site)
