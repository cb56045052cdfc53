"""Walks every URL pattern: anonymous users are refused everywhere but the few public pages, and an
organisation member can neither see nor change anything of another organisation, in the UI or the API.

A new URL with arguments must be added to OBJECT_ARGUMENTS, or this test fails: scoping of every
object page is proven, not assumed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from jagaweb.activity.log import SystemJob, record
from jagaweb.backup.choices import Operation, RunState
from jagaweb.backup.models import BackupPlan, BackupRun, BackupTarget, Snapshot
from jagaweb.guard.choices import Severity, Source, Verdict
from jagaweb.guard.models import Finding, GuardRun
from jagaweb.inventory.models import Server, Site, ThirdParty
from jagaweb.jobs.models import JobRun, ScheduleEntry
from jagaweb.logwatch.models import DailyVisitors, LogFinding
from jagaweb.logwatch.models import Incident as LogIncident
from jagaweb.monitor.choices import CheckKind, Status
from jagaweb.monitor.models import Check, Incident, MaintenanceWindow, Result
from jagaweb.notify.models import Channel, Delivery, Message
from jagaweb.people.choices import RoleKind
from jagaweb.people.models import Role
from jagaweb.renewals.models import Renewal, Service
from jagaweb.reports.choices import ReportKind
from jagaweb.reports.models import Report, ReportSchedule
from jagaweb.reports.tasks import issue_for
from tests.sop.world_access import sop_objects

PUBLIC = {"login", "logout", "set_language", "health",
          # Anonymous by design: an organisation's public status page, and the heartbeat a cron job calls
          # (its unguessable token is the credential); tests/monitor covers both.
          "monitor:status_page", "monitor:heartbeat", "monitor:heartbeat_fail",
          # A site's public complaint form (spam-protected); tests/sop covers it.
          "complaint_form"}


def patterns(resolver: URLResolver | None = None, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for item in (resolver or get_resolver()).url_patterns:
        if isinstance(item, URLResolver):
            inner = f"{namespace}:{item.namespace}".strip(":") if item.namespace else namespace
            yield from patterns(item, inner)
        elif item.name:
            yield (f"{namespace}:{item.name}" if namespace else item.name), item


def argument_names(pattern: URLPattern) -> list[str]:
    return list(pattern.pattern.regex.groupindex)


ALL = sorted(patterns())


@pytest.fixture
def other_org_world(site_b: Site, org_b: Any, make_user: Callable[..., Any]) -> dict[str, Any]:
    """Objects that belong to org_b only."""
    server = Server.objects.create(hostname="srv.disdik.go.id")
    site_b.server = server
    site_b.save()
    third_party = ThirdParty.objects.create(name="ISP Disdik", kind="isp")
    site_b.third_parties.add(third_party)
    entry = ScheduleEntry.objects.create(job="jobs.prune_history", site=site_b, interval=timedelta(hours=1),
                                         next_due_at=timezone.now())
    run = JobRun.objects.create(entry=entry, slot=timezone.now())
    event = record("inventory.created", actor=SystemJob("test"), site=site_b, target=site_b, kind="site")
    channel = Channel.objects.create(name="Kanal Disdik", kind="webhook", config={"url": "https://disdik.example/hook"})
    message = Message.objects.create(title="Portal Disdik tidak dapat diakses", body="x", site=site_b,
                                     organisation=org_b)
    delivery = Delivery.objects.create(message=message, channel=channel)
    other_user = make_user(RoleKind.OPERATOR, username="operator-disdik", organisation=org_b)
    backup_target = BackupTarget.objects.create(name="Cakram Disdik", path="/srv/backup-disdik")
    backup_plan = BackupPlan.objects.create(site=site_b, target=backup_target)
    backup_run = BackupRun.objects.create(site=site_b, operation=Operation.BACKUP, state=RunState.SUCCEEDED)
    backup_snapshot = Snapshot.objects.create(site=site_b, target=backup_target, snapshot_id="ab" * 32,
                                              taken_at=timezone.now())
    monitor_check = Check.objects.create(site=site_b, kind=CheckKind.DNS, status=Status.DOWN, message="NXDOMAIN")
    monitor_incident = Incident.objects.create(site=site_b, check_ref=monitor_check, opened_at=timezone.now(),
                                               cause="Portal Disdik tidak dapat diakses")
    monitor_result = Result.objects.create(check_ref=monitor_check, at=timezone.now(), status=Status.DOWN)
    monitor_window = MaintenanceWindow.objects.create(organisation=org_b, starts_at=timezone.now(),
                                                      ends_at=timezone.now() + timedelta(hours=1), reason="Disdik")
    guard_run = GuardRun.objects.create(site=site_b, verdict=Verdict.JUDOL, severity=Severity.CRITICAL)
    guard_finding = Finding.objects.create(run=guard_run, site=site_b, source=Source.PAGE, location=site_b.url,
                                           verdict=Verdict.JUDOL, severity=Severity.CRITICAL)
    renewal_service = Service.objects.create(organisation=org_b, site=site_b, kind="hosting", name="Hosting Disdik",
                                             period_end=timezone.localdate())
    renewal = Renewal.objects.create(service=renewal_service, period_start=timezone.localdate(),
                                     period_end=timezone.localdate() + timedelta(days=365), invoice="renewals/x.pdf")
    logwatch_incident = LogIncident.objects.create(site=site_b, ip="45.13.7.7", severity=Severity.HIGH,
                                                   first_seen=timezone.now(), last_seen=timezone.now())
    logwatch_finding = LogFinding.objects.create(site=site_b, incident=logwatch_incident, time=timezone.now(),
                                                 ip="45.13.7.7", category="sqli", rule="union-select",
                                                 severity=Severity.HIGH, file="/var/log/access.log", line=1)
    logwatch_day = DailyVisitors.objects.create(site=site_b, date=timezone.localdate(), requests=10, visitors=2)
    report = Report.objects.create(kind=ReportKind.MONTHLY, title="Laporan Disdik", organisation=org_b,
                                   period_start=timezone.now(), period_end=timezone.now(), prepared_by_label="Disdik")
    report_schedule = ReportSchedule.objects.create(name="Laporan Disdik", kind=ReportKind.MONTHLY, organisation=org_b)
    report_task = issue_for.enqueue(other_user.pk, ReportKind.SITUATION, org_b.pk, "id", None, None, "")
    sop = sop_objects(site_b, third_party)
    return {
        **sop,
        "logwatch_incident": logwatch_incident, "logwatch_finding": logwatch_finding, "logwatch_day": logwatch_day,
        "renewal_service": renewal_service, "renewal": renewal,
        "report": report, "report_file": SimpleNamespace(pk=report.pk, fmt="pdf"), "report_schedule": report_schedule,
        "report_task": SimpleNamespace(task_id=str(report_task.id)),
        "guard_run": guard_run, "guard_finding": guard_finding,
        "guard_image": SimpleNamespace(path=f"{site_b.slug}/baseline.png"),
        "monitor_check": monitor_check, "monitor_incident": monitor_incident, "monitor_result": monitor_result,
        "monitor_window": monitor_window,
        "backup_target": backup_target, "backup_plan": backup_plan, "backup_run": backup_run,
        "backup_snapshot": backup_snapshot,
        "site": site_b, "organisation": org_b, "server": server, "thirdparty": third_party, "entry": entry,
        "run": run, "event": event, "channel": channel, "message": message, "delivery": delivery,
        "user": other_user, "role": Role.objects.get(kind=RoleKind.OPERATOR),
    }


# URL name -> which object of the other organisation its arguments point at.
OBJECT_ARGUMENTS: dict[str, str] = {
    "inventory:site_detail": "site", "inventory:site_update": "site", "inventory:site_delete": "site",
    "inventory:organisation_detail": "organisation", "inventory:organisation_update": "organisation",
    "inventory:organisation_delete": "organisation",
    "inventory:server_detail": "server", "inventory:server_update": "server", "inventory:server_delete": "server",
    "inventory:thirdparty_detail": "thirdparty", "inventory:thirdparty_update": "thirdparty",
    "inventory:thirdparty_delete": "thirdparty",
    "jobs:run_detail": "run", "jobs:entry_detail": "entry", "jobs:entry_run": "entry",
    "notify:channel_detail": "channel", "notify:channel_update": "channel", "notify:channel_delete": "channel",
    "notify:channel_test": "channel", "notify:message_detail": "message",
    "people:user_detail": "user", "people:user_update": "user", "people:role_update": "role",
    "inventory-site-detail": "site", "inventory-organisation-detail": "organisation",
    "inventory-server-detail": "server", "inventory-thirdparty-detail": "thirdparty",
    "event-detail": "event", "jobrun-detail": "run", "scheduleentry-detail": "entry", "scheduleentry-run": "entry",
    "notify-channel-detail": "channel", "notify-channel-test": "channel", "notify-delivery-detail": "delivery",
    "backup:site": "site", "backup:site_runs": "site", "backup:plan_edit": "site", "backup:run_now": "site",
    "backup:verify_now": "site", "backup:restore": "site", "backup:restore_database": "site",
    "backup:pending": "site", "backup:snapshot_trust": "backup_snapshot", "backup:run_detail": "backup_run",
    "backup:target_detail": "backup_target", "backup:target_update": "backup_target",
    "backup:target_delete": "backup_target",
    "backup-target-detail": "backup_target", "backup-plan-detail": "backup_plan", "backup-run-detail": "backup_run",
    "backup-snapshot-detail": "backup_snapshot", "backup-snapshot-trust": "backup_snapshot",
    "backup-site-run": "site", "backup-site-verify": "site",
    "monitor:check_detail": "monitor_check", "monitor:check_update": "monitor_check",
    "monitor:check_delete": "monitor_check", "monitor:check_run": "monitor_check",
    "monitor:check_baseline": "monitor_check", "monitor:check_create": "site", "monitor:profile_edit": "site",
    "monitor:incident_detail": "monitor_incident", "monitor:incident_acknowledge": "monitor_incident",
    "monitor:window_update": "monitor_window", "monitor:window_delete": "monitor_window",
    "monitor:status_page_edit": "organisation",
    "monitor-check-detail": "monitor_check", "monitor-check-run": "monitor_check",
    "monitor-check-accept-baseline": "monitor_check", "monitor-result-detail": "monitor_result",
    "monitor-incident-detail": "monitor_incident", "monitor-incident-acknowledge": "monitor_incident",
    "monitor-window-detail": "monitor_window",
    "demo:site_stop": "site", "demo:site_start": "site", "demo:site_attack": "site",
    "guard:site": "site", "guard:site_runs": "site", "guard:profile_edit": "site", "guard:known_good": "site",
    "guard:check_now": "site", "guard:restore_now": "site", "guard:pending": "site",
    "guard:run_detail": "guard_run", "guard:run_progress": "guard_run",
    "guard:finding_detail": "guard_finding", "guard:finding_approve": "guard_finding", "guard:image": "guard_image",
    "guard-profile-detail": "site", "guard-run-detail": "guard_run", "guard-finding-detail": "guard_finding",
    "guard-finding-approve": "guard_finding",
    "logwatch:site": "site", "logwatch:site_csv": "site", "logwatch:ingest_now": "site",
    "logwatch:incident_detail": "logwatch_incident", "logwatch:incident_close": "logwatch_incident",
    "logwatch-daily-detail": "logwatch_day", "logwatch-finding-detail": "logwatch_finding",
    "logwatch-incident-detail": "logwatch_incident", "logwatch-incident-close": "logwatch_incident",
    "renewals:service_detail": "renewal_service", "renewals:service_update": "renewal_service",
    "renewals:service_delete": "renewal_service", "renewals:renew": "renewal_service",
    "renewals:refresh": "renewal_service", "renewals:invoice": "renewal",
    "renewal-service-detail": "renewal_service", "renewal-service-refresh": "renewal_service",
    "renewal-detail": "renewal", "renewal-invoice": "renewal",
    "reports:report_detail": "report", "reports:acknowledge": "report", "reports:download": "report_file",
    "reports:schedule_update": "report_schedule", "reports:schedule_delete": "report_schedule",
    "report-detail": "report", "report-acknowledge": "report", "report-download": "report_file",
    "report-task": "report_task",
    "sop:run_detail": "sop_run", "sop:run_cancel": "sop_run", "sop:step_complete": "sop_step",
    "sop:step_pause": "sop_step", "sop:step_resume": "sop_step", "sop:step_assign": "sop_step",
    "sop:step_automate": "sop_step", "sop:evidence_add": "sop_step", "sop:involvement_add": "sop_step",
    "sop:involvement_answer": "sop_involvement", "sop:evidence_download": "sop_evidence",
    "sop:case_detail": "sop_case", "sop:case_update": "sop_case", "sop:request_detail": "sop_request",
    "sop:request_step": "sop_request", "sop:request_letter": "sop_request", "sop:request_kak": "sop_request",
    "sop:hours_update": "sop_hours", "sop:dayoff_delete": "sop_day",
    "sop-run-detail": "sop_run", "sop-step-detail": "sop_step", "sop-step-complete": "sop_step",
    "sop-step-decide": "sop_step", "sop-step-pause": "sop_step", "sop-step-resume": "sop_step",
    "sop-step-assign": "sop_step", "sop-case-detail": "sop_case", "sop-complaint-detail": "sop_complaint",
    "sop-request-detail": "sop_request",
}


def url_for(name: str, pattern: URLPattern, world: dict[str, Any] | None) -> str:
    names = argument_names(pattern)
    if not names:
        return reverse(name)
    if world is None:
        return reverse(name, kwargs={n: "1" if n == "pk" else "x" for n in names})
    assert name in OBJECT_ARGUMENTS, f"{name}: add it to OBJECT_ARGUMENTS so its scoping is tested"
    obj = world[OBJECT_ARGUMENTS[name]]
    return reverse(name, kwargs={n: getattr(obj, n if n != "pk" else "pk") for n in names})


def is_api(name: str, url: str) -> bool:
    return url.startswith("/api/")


PROTECTED = [(name, pattern) for name, pattern in ALL if name not in PUBLIC]


@pytest.mark.django_db
@pytest.mark.parametrize("name,pattern", PROTECTED, ids=[name for name, _ in PROTECTED])
def test_anonymous_is_refused(client, name, pattern):
    url = url_for(name, pattern, None)
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if is_api(name, url):
            assert response.status_code in (401, 403), f"{method.upper()} {url} -> {response.status_code}"
        else:
            assert response.status_code == 302, f"{method.upper()} {url} -> {response.status_code}"
            assert response["Location"].startswith(reverse("login")), response["Location"]


@pytest.mark.django_db
def test_public_pages_answer_anonymous(client):
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("health")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [RoleKind.ORG_MEMBER, RoleKind.OPERATOR])
def test_outsider_cannot_see_or_change_other_organisation(kind, make_user, client_for, org_a, site_a, other_org_world):
    user = make_user(kind, organisation=org_a, username=f"outsider-{kind}")
    client = client_for(user)
    site_b = other_org_world["site"]
    for name, pattern in ALL:
        if name in PUBLIC:
            continue
        url = url_for(name, pattern, other_org_world)
        if argument_names(pattern):
            response = client.get(url)
            assert response.status_code in (403, 404, 405), f"GET {url} ({name}) -> {response.status_code}"
            for method in ("post", "put", "patch", "delete"):
                response = getattr(client, method)(url, content_type="application/json", data={})
                assert response.status_code in (403, 404, 405), f"{method} {url} ({name}) -> {response.status_code}"
        else:
            response = client.get(url)
            if response.status_code == 200 and not response.get("Content-Type", "").startswith("application/x-"):
                body = b"".join(response.streaming_content) if response.streaming else response.content
                assert site_b.name.encode() not in body, f"{url} ({name}) shows {site_b.name}"
                assert b"srv.disdik.go.id" not in body, f"{url} ({name}) shows the other organisation's server"
    site_b.refresh_from_db()
    assert site_b.name == "Portal Disdik" and Site.objects.filter(pk=site_b.pk).exists()
