"""What each `jagaweb backup` subcommand does: parse, call the operation, word the result."""

from __future__ import annotations

import os
import re
from typing import Any

from django.db import transaction

from jagaweb.activity.log import Actor
from jagaweb.backup import operations
from jagaweb.backup.choices import TargetKind
from jagaweb.backup.models import BackupPlan, BackupTarget, Snapshot
from jagaweb.backup.runs import human_size, summary_of
from jagaweb.backup.store.lock import RepositoryLocked
from jagaweb.backup.store.repository import RepositoryError
from jagaweb.backup.store.sealing import DamagedData, WrongPassphrase
from jagaweb.backup.targets.base import TargetError
from jagaweb.inventory.models import Site
from jagaweb.progress import ProgressBar
from jagaweb.steps import StepFailed

EXPECTED = (
    operations.BackupNotConfigured, operations.VerifyFailed, operations.RestoreIncomplete, StepFailed,
    RepositoryError, RepositoryLocked, WrongPassphrase, DamagedData, TargetError, FileNotFoundError,
)


class ActionError(Exception):
    """A failure worded for the person at the terminal."""


def percentage(text: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(%?)\s*", text)
    if not match:
        raise ValueError(f"not a percentage: {text!r}")
    value = float(match.group(1)) / (100 if match.group(2) or float(match.group(1)) > 1 else 1)
    if not 0 < value <= 1:
        raise ValueError("the sample must be between 0% and 100%")
    return value


def guarded(function: Any) -> Any:
    def wrapper(site: Site, actor: Actor, options: dict[str, Any]) -> Any:
        try:
            return function(site, actor, options)
        except EXPECTED as exc:
            raise ActionError(str(exc)) from exc

    return wrapper


@guarded
def run(site: Site, actor: Actor, options: dict[str, Any]) -> str:
    bar = ProgressBar(f"backup {site.slug}")
    try:
        result = operations.run_backup(site, actor, progress=bar)
    finally:
        bar.close()
    warnings = result.report.get("warnings", [])
    lines = [f"snapshot {result.snapshot_id[:8]}: {summary_of(result)} in {result.duration}"]
    return "\n".join(lines + [f"warning: {w}" for w in warnings])


@guarded
def list(site: Site, actor: Actor, options: dict[str, Any]) -> Any:
    operations.sync_snapshot_records(site)
    snapshots = Snapshot.objects.filter(site=site).order_by("taken_at")
    if options.get("json"):
        return [{"id": s.snapshot_id, "time": s.taken_at.isoformat(), "files": s.files, "size": s.size,
                 "new_bytes": s.new_bytes, "trusted": s.trusted} for s in snapshots]
    rows = [f"{'ID':10} {'TIME':20} {'FILES':>7} {'SIZE':>10} {'NEW':>10}"]
    rows += [f"{s.short_id:10} {s.taken_at:%Y-%m-%d %H:%M:%S}  {s.files:7} {human_size(s.size):>10} "
             f"{human_size(s.new_bytes):>10}{'  trusted' if s.trusted else ''}" for s in snapshots]
    return "\n".join(rows)


@guarded
def verify(site: Site, actor: Actor, options: dict[str, Any]) -> str:
    bar = ProgressBar(f"verify {site.slug}", as_bytes=False) if options["read_data"] else None
    try:
        result = operations.verify_backups(site, actor, read_data=options["read_data"], sample=options["sample"],
                                           progress=bar)
    finally:
        if bar:
            bar.close()
    return f"no problems found: {summary_of(result)}"


@guarded
def restore(site: Site, actor: Actor, options: dict[str, Any]) -> str:
    if options.get("database"):
        result = operations.restore_database(site, options["snapshot"], options["database"], actor)
        return f"database {options['database']} restored from snapshot {result.snapshot_id[:8]}"
    bar = ProgressBar(f"restore {site.slug}")
    try:
        result = operations.restore_files(site, options["snapshot"], actor, destination=options.get("to"),
                                          paths=options.get("paths"), dry_run=options["dry_run"],
                                          delete=options["delete"], progress=bar)
    finally:
        bar.close()
    report = result.report
    if options["dry_run"]:
        lines = [f"would create {p}" for p in report["create"]] + [f"would replace {p}" for p in report["replace"]]
        lines += [f"would delete {p}" for p in report["delete"]]
        return "\n".join([*lines, f"{report['unchanged']} unchanged (dry run: nothing was changed)"])
    return f"restored {report['restored']} entries into {report['destination']} ({report['summary']})"


@guarded
def export(site: Site, actor: Actor, options: dict[str, Any]) -> str:
    bar = ProgressBar(f"export {site.slug}")
    try:
        result = operations.export_archive(site, options["snapshot"], options["out"], actor, fmt=options["format"],
                                           volume_size=options.get("volume_size"), progress=bar)
    finally:
        bar.close()
    return "\n".join(result.report.get("files", [])) or str(options["out"])


@guarded
def prune(site: Site, actor: Actor, options: dict[str, Any]) -> str:
    result = operations.prune_backups(site, actor, dry_run=options["dry_run"])
    return str(result.report.get("summary", ""))


def plan(site: Site, actor: Actor, options: dict[str, Any]) -> str:
    try:
        target = BackupTarget.objects.get(name=options["target"])
    except BackupTarget.DoesNotExist:
        raise ActionError(f"no backup medium named {options['target']!r} (add one with target-add)") from None
    defaults: dict[str, Any] = {"target": target, "include_database": not options["no_database"]}
    if options.get("exclude") is not None:
        defaults["excludes"] = options["exclude"]
    if options.get("extra_path") is not None:
        defaults["extra_paths"] = options["extra_path"]
    saved, created = operations.save_plan(site, actor, **defaults)
    return f"backup plan for {site.slug} {'created' if created else 'changed'}: {saved}"


def target_add(site: Site | None, actor: Actor, options: dict[str, Any]) -> str:
    credentials: dict[str, str] = {}
    if options.get("key_file"):
        credentials["private_key"] = options["key_file"].read_text()
    passphrase = os.environ.get(options["passphrase_env"], "") if options.get("passphrase_env") else ""
    if options.get("passphrase_env") and not passphrase:
        raise ActionError(f"the environment variable {options['passphrase_env']} is empty")
    with transaction.atomic():
        target = operations.save_target(
            actor, name=options["name"], kind=TargetKind(options["kind"]), path=options["path"],
            host=options["host"], port=options["port"], username=options["user"], host_key=options["host_key"],
            credentials=credentials, passphrase=passphrase,
        )
    saved = f"backup medium {target.name} saved ({target.get_kind_display()}: {target.path})"
    if options.get("trust_host_key") and target.kind == TargetKind.SFTP:
        try:
            fingerprint = operations.trust_host_key(target, actor)
        except TargetError as exc:
            raise ActionError(f"{saved}, but: {exc}") from exc
        saved += f"\ntrusted the host key of {target.host}: {fingerprint} (compare it with the server's)"
    return saved


__all__ = ["ActionError", "BackupPlan", "export", "list", "percentage", "plan", "prune", "restore", "run",
           "target_add", "verify"]
