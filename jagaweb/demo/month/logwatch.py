"""A month of the visitor-log watch: daily visitor figures (`visitors`), and attacks read in the access logs:
a set of attacking addresses, some of which sweep many sites (scanners, webshell hunters) and some of which
work on one or two (SQL injection, brute force), each visit a burst of findings grouped into one incident
per client, closed once the client has been quiet for six hours (`logwatch.incidents`), a few closed by hand.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from jagaweb.demo.month.base import Fill
from jagaweb.demo.month.rows import Table
from jagaweb.demo.month.visitors import fill_visitors
from jagaweb.inventory.models import Site
from jagaweb.logwatch import verbs
from jagaweb.logwatch.choices import Category, Severity
from jagaweb.logwatch.incidents import LOG_SEVERITY, QUIET, RECORD_MIN_SEVERITY, summary_of
from jagaweb.logwatch.models import CloseReason, Incident, IncidentState, LogFinding, severity_rank

JOB = "logwatch.ingest"
INGEST_LAG = timedelta(seconds=70)  # the ingest job reads each site's new lines every minute
CLOSED_BY_HAND = 0.02  # the share of incidents a person closes before the client goes quiet
Rule = tuple[str, str, str, str]  # category, rule, severity, request
BEHAVIOURS: dict[str, tuple[Rule, ...]] = {
    "scanner": (
        (Category.SCANNER, "internet-scanner", Severity.INFO, "GET / HTTP/1.1"),
        (Category.SENSITIVE_FILE, "environment-file", Severity.HIGH, "GET /.env HTTP/1.1"),
        (Category.SENSITIVE_FILE, "version-control", Severity.HIGH, "GET /.git/config HTTP/1.1"),
        (Category.PROBING, "directory-busting", Severity.MEDIUM, "GET /backup.zip HTTP/1.1"),
    ),
    "webshell": (
        (Category.WEBSHELL, "known-shell", Severity.HIGH, "GET /wp-content/uploads/xleet.php HTTP/1.1"),
        (Category.WEBSHELL, "shell-like-name", Severity.MEDIUM, "POST /alfa.php HTTP/1.1"),
        (Category.EXPLOIT, "wordpress-plugin", Severity.HIGH, "GET /wp-content/plugins/wp-file-manager/lib/php/"
                                                             "connector.minimal.php HTTP/1.1"),
        (Category.EXPLOIT, "phpunit-eval", Severity.CRITICAL, "POST /vendor/phpunit/phpunit/src/Util/PHP/"
                                                              "eval-stdin.php HTTP/1.1"),
    ),
    "sqli": (
        (Category.SQLI, "union-select", Severity.HIGH, "GET /berita/?id=1%20UNION%20SELECT%201,2,3-- HTTP/1.1"),
        (Category.SQLI, "quote-boolean", Severity.HIGH, "GET /berita/?id=1'%20OR%20'1'='1 HTTP/1.1"),
        (Category.SQLI, "time-delay", Severity.HIGH, "GET /pengumuman/?id=1%20AND%20SLEEP(5) HTTP/1.1"),
        (Category.XSS, "script-tag", Severity.HIGH, "GET /cari?q=%3Cscript%3Ealert(1)%3C/script%3E HTTP/1.1"),
    ),
    "brute": (
        (Category.BRUTE_FORCE, "login", Severity.HIGH, "POST /wp-login.php HTTP/1.1"),
        (Category.BRUTE_FORCE, "xmlrpc", Severity.HIGH, "POST /xmlrpc.php HTTP/1.1"),
        (Category.PROBING, "error-flood", Severity.MEDIUM, "GET /wp-admin/ HTTP/1.1"),
    ),
    "traversal": (
        (Category.LFI, "traversal", Severity.HIGH, "GET /download/?file=../../../../etc/passwd HTTP/1.1"),
        (Category.LFI, "system-file", Severity.HIGH, "GET /index.php?page=/proc/self/environ HTTP/1.1"),
        (Category.SCANNER, "attack-tool", Severity.MEDIUM, "GET /?nikto=1 HTTP/1.1"),
    ),
    "crawler": (
        (Category.CRAWL, "aggressive-crawl", Severity.LOW, "GET /berita/?page=211 HTTP/1.1"),
        (Category.FAKE_BOT, "fake-crawler", Severity.MEDIUM, "GET /robots.txt HTTP/1.1"),
    ),
}
WIDE = {"scanner": (0.15, 0.4), "webshell": (0.05, 0.2)}  # share of the sites a sweeping attacker visits
NETWORKS = ("45.148", "185.220", "194.26", "5.188", "103.152", "43.153", "167.94", "89.248", "118.193", "20.171")


class Found(NamedTuple):
    """One finding of a visit (a LogFinding's own columns; the site, client and log file are the visit's)."""

    time: datetime
    category: str
    rule: str
    severity: str
    request: str
    line: int


FINDING_COLUMNS = ("site_id", "incident_id", "time", "ip", "category", "rule", "severity", "request", "file", "line",
                   "detail", "created_at")


@dataclass
class Attacker:
    ip: str
    behaviour: str


@dataclass
class Visit:
    site: Site
    attacker: Attacker
    start: datetime
    findings: list[Found] = field(default_factory=list)
    incident: Incident | None = None


@dataclass
class LogResult:
    serious: list[tuple[Incident, datetime]]  # incidents that became high or critical, and when it was read


def attackers(fill: Fill) -> list[Attacker]:
    rng = fill.rng
    count = 12 + len(fill.sites) // 25
    names = list(BEHAVIOURS)
    return [Attacker(f"{rng.choice(NETWORKS)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}", names[n % len(names)])
            for n in range(count)]


def plan_visits(fill: Fill, found: list[Attacker]) -> list[Visit]:
    rng, month = fill.rng, fill.month
    visits = []
    last = month.end - timedelta(hours=2)
    for attacker in found:
        low, high = WIDE.get(attacker.behaviour, (0.0, 0.0))
        if high:
            chosen = rng.sample(fill.sites, max(1, int(len(fill.sites) * rng.uniform(low, high))))
        else:
            chosen = rng.sample(fill.sites, min(len(fill.sites), rng.randint(1, 2)))
        for site in chosen:
            times = sorted(month.start + (last - month.start) * rng.random() for _visit in range(rng.randint(1, 2)))
            if len(times) == 2 and times[1] - times[0] < QUIET * 2:
                times = times[:1]
            visits += [Visit(site, attacker, start) for start in times]
    return sorted(visits, key=lambda visit: visit.start)


def burst(fill: Fill, visit: Visit) -> None:
    """The visit's findings: a burst of requests seconds to minutes apart."""
    rng = fill.rng
    rules = BEHAVIOURS[visit.attacker.behaviour]
    wide = visit.attacker.behaviour in WIDE
    moment = visit.start
    line = rng.randint(1000, 400_000)
    for _finding in range(rng.randint(3, 10) if wide else rng.randint(6, 40)):
        category, rule, severity, request = rng.choice(rules)
        visit.findings.append(Found(moment, category, rule, severity, request, line))
        moment += timedelta(seconds=rng.uniform(1, 90))
        line += rng.randint(1, 300)


def incident_of(fill: Fill, visit: Visit) -> Incident:
    findings = visit.findings
    first, last = findings[0].time, findings[-1].time
    worst = max((finding.severity for finding in findings), key=severity_rank)
    incident = Incident(site=visit.site, ip=visit.attacker.ip, severity=worst, first_seen=first, last_seen=last,
                        finding_count=len(findings), stored_findings=len(findings),
                        categories=dict(Counter(finding.category for finding in findings)),
                        rules=dict(Counter(finding.rule for finding in findings)),
                        alerted_severity=worst if severity_rank(worst) >= severity_rank(Severity.MEDIUM) else "",
                        opened_at=first + INGEST_LAG)
    if last + QUIET < fill.month.end:
        incident.state, incident.closed_at, incident.close_reason = (IncidentState.CLOSED, last + QUIET,
                                                                     CloseReason.QUIET)
    if severity_rank(worst) >= severity_rank(Severity.MEDIUM) and fill.rng.random() < CLOSED_BY_HAND:
        closed = last + timedelta(minutes=fill.rng.uniform(20, 300))
        if fill.month.contains(closed):
            incident.state, incident.closed_at, incident.close_reason = (IncidentState.CLOSED, closed,
                                                                         CloseReason.BY_HAND)
            incident.closed_by = fill.people.pick(fill.rng).get_username()
    return incident


def log_visit(fill: Fill, visit: Visit) -> datetime | None:
    """The incident's entries as `incidents.log_changes` writes them (on reaching medium, and when it rises);
    returns when it was first read as high or critical."""
    incident, site = visit.incident, visit.site
    assert incident is not None
    threshold = severity_rank(RECORD_MIN_SEVERITY)
    current, seen, serious = "", Counter[str](), None
    for number, finding in enumerate(visit.findings, start=1):
        seen[finding.category] += 1
        rank = severity_rank(finding.severity)
        if rank <= severity_rank(current) or rank < threshold:
            continue
        verb = verbs.INCIDENT_OPENED if severity_rank(current) < threshold else verbs.INCIDENT_ESCALATED
        current = finding.severity
        read = finding.time + INGEST_LAG
        if serious is None and rank >= severity_rank(Severity.HIGH):
            serious = read
        fill.events.system(verb, read, JOB, site=site, target=incident, severity=LOG_SEVERITY[Severity(current)],
                           ip=incident.ip, site_name=site.name, summary=summary_of(dict(seen)), level=current,
                           findings=number)
    if incident.close_reason == CloseReason.BY_HAND and incident.closed_at is not None:
        fill.events.person(verbs.INCIDENT_CLOSED, incident.closed_at, fill.people.named(incident.closed_by),
                           site=site, target=incident, ip=incident.ip, site_name=site.name)
    return serious


def fill_logwatch(fill: Fill) -> LogResult:
    # The figures below come from each site's access log, so each site has one configured (where it had none).
    for site in fill.sites:
        if not site.access_logs:
            site.access_logs = [f"/var/log/nginx/{site.slug}.access.log"]
    Site.objects.bulk_update(fill.sites, ["access_logs"], batch_size=1000)
    fill_visitors(fill)
    visits = plan_visits(fill, attackers(fill))
    for visit in visits:
        burst(fill, visit)
        visit.incident = incident_of(fill, visit)
    fill.save(Incident, [visit.incident for visit in visits if visit.incident is not None])
    table = Table(LogFinding, FINDING_COLUMNS)
    for visit in visits:
        assert visit.incident is not None
        path = f"/var/log/nginx/{visit.site.slug}.access.log"
        for found in visit.findings:
            table.add(visit.site.pk, visit.incident.pk, found.time, visit.attacker.ip, found.category, found.rule,
                      found.severity, found.request, path, found.line, found.request.split(" ")[1][:300],
                      found.time + INGEST_LAG)
    table.flush()
    fill.counts.log_incidents += len(visits)
    fill.counts.log_findings += table.written
    serious = []
    for visit in visits:
        read = log_visit(fill, visit)
        if read is not None and visit.incident is not None:
            serious.append((visit.incident, read))
    return LogResult(serious=serious)
