"""A month of the guard: a profile per site (compared with the site's trusted snapshot), a check every few hours
(`guard.check`), attacks on a few sites (judi-online cloaking, a webshell, a defacement) seen at every check
until they are repaired (one by the guard's restore, with its quarantine and verification, the others by hand
or not yet), and legitimate page changes that a person approves: how a month of "content updated" looks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from jagaweb.backup.models import Snapshot
from jagaweb.demo.month.base import Fill
from jagaweb.demo.month.rows import Table
from jagaweb.guard import verbs
from jagaweb.guard.checking import check_summary
from jagaweb.guard.choices import FindingState, Identity, RunKind, RunState, Severity, Source, Verdict
from jagaweb.guard.findings import VERDICT_ORDER, worst
from jagaweb.guard.models import Finding, GuardProfile, GuardRun
from jagaweb.guard.runs import log_severity
from jagaweb.inventory.models import Site

CHECK_EVERY = timedelta(hours=3)  # the real job runs hourly; every three hours keeps a month of 1,000 sites small
JOB = "guard.check"
SYSTEM = "sistem:" + JOB  # how `actor_label` names the job in a run's "by" column
STEP = "log and alert"  # the last step of a check, where `run.step` stays
PAGES = ("", "berita/", "profil/", "layanan/")
Draft = tuple[str, str, str, str, str, int, list[dict[str, Any]]]  # source, location, identity, verdict, severity,
# score, reasons


@dataclass
class Attack:
    site_index: int
    kind: str  # a Verdict value; a webshell is "suspicious" with critical severity
    planted_at: datetime
    fixed_at: datetime  # when the site is clean again (may be after the month: still open then)
    restored: bool = False  # repaired by the guard's restore rather than by hand
    found: list[GuardRun] = field(default_factory=list)


@dataclass
class GuardResult:
    # The first check that found each judi-online or defacement attack, and when the site was clean again.
    attacks: list[tuple[GuardRun, datetime]]


def reason(code: str, message: str, weight: int) -> dict[str, Any]:
    return {"code": code, "message": message, "weight": weight, "evidence": []}


def attack_drafts(site: Site, kind: str) -> list[Draft]:
    home = site.url
    if kind == Verdict.JUDOL:
        return [
            (Source.CLOAKING, home, Identity.GOOGLEBOT, Verdict.JUDOL, Severity.CRITICAL, 92,
             [reason("cloaking.terms", _("Googlebot sees gambling terms the visitors do not see"), 60)]),
            (Source.PAGE, home, Identity.SEARCH, Verdict.JUDOL, Severity.CRITICAL, 88,
             [reason("baseline.new_gambling_sites", _("Links to gambling sites appeared"), 50)]),
            (Source.FILE, ".htaccess", "", Verdict.JUDOL, Severity.CRITICAL, 90,
             [reason("htaccess-cloaking", _("Rewrites visitors from search engines to another page"), 0)]),
            (Source.FILE, "index.php", "", Verdict.JUDOL, Severity.CRITICAL, 75,
             [reason("cloaking", _("Serves other content to search engines"), 0)]),
        ]
    if kind == Verdict.DEFACED:
        return [
            (Source.PAGE, home, Identity.NORMAL, Verdict.DEFACED, Severity.CRITICAL, 85,
             [reason("baseline.replaced", _("The page was replaced"), 60)]),
            (Source.FILE, "index.html", "", Verdict.DEFACED, Severity.CRITICAL, 85,
             [reason("defacement", _("defacement markers (hacked by)"), 0)]),
        ]
    return [(Source.FILE, "wp-content/uploads/2024/05/xleet.php", "", Verdict.SUSPICIOUS, Severity.CRITICAL, 100,
             [reason("webshell", _("runs commands from the request"), 0),
              reason("php-in-media", _("PHP code in the uploads folder"), 0)])]


def change_draft(site: Site) -> Draft:
    location = site.url + "berita/"
    return (Source.PAGE, location, Identity.NORMAL, Verdict.SUSPICIOUS, Severity.MEDIUM, 25,
            [reason("baseline.text_changed", _("The page text changed"), 25)])


def profiles(fill: Fill, trusted: dict[int, Snapshot]) -> None:
    have = set(GuardProfile.objects.filter(site__in=fill.sites).values_list("site_id", flat=True))
    new = []
    for site in fill.sites:
        if site.pk in have:
            continue
        snapshot = trusted.get(site.pk)
        new.append(GuardProfile(
            site=site, trusted_snapshot=snapshot, sitemap_count=fill.rng.randint(40, 900),
            known_good_at=snapshot.taken_at + timedelta(hours=6) if snapshot else None,
            known_good_by=fill.people.pick(fill.rng).get_username() if snapshot else ""))
    fill.save(GuardProfile, new)


RUN_COLUMNS = ("id", "site_id", "kind", "state", "started_at", "finished_at", "actor", "step", "verdict", "severity",
               "counts", "report", "error", "check_run_id")


def write_run(made: Made, run: GuardRun) -> None:
    made.table.add(run.pk, run.site_id, run.kind, run.state, run.started_at, run.finished_at, run.actor, run.step,
                   run.verdict, run.severity, run.counts, run.report, run.error, run.check_run_id)


def check_run(fill: Fill, made: Made, site: Site, start: datetime, drafts: list[Draft],
              actor: User | None = None) -> tuple[int, datetime, GuardRun | None]:
    """One `guard.check` (or a person's check) with its findings and its entry in the activity log: (key, when it
    finished, the run as a model instance when something needs one: it found something, or a person ran it)."""
    key, finished = fill.keys.next(GuardRun), start + timedelta(seconds=fill.rng.uniform(20, 110))
    verdict = max((d[3] for d in drafts), key=VERDICT_ORDER.index, default=str(Verdict.CLEAN))
    severity = worst([d[4] for d in drafts])
    counts, report, logged = made.clean_site(site)
    if drafts:
        counts = {**counts, **{f"findings.{source}": found for source in Source.values
                               if (found := sum(d[0] == source for d in drafts))}}
    by = actor.get_username() if actor else SYSTEM
    made.table.add(key, site.pk, RunKind.CHECK, RunState.SUCCEEDED, start, finished, by, STEP, verdict, severity,
                   counts, report, "", None)
    if drafts:
        made.findings[key] = [Finding(run_id=key, site=site, source=d[0], location=d[1], identity=d[2], verdict=d[3],
                                      severity=d[4], score=d[5], reasons=d[6], detail={}, state=FindingState.OPEN,
                                      created_at=finished - timedelta(seconds=1)) for d in drafts]
    attack = severity == Severity.CRITICAL or verdict in (Verdict.JUDOL, Verdict.DEFACED)
    if drafts:
        logged = {"site_name": site.name, "summary": check_summary(d[3] for d in drafts), "verdict": str(verdict),
                  "findings": len(drafts)}
    details = {"site": site, "row": (GuardRun, key, f"{made.check_label} {site} {start:%Y-%m-%d %H:%M}"),
               "severity": log_severity(severity), "shared": logged}
    verb = verbs.ATTACK if attack else verbs.CHECKED
    if actor is None:
        fill.events.system(verb, finished, JOB, **details)
    else:
        fill.events.person(verb, finished, actor, **details)
    if not drafts and actor is None:
        return key, finished, None
    return key, finished, GuardRun(pk=key, site=site, kind=RunKind.CHECK, state=RunState.SUCCEEDED, started_at=start,
                                   finished_at=finished, actor=by, step=STEP, verdict=verdict, severity=severity,
                                   counts=counts, report=report)


def plan_attacks(fill: Fill) -> list[Attack]:
    rng, month = fill.rng, fill.month
    count = min(len(fill.sites), max(2, round(len(fill.sites) * 0.015)))
    kinds = [Verdict.JUDOL, Verdict.SUSPICIOUS, Verdict.DEFACED]
    attacks = []
    for number, index in enumerate(sorted(rng.sample(range(len(fill.sites)), count))):
        last = number == count - 1 and count >= 3
        day = rng.choice(month.days[-2:] if last else month.days[3:-4])
        planted = month.at(day, rng.uniform(0, 24))
        hours = rng.uniform(48, 96) if last else rng.uniform(2, 5) if number == 0 else rng.uniform(6, 40)
        attacks.append(Attack(index, kinds[number % len(kinds)], planted, planted + timedelta(hours=hours),
                              restored=number == 0))
    return attacks


def plan_changes(fill: Fill) -> dict[int, list[datetime]]:
    """Legitimate page changes a person approves: about one a day for every ten sites."""
    rng, month = fill.rng, fill.month
    changes: dict[int, list[datetime]] = {}
    for _change in range(max(2, len(fill.sites) * 3 // 20)):
        day = rng.choice([day for day in month.days[:-1] if day.weekday() < 5])
        changes.setdefault(rng.randrange(len(fill.sites)), []).append(month.at(day, rng.uniform(8, 14)))
    return changes


@dataclass
class Made:
    table: Table = field(default_factory=lambda: Table(GuardRun, RUN_COLUMNS))
    check_label: str = field(default_factory=lambda: str(RunKind.CHECK.label))  # as GuardRun.__str__ words it
    findings: dict[int, list[Finding]] = field(default_factory=dict)  # run key -> the run's findings
    approvals: list[tuple[Finding, datetime, User]] = field(default_factory=list)
    restores: list[tuple[GuardRun, GuardRun, User]] = field(default_factory=list)
    clean: dict[int, tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = field(default_factory=dict)

    def clean_site(self, site: Site) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """A clean check's counts, report and log data, the same dicts for every check of the site."""
        if site.pk not in self.clean:
            self.clean[site.pk] = (
                {"pages": len(PAGES), "fetches": len(PAGES) * 4, "files": 1800 + site.pk * 37 % 7000, "rows": 0},
                {"notes": [], "pages": [site.url + page for page in PAGES], "visual": []},
                {"site_name": site.name, "summary": check_summary([]), "verdict": str(Verdict.CLEAN), "findings": 0})
        return self.clean[site.pk]


def site_checks(fill: Fill, index: int, attack: Attack | None, changes: list[datetime], made: Made,
                snapshot: str) -> None:
    rng, month, site = fill.rng, fill.month, fill.sites[index]
    moment = month.start + timedelta(minutes=rng.uniform(0, CHECK_EVERY.total_seconds() / 60))
    pending = sorted(changes)
    open_findings: list[Finding] = []
    while moment < month.end - timedelta(minutes=3):
        active = attack is not None and attack.planted_at <= moment < attack.fixed_at
        drafts = attack_drafts(site, attack.kind) if active and attack is not None else []
        changed = bool(pending) and pending[0] <= moment
        if changed and not drafts:
            pending.pop(0)
            drafts = [change_draft(site)]
        key, finished, run = check_run(fill, made, site, moment, drafts)
        findings = made.findings.get(key, [])
        for finding in open_findings:
            finding.state = FindingState.GONE
        open_findings = findings
        if changed and findings:
            approved = finished + timedelta(minutes=rng.uniform(10, 120))
            if month.contains(approved):
                findings[0].state = FindingState.APPROVED
                made.approvals.append((findings[0], approved, fill.people.pick(rng)))
                open_findings = []
        if active and attack is not None and run is not None:
            attack.found.append(run)
            if attack.restored and len(attack.found) == 1:
                restore(fill, attack, run, made, open_findings, snapshot)
                open_findings = []
        moment += CHECK_EVERY


def restore(fill: Fill, attack: Attack, found: GuardRun, made: Made, open_findings: list[Finding],
            snapshot: str) -> None:
    """A person restores the site from its trusted backup soon after the first alert, before the next check."""
    rng, site = fill.rng, found.site
    assert found.finished_at is not None
    user = fill.people.pick(rng)
    start = found.finished_at + timedelta(minutes=rng.uniform(25, 90))
    _key, _finished, verification = check_run(fill, made, site, start + timedelta(minutes=rng.uniform(1, 4)), [],
                                              actor=user)
    assert verification is not None and verification.finished_at is not None
    files = [f for f in open_findings if f.source == Source.FILE]
    for finding in open_findings:
        finding.state = FindingState.REPAIRED if finding.source == Source.FILE else FindingState.GONE
    quarantine = Path(settings.DATA_DIR) / "guard" / "quarantine" / site.slug / f"{start:%Y%m%d-%H%M%S}"
    summary = _("%(quarantined)d files quarantined, %(restored)d restored, %(removed)d removed; "
                "after the restore: %(verdict)s") % {"quarantined": len(files), "restored": len(files) - 1,
                                                     "removed": 1, "verdict": str(Verdict.CLEAN.label)}
    run = GuardRun(pk=fill.keys.next(GuardRun), site=site, kind=RunKind.RESTORE, state=RunState.SUCCEEDED,
                   started_at=start, actor=user.get_username(), step="write the repair report",
                   finished_at=verification.finished_at + timedelta(seconds=5), verdict=Verdict.CLEAN,
                   severity=Severity.INFO, check_run=found)
    run.report = {"snapshot": snapshot, "quarantine": str(quarantine), "summary": summary,
                  "found": [{"source": f.source, "location": f.location, "verdict": f.verdict, "severity": f.severity}
                            for f in open_findings],
                  "quarantined": [{"path": f.location, "change": "modified", "size": rng.randint(200, 9000),
                                   "sha256": fill.hex_id(), "blake3": fill.hex_id()} for f in files],
                  "restored": [f.location for f in files[1:]], "removed": [f.location for f in files[:1]],
                  "resumed": False, "evidence": str(quarantine / "evidence.zip"),
                  "verification": {"verdict": str(Verdict.CLEAN), "pages": [], "visual": [], "files": []},
                  "failures": []}
    write_run(made, run)
    made.restores.append((run, verification, user))
    attack.fixed_at = start


def log_people(fill: Fill, made: Made) -> None:
    for finding, at, user in made.approvals:
        fill.events.person(verbs.APPROVED, at, user, site=finding.site, target=finding, site_name=finding.site.name,
                           location=finding.location, source=finding.source)
    for run, verification, user in made.restores:
        site = run.site
        moved = len(run.report["quarantined"])
        assert run.finished_at is not None and verification.finished_at is not None
        fill.events.person(verbs.QUARANTINED, run.started_at + timedelta(seconds=40), user, site=site, target=run,
                           site_name=site.name, count=moved, folder=run.report["quarantine"])
        fill.events.person(verbs.RESTORED, run.finished_at, user, site=site, target=run, site_name=site.name,
                           summary=run.report["summary"], snapshot=run.report["snapshot"])
        fill.events.person(verbs.VERIFIED, run.finished_at, user, site=site, target=verification,
                           site_name=site.name, summary=str(Verdict.CLEAN.label))


def fill_guard(fill: Fill, trusted: dict[int, Snapshot]) -> GuardResult:
    profiles(fill, trusted)
    attacks = {attack.site_index: attack for attack in plan_attacks(fill)}
    changes = plan_changes(fill)
    made = Made()
    for index, site in enumerate(fill.sites):
        snapshot = trusted[site.pk].snapshot_id if site.pk in trusted else ""
        site_checks(fill, index, attacks.get(index), changes.get(index, []), made, snapshot)
    made.table.flush()
    findings = [finding for found in made.findings.values() for finding in found]
    fill.save(Finding, findings)
    fill.counts.guard_runs += made.table.written
    fill.counts.guard_findings += len(findings)
    log_people(fill, made)
    firsts = [(attack.found[0], attack.fixed_at) for attack in attacks.values()
              if attack.found and attack.found[0].verdict in (Verdict.JUDOL, Verdict.DEFACED)]
    return GuardResult(attacks=sorted(firsts, key=lambda pair: pair[0].started_at))
