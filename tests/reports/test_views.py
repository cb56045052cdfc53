"""The reports pages: the archive scoped and filtered, asking for a report and following it through the worker,
the files with their content types, the acknowledgement chain, and report schedules."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jagaweb.activity.log import SystemJob
from jagaweb.activity.models import Event
from jagaweb.inventory.models import Organisation
from jagaweb.notify.models import Channel
from jagaweb.people.choices import RoleKind
from jagaweb.reports import verbs
from jagaweb.reports.choices import Cadence, ReportKind, ReportState
from jagaweb.reports.forms import last_month
from jagaweb.reports.issue import issue_report
from jagaweb.reports.models import Acknowledgement, Report, ReportSchedule
from jagaweb.reports.periods import month_bounds

pytestmark = pytest.mark.django_db
OCTOBER = date(2026, 10, 1)
CONTENT_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "application/zip"}
MAGIC = {"pdf": b"%PDF-", "html": b"<!DOCTYPE html>", "xlsx": b"PK", "csv": b"PK"}


def run_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every queued task in this process, as `jagaweb worker` would."""
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.management.commands.db_worker import Worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False, max_tasks=None,
           worker_id="test-worker", excluded_queue_names=[]).run()


def archived(kind: str = ReportKind.MONTHLY, organisation: Organisation | None = None, month: date = OCTOBER,
             state: str = ReportState.ISSUED, **fields: Any) -> Report:
    """A report row as the archive keeps it, without drawing its files (for pages that only list and chain)."""
    start, end = month_bounds(month.year, month.month)
    fields.setdefault("title", f"Laporan {kind} {month:%Y-%m} {organisation.code if organisation else 'semua'}")
    report = Report.objects.create(kind=kind, organisation=organisation, period_start=start, period_end=end,
                                   prepared_by_label="Admin Website", state=state, **fields)
    report.number = f"LPB/{report.pk:05}/{month:%m/%Y}"
    report.save(update_fields=["number"])
    return report


@pytest.fixture
def people(make_user: Any, client_for: Any, org_a: Organisation) -> dict[str, Any]:
    users = {
        "operator": make_user(RoleKind.OPERATOR, username="admin-web"),
        "operator_a": make_user(RoleKind.OPERATOR, organisation=org_a, username="admin-kominfo"),
        "supervisor": make_user(RoleKind.SUPERVISOR, username="kasubbag"),
        "supervisor_a": make_user(RoleKind.SUPERVISOR, organisation=org_a, username="kasubbag-kominfo"),
        "executive": make_user(RoleKind.EXECUTIVE, username="sekretaris"),
        "member_a": make_user(RoleKind.ORG_MEMBER, organisation=org_a, username="staf-kominfo"),
    }
    return {name: (user, client_for(user)) for name, user in users.items()}


def client(people: dict[str, Any], name: str) -> Any:
    return people[name][1]


def listed_numbers(response: Any) -> set[str]:
    return set(re.findall(r'id="report-(\d+)"', response.content.decode()))


def test_archive_is_scoped_to_the_readers_organisations_and_filtered(people, org_a, org_b):
    own = archived(organisation=org_a)
    other = archived(organisation=org_b, kind=ReportKind.SITUATION, state=ReportState.EXECUTIVE)
    everyone = archived(month=date(2026, 9, 1), state=ReportState.FAILED, error="collect: the data source is gone")
    url = reverse("reports:report_list")

    assert listed_numbers(client(people, "operator").get(url)) == {str(own.pk), str(other.pk), str(everyone.pk)}
    member = client(people, "member_a")
    page = member.get(url)
    assert listed_numbers(page) == {str(own.pk)} and b"Dinas Pendidikan</td>" not in page.content
    assert member.get(reverse("reports:report_detail", args=[other.pk])).status_code == 404
    assert member.get(reverse("reports:report_detail", args=[everyone.pk])).status_code == 404
    assert member.get(reverse("reports:report_detail", args=[own.pk])).status_code == 200

    operator = client(people, "operator")
    assert listed_numbers(operator.get(url, {"kind": ReportKind.SITUATION})) == {str(other.pk)}
    assert listed_numbers(operator.get(url, {"organisation": org_a.pk})) == {str(own.pk)}
    assert listed_numbers(operator.get(url, {"state": ReportState.FAILED})) == {str(everyone.pk)}
    assert listed_numbers(operator.get(url, {"since": "2026-10-01"})) == {str(own.pk), str(other.pk)}
    assert listed_numbers(operator.get(url, {"until": "2026-09-30"})) == {str(everyone.pk)}
    assert listed_numbers(operator.get(url, {"q": other.number})) == {str(other.pk)}
    partial = operator.get(url, {"state": ReportState.EXECUTIVE}, HTTP_HX_REQUEST="true")
    assert b"<h1>" not in partial.content and b"Acknowledged by the executive" in partial.content
    assert member.get(url, {"organisation": org_b.pk}).status_code == 200  # not one of theirs: refused, not shown
    assert listed_numbers(member.get(url, {"organisation": org_b.pk})) == set()


def test_files_download_with_their_content_types_and_each_download_is_logged(tiny_report, people, org_a, site_a):
    report = issue_report(ReportKind.MONTHLY, actor=SystemJob("test"), organisation=org_a, month=OCTOBER)
    assert report.state == ReportState.ISSUED, report.error
    member = client(people, "member_a")
    for fmt, content_type in CONTENT_TYPES.items():
        response = member.get(reverse("reports:download", args=[report.pk, fmt]))
        assert response.status_code == 200 and response["Content-Type"] == content_type
        extension = "zip" if fmt == "csv" else fmt
        assert response["Content-Disposition"] == (
            f'attachment; filename="LPB-{report.pk:05}-{timezone.localtime(report.issued_at):%m-%Y}.{extension}"')
        assert b"".join(response.streaming_content).startswith(MAGIC[fmt])
    downloads = Event.objects.filter(verb=verbs.DOWNLOADED, target_id=str(report.pk))
    assert sorted(event.data["format"] for event in downloads) == ["CSV", "HTML", "PDF", "XLSX"]
    assert {event.actor_id for event in downloads} == {people["member_a"][0].pk}

    inline = member.get(reverse("reports:download", args=[report.pk, "html"]), {"inline": "1"})
    assert inline["Content-Disposition"].startswith("inline") and inline["X-Frame-Options"] == "SAMEORIGIN"
    assert inline["Content-Security-Policy"].startswith("sandbox")
    assert downloads.count() == 4  # viewing the report in its page is not a download

    page = member.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert f'src="/reports/{report.pk}/html/?inline=1" sandbox' in page
    assert member.get(reverse("reports:download", args=[report.pk, "docx"])).status_code == 404
    outsider = client(people, "operator_a")
    theirs = issue_report(ReportKind.SITUATION, actor=SystemJob("test"))  # about every organisation
    assert outsider.get(reverse("reports:download", args=[theirs.pk, "pdf"])).status_code == 404


def test_the_new_report_form_offers_last_month_and_yesterday_and_refuses_what_cannot_be_reported(people, org_a,
                                                                                                 org_b):
    url = reverse("reports:report_create")
    assert client(people, "member_a").get(url).status_code == 403
    today = timezone.localdate()
    form = client(people, "operator").get(url).content.decode()
    assert f'type="month" name="month" value="{last_month(today):%Y-%m}"' in form
    assert f'type="date" name="day" value="{today - timedelta(days=1):%Y-%m-%d}"' in form
    assert "Every organisation" in form and "Dinas Pendidikan" in form

    limited = client(people, "operator_a")
    limited_form = limited.get(url).content.decode()
    assert "Every organisation" not in limited_form and "Dinas Pendidikan" not in limited_form
    next_month = (today.replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
    cases = [
        ({"kind": "monthly", "organisation": "", "month": "2026-10"},
         "a report about every organisation is only for staff who see every organisation"),
        ({"kind": "monthly", "organisation": org_b.pk, "month": "2026-10"}, "Select a valid choice."),
        ({"kind": "monthly", "organisation": org_a.pk, "month": next_month}, "That month has not begun yet."),
        ({"kind": "monthly", "organisation": org_a.pk, "month": ""}, "Choose the month of the monthly report."),
        ({"kind": "daily_log", "organisation": org_a.pk, "day": ""}, "Choose the day of the daily activity log."),
        ({"kind": "daily_log", "organisation": org_a.pk, "day": f"{today + timedelta(days=1):%Y-%m-%d}"},
         "That day has not come yet."),
        ({"kind": "weekly", "organisation": org_a.pk}, "Select a valid choice."),
    ]
    for data, message in cases:
        response = limited.post(url, {"language": "id", **data})
        assert response.status_code == 200 and message in response.content.decode(), (data, message)
    assert not DBTaskResult.objects.exists()


def test_a_report_asked_for_on_the_page_is_prepared_by_the_worker_and_shown_when_ready(
        tiny_report, people, org_a, site_a, site_b, monkeypatch):
    operator_user, operator = people["operator_a"]
    response = operator.post(reverse("reports:report_create"), {
        "kind": "monthly", "organisation": org_a.pk, "month": "2026-10", "day": "2026-10-05", "language": "en",
        "notes": "  Semua berjalan baik.  "})
    task = DBTaskResult.objects.get()
    assert task.task_path == "jagaweb.reports.tasks.issue_for"
    assert task.args_kwargs["args"] == [operator_user.pk, "monthly", org_a.pk, "en", "2026-10-01", None,
                                        "Semua berjalan baik."]
    pending = response["Location"]
    assert pending == f"{reverse('reports:pending')}?task={task.id}"
    waiting = operator.get(pending)
    assert waiting.status_code == 200 and b'hx-trigger="every 2s"' in waiting.content
    assert operator.get(pending, HTTP_HX_REQUEST="true").status_code == 204
    assert client(people, "operator").get(pending).status_code == 302  # someone else's task: nothing to follow

    run_worker(monkeypatch)

    report = Report.objects.get()
    assert report.state == ReportState.ISSUED and report.prepared_by == operator_user
    assert report.organisation == org_a and report.site_count == 1 and report.notes == "Semua berjalan baik."
    finished = operator.get(pending, HTTP_HX_REQUEST="true")
    assert finished["HX-Redirect"] == reverse("reports:report_detail", args=[report.pk])
    page = operator.get(finished["HX-Redirect"]).content.decode()
    assert "Monthly website maintenance report, October 2026" in page and "Download PDF" in page
    assert "Waiting for the acknowledgement of the Kepala Sub Bagian." in page
    assert operator.get(finished["HX-Redirect"], HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"


def test_a_report_being_prepared_refreshes_until_ready_and_a_failure_shows_its_error(people, org_a):
    rendering = archived(organisation=org_a, state=ReportState.RENDERING, progress_done=4, progress_total=11)
    failed = archived(organisation=org_a, state=ReportState.FAILED, error="collect: the data source is gone")
    operator = client(people, "operator")
    url = reverse("reports:report_detail", args=[rendering.pk])
    page = operator.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in page and "Download PDF" not in page
    assert '<progress value="4" max="11">' in page and "4 of 11 parts done" in page
    asked = operator.get(url, HTTP_HX_REQUEST="true")  # the poll redraws the progress bar only
    assert asked.status_code == 200 and "HX-Refresh" not in asked
    assert asked.content.decode().startswith('<section class="card" id="report-progress"')
    assert operator.get(reverse("reports:download", args=[rendering.pk, "pdf"])).status_code == 404
    failure = operator.get(reverse("reports:report_detail", args=[failed.pk])).content.decode()
    assert "collect: the data source is gone" in failure and "every 2s" not in failure


def acknowledge(people: dict[str, Any], name: str, report: Report, note: str = "") -> str:
    response = client(people, name).post(reverse("reports:acknowledge", args=[report.pk]), {"note": note},
                                         follow=True)
    return response.content.decode()


def test_the_supervisor_then_the_executive_acknowledge_on_the_page(people, org_a):
    report = archived(organisation=org_a)
    early = acknowledge(people, "executive", report)
    assert ("This report is waiting for the acknowledgement of the Kepala Sub Bagian; you do not hold that role."
            in early)
    assert client(people, "operator").post(reverse("reports:acknowledge", args=[report.pk])).status_code == 403
    page = client(people, "supervisor").get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert f'action="/reports/{report.pk}/acknowledge/"' in page

    done = acknowledge(people, "supervisor_a", report, "Sudah diperiksa.")
    assert "You acknowledged the report as the Kepala Sub Bagian." in done
    report.refresh_from_db()
    assert report.state == ReportState.SUPERVISOR
    assert "Waiting for the acknowledgement of the Kepala Bagian / Sekretaris." in done
    assert "Sudah diperiksa." in done
    assert "you do not hold that role" in acknowledge(people, "supervisor", report)

    assert "You acknowledged the report as the Kepala Bagian / Sekretaris." in acknowledge(people, "executive", report)
    report.refresh_from_db()
    assert report.state == ReportState.EXECUTIVE
    assert list(Acknowledgement.objects.filter(report=report).values_list("user__username", "state")) == [
        ("kasubbag-kominfo", ReportState.SUPERVISOR), ("sekretaris", ReportState.EXECUTIVE)]
    assert "Everyone in the chain has acknowledged this report already." in acknowledge(people, "executive", report)
    assert Event.objects.filter(verb=verbs.ACKNOWLEDGED, target_id=str(report.pk)).count() == 2


def schedule_form(**fields: Any) -> dict[str, Any]:
    return {"name": "Laporan bulanan Kominfo", "kind": "monthly", "cadence": "monthly", "hour": 7,
            "organisation": "", "language": "id", "enabled": "on", **fields}


def test_schedules_are_added_changed_and_removed_with_their_rules(people, org_a, org_b):
    channel = Channel.objects.create(name="Surel pimpinan", kind="email", config={"to": ["pimpinan@example.go.id"]})
    supervisor = client(people, "supervisor")
    assert client(people, "operator").post(reverse("reports:schedule_create"), schedule_form()).status_code == 403
    refused = [
        (schedule_form(cadence="daily"), "A monthly report is issued every month."),
        (schedule_form(kind="daily_log", cadence="weekly"), "A daily activity log is issued every day."),
        (schedule_form(hour=24), "An hour of the day: 0 to 23."),
        (schedule_form(name=""), "This field is required."),
    ]
    for data, message in refused:
        response = supervisor.post(reverse("reports:schedule_create"), data)
        assert response.status_code == 200 and message in response.content.decode(), message
    assert not ReportSchedule.objects.exists()

    created = supervisor.post(reverse("reports:schedule_create"),
                              schedule_form(organisation=org_a.pk, channels=[channel.pk]))
    assert created["Location"] == reverse("reports:schedule_list")
    schedule = ReportSchedule.objects.get()
    assert (schedule.kind, schedule.cadence, schedule.organisation, schedule.created_by) == (
        ReportKind.MONTHLY, Cadence.MONTHLY, org_a, people["supervisor"][0])
    assert list(schedule.channels.all()) == [channel]
    situation = supervisor.post(reverse("reports:schedule_update", args=[schedule.pk]),
                                schedule_form(name="Situasi mingguan", kind="situation", cadence="weekly", hour=8,
                                              organisation=org_a.pk))
    assert situation.status_code == 302
    schedule.refresh_from_db()
    assert (schedule.name, schedule.cadence, schedule.hour, schedule.channels.count()) == (
        "Situasi mingguan", Cadence.WEEKLY, 8, 0)
    listing = supervisor.get(reverse("reports:schedule_list")).content.decode()
    assert "Situasi mingguan" in listing and "Every week (Monday), 08:00" in listing

    everyone = ReportSchedule.objects.create(name="Laporan seluruh OPD", kind=ReportKind.MONTHLY)
    limited = client(people, "supervisor_a")
    assert "Every organisation" not in limited.get(reverse("reports:schedule_create")).content.decode()
    assert "Laporan seluruh OPD" not in limited.get(reverse("reports:schedule_list")).content.decode()
    assert limited.get(reverse("reports:schedule_update", args=[everyone.pk])).status_code == 404
    assert limited.post(reverse("reports:schedule_delete", args=[everyone.pk])).status_code == 404
    own_only = limited.post(reverse("reports:schedule_create"), schedule_form(name="Semua"))
    assert "a report about every organisation is only for staff" in own_only.content.decode()
    assert limited.post(reverse("reports:schedule_create"), schedule_form(organisation=org_b.pk)).status_code == 200

    assert b"will stop issuing" in supervisor.get(reverse("reports:schedule_delete", args=[schedule.pk])).content
    assert supervisor.post(reverse("reports:schedule_delete", args=[schedule.pk])).status_code == 302
    assert list(ReportSchedule.objects.all()) == [everyone]
    logged = Event.objects.filter(verb__in=[verbs.SCHEDULE_SAVED, verbs.SCHEDULE_DELETED]).order_by("pk")
    assert [(event.verb, event.data["schedule"]) for event in logged] == [
        (verbs.SCHEDULE_SAVED, "Laporan bulanan Kominfo"), (verbs.SCHEDULE_SAVED, "Situasi mingguan"),
        (verbs.SCHEDULE_DELETED, "Situasi mingguan")]


def test_editing_a_schedule_keeps_the_channels_the_editor_cannot_see(people, org_a, org_b):
    theirs = Channel.objects.create(name="Telegram Disdik", kind="webhook", config={"url": "https://disdik.example/"})
    theirs.organisations.add(org_b)
    ours = Channel.objects.create(name="Telegram Kominfo", kind="webhook", config={"url": "https://kominfo.example/"})
    ours.organisations.add(org_a)
    schedule = ReportSchedule.objects.create(name="Harian Kominfo", kind=ReportKind.DAILY_LOG, cadence=Cadence.DAILY,
                                             organisation=org_a)
    schedule.channels.add(theirs, ours)
    limited = client(people, "supervisor_a")
    form = limited.get(reverse("reports:schedule_update", args=[schedule.pk])).content.decode()
    assert "Telegram Kominfo" in form and "Telegram Disdik" not in form
    response = limited.post(reverse("reports:schedule_update", args=[schedule.pk]),
                            schedule_form(name="Harian Kominfo", kind="daily_log", cadence="daily",
                                          organisation=org_a.pk))
    assert response.status_code == 302
    assert set(schedule.channels.values_list("name", flat=True)) == {"Telegram Disdik"}


def test_the_reports_entry_is_in_the_navigation_for_readers(people):
    assert b'href="/reports/"' in client(people, "member_a").get(reverse("dashboard:index")).content
