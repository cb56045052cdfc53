"""The inside view: the web root's files against the site's trusted backup snapshot, and the file rules on
what changed. A site without a trusted snapshot (many are infected when they are onboarded) gets a full scan
by the rules instead.

Each path is one finding: the change itself scored by where it is and what it is (`change_risk`), together
with whatever the content rules found in the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import blake3
from django.conf import settings

from jagaweb.backup.models import BackupPlan, Snapshot
from jagaweb.backup.sources.webroot import WebRootSource
from jagaweb.backup.store.manifest import Manifest
from jagaweb.backup.store.repository import Repository, SnapshotInfo
from jagaweb.guard.change_risk import risk_of
from jagaweb.guard.choices import Source
from jagaweb.guard.files import scan_directory
from jagaweb.guard.files.findings import FileFinding, ScanReport
from jagaweb.guard.findings import SEVERITY_ORDER, VERDICT_ORDER, Draft
from jagaweb.guard.integrity import Change, IntegrityReport, IntegrityState, compare_with_snapshot
from jagaweb.inventory.models import Site

PREFIX = "webroot/"


@contextmanager
def snapshot_manifest(site: Site, snapshot: Snapshot) -> Iterator[tuple[Repository, SnapshotInfo, Manifest]]:
    """The trusted snapshot's repository (open), header and manifest; the medium is closed afterwards."""
    target = snapshot.target.open(site.slug)
    try:
        repo = Repository.open(target, snapshot.target.passphrase or None)
        info, manifest = repo.load_snapshot(snapshot.snapshot_id)
        yield repo, info, manifest
    finally:
        target.close()


def state_file(site: Site) -> Path:
    return Path(settings.DATA_DIR) / "guard" / "integrity" / f"{site.slug}.state"


def state_key() -> bytes:
    # The state says which files need no hashing; keyed, so nobody who can write the file can hide a change.
    return blake3.blake3(settings.SECRET_KEY.encode(), derive_key_context="jagaweb guard integrity state").digest()


def excludes_for(site: Site) -> list[str]:
    plan = BackupPlan.objects.filter(site=site).first()
    return WebRootSource(site.web_root, plan.excludes if plan else None).excludes


def compare_site(site: Site, snapshot: Snapshot) -> IntegrityReport:
    with snapshot_manifest(site, snapshot) as (_repo, info, manifest):
        state_file(site).parent.mkdir(parents=True, exist_ok=True)
        return compare_with_snapshot(Path(site.web_root), manifest, PREFIX,
                                     state=IntegrityState(state_file(site), key=state_key()),
                                     excludes=excludes_for(site), snapshot_id=info.id)


@dataclass
class FileView:
    drafts: list[Draft] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)


def is_accepted(change: Change, accepted: dict[str, str]) -> bool:
    if change.path not in accepted:
        return False
    return accepted[change.path] == (change.new.hash if change.new is not None else "")


def look_at_files(site: Site, snapshot: Snapshot | None, accepted: dict[str, str]) -> FileView:
    view = FileView()
    root = Path(site.web_root)
    if snapshot is None:
        view.notes.append("files: no trusted backup yet, so every file was scanned by the rules")
        scan = scan_directory(root, site=site)
        view.drafts = [rule_draft(found) for found in scan.files]
        view.counts["files"] = scan.scanned
        return view
    report = compare_site(site, snapshot)
    view.changes = [change for change in report.changes if not is_accepted(change, accepted)]
    view.counts.update(files=report.files_seen, hashed=report.files_hashed)
    view.notes += [f"files: {s.path}: {s.reason}" for s in report.skipped[:20]]
    if report.state_problem:
        view.notes.append(f"files: {report.state_problem}")
    present = {change.path for change in view.changes if change.new is not None}
    scan = scan_directory(root, site=site, only=present) if present else ScanReport()
    found = {finding.path: finding for finding in scan.files}
    view.drafts = [change_draft(change, found.pop(change.path, None)) for change in view.changes]
    view.drafts += [rule_draft(finding) for finding in found.values()]
    return view


def rule_draft(found: FileFinding) -> Draft:
    return Draft(Source.FILE, found.path, str(found.verdict), str(found.severity), found.score,
                 [{"code": code, "message": text, "weight": 0, "evidence": []}
                  for code, text in zip(found.rules, found.reasons, strict=False)], detail={"rules": list(found.rules)})


def change_draft(change: Change, found: FileFinding | None) -> Draft:
    risk = risk_of(change)
    verdict, severity, score, reasons = risk.verdict, risk.severity, risk.score, list(risk.reasons)
    if found is not None:
        verdict = max(verdict, str(found.verdict), key=VERDICT_ORDER.index)
        severity = max(severity, str(found.severity), key=SEVERITY_ORDER.index)
        score = min(100, score + found.score)
        reasons += rule_draft(found).reasons
    detail = change.as_dict()
    detail["hash"] = change.new.hash if change.new is not None else ""
    return Draft(Source.FILE, change.path, verdict, severity, score, reasons, detail=detail)
