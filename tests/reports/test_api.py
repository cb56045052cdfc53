"""The reports API: the archive scoped like the pages, asking for a report (queued, 202) and following it to the
report, downloads with a token, the acknowledgement chain with clear refusals, and the schema."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import include, path
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jagaweb.activity.log import SystemJob
from jagaweb.activity.models import Event
from jagaweb.inventory.models import Organisation
from jagaweb.people.choices import RoleKind
from jagaweb.reports import verbs
from jagaweb.reports.choices import ReportKind, ReportState
from jagaweb.reports.issue import issue_report
from jagaweb.reports.models import Report
from tests.reports.test_views import archived, run_worker

pytestmark = pytest.mark.django_db
REPORTS = "/api/reports/"


def api_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=user.pk))
    return client


@pytest.fixture
def users(make_user: Any, org_a: Organisation) -> dict[str, Any]:
    return {
        "operator": make_user(RoleKind.OPERATOR, username="admin-web"),
        "operator_a": make_user(RoleKind.OPERATOR, organisation=org_a, username="admin-kominfo"),
        "supervisor": make_user(RoleKind.SUPERVISOR, username="kasubbag"),
        "executive": make_user(RoleKind.EXECUTIVE, username="sekretaris"),
        "member_a": make_user(RoleKind.ORG_MEMBER, organisation=org_a, username="staf-kominfo"),
    }


def test_the_archive_is_scoped_and_filtered(users, org_a, org_b):
    own = archived(organisation=org_a)
    other = archived(organisation=org_b, kind=ReportKind.SITUATION)
    everyone = archived(month=date(2026, 9, 1))
    listed = api_for(users["operator"]).get(REPORTS).json()
    assert [row["id"] for row in listed["results"]] == [everyone.pk, other.pk, own.pk]  # newest first
    member = api_for(users["member_a"])
    rows = member.get(REPORTS).json()["results"]
    assert [row["id"] for row in rows] == [own.pk]
    row = rows[0]
    assert (row["organisation"], row["number"], row["state"], row["next_reader"], row["may_acknowledge"]) == (
        "diskominfo", own.number, ReportState.ISSUED, RoleKind.SUPERVISOR, False)
    assert member.get(f"{REPORTS}{other.pk}/").status_code == 404
    assert member.get(f"{REPORTS}{everyone.pk}/").status_code == 404
    situation = api_for(users["operator"]).get(REPORTS, {"kind": ReportKind.SITUATION}).json()["results"]
    assert [row["id"] for row in situation] == [other.pk]
    assert api_for(users["supervisor"]).delete(f"{REPORTS}{own.pk}/").status_code == 405  # the archive keeps it


def test_a_report_asked_for_is_queued_and_followed_to_its_files(tiny_report, users, org_a, site_a, site_b,
                                                               monkeypatch):
    operator = api_for(users["operator_a"])
    answer = operator.post(REPORTS, {"kind": "monthly", "organisation": "diskominfo", "month": "2026-10",
                                     "language": "en"}, format="json")
    assert answer.status_code == 202, answer.content
    task = DBTaskResult.objects.get()
    assert str(task.id) == answer.json()["task_id"]
    assert task.args_kwargs["args"] == [users["operator_a"].pk, "monthly", org_a.pk, "en", "2026-10-01", None, ""]
    follow = answer.json()["follow"]
    assert follow == f"{REPORTS}tasks/{task.id}/"
    assert operator.get(follow).json() == {"task_id": str(task.id), "state": "queued", "report": None}
    assert api_for(users["operator"]).get(follow).status_code == 404  # another person's task
    assert operator.get(f"{REPORTS}tasks/{uuid.uuid4()}/").status_code == 404

    run_worker(monkeypatch)

    followed = operator.get(follow).json()
    report = Report.objects.get()
    assert followed["state"] == "done" and followed["report"]["id"] == report.pk
    assert followed["report"]["title"] == "Monthly website maintenance report, October 2026"
    assert followed["report"]["figures"] == {"sites": {"sites": 1}}
    downloads = followed["report"]["downloads"]
    assert downloads == {fmt: f"{REPORTS}{report.pk}/download/{fmt}/" for fmt in ("pdf", "html", "xlsx", "csv")}
    token = Token.objects.create(user=users["member_a"])
    pdf = APIClient().get(downloads["pdf"], HTTP_AUTHORIZATION=f"Token {token.key}")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    xlsx = APIClient().get(downloads["xlsx"], HTTP_AUTHORIZATION=f"Token {token.key}")
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert Event.objects.filter(verb=verbs.DOWNLOADED, actor=users["member_a"]).count() == 2
    assert operator.get(f"{REPORTS}{report.pk}/download/docx/").status_code == 404


def test_asking_for_a_report_is_refused_as_on_the_page(users, org_a, org_b):
    assert api_for(users["member_a"]).post(REPORTS, {"kind": "situation"}, format="json").status_code == 403
    limited = api_for(users["operator_a"])
    today = timezone.localdate()
    next_month = (today.replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
    cases = [
        ({"kind": "situation"}, "organisation", "a report about every organisation is only for staff"),
        ({"kind": "situation", "organisation": "disdik"}, "organisation", "does not exist"),
        ({"kind": "monthly", "organisation": "diskominfo"}, "month", "Choose the month of the monthly report."),
        ({"kind": "monthly", "organisation": "diskominfo", "month": next_month}, "month", "has not begun yet"),
        ({"kind": "daily_log", "organisation": "diskominfo", "day": f"{today + timedelta(days=1):%Y-%m-%d}"},
         "day", "That day has not come yet."),
        ({"kind": "quarterly", "organisation": "diskominfo"}, "kind", "is not a valid choice"),
    ]
    for data, field, message in cases:
        response = limited.post(REPORTS, data, format="json")
        assert response.status_code == 400 and message in " ".join(response.json()[field]), (data, response.json())
    assert not DBTaskResult.objects.exists()
    everyone = api_for(users["operator"]).post(REPORTS, {"kind": "situation"}, format="json")
    assert everyone.status_code == 202 and DBTaskResult.objects.get().args_kwargs["args"][2] is None


def test_the_acknowledgement_chain_refuses_the_wrong_role_clearly(tiny_report, users, org_a, site_a):
    report = issue_report(ReportKind.SITUATION, actor=SystemJob("test"), organisation=org_a)
    url = f"{REPORTS}{report.pk}/acknowledge/"
    early = api_for(users["executive"]).post(url, {"note": "Dibaca."}, format="json")
    assert early.status_code == 403 and early.json()["detail"] == (
        "This report is waiting for the acknowledgement of the Kepala Sub Bagian; you do not hold that role.")
    member = api_for(users["member_a"]).post(url, {}, format="json")
    assert member.status_code == 403 and member.json()["detail"] == "You may not acknowledge reports."

    first = api_for(users["supervisor"]).post(url, {"note": "Sudah diperiksa."}, format="json")
    assert first.status_code == 200 and first.json()["state"] == ReportState.SUPERVISOR
    assert first.json()["acknowledgements"][0]["user"] == "kasubbag"
    assert first.json()["acknowledgements"][0]["note"] == "Sudah diperiksa."
    assert api_for(users["supervisor"]).post(url, {}, format="json").status_code == 403
    assert api_for(users["executive"]).get(f"{REPORTS}{report.pk}/").json()["may_acknowledge"] is True

    second = api_for(users["executive"]).post(url, {}, format="json")
    assert second.status_code == 200 and second.json()["state"] == ReportState.EXECUTIVE
    assert [ack["state"] for ack in second.json()["acknowledgements"]] == [ReportState.SUPERVISOR,
                                                                           ReportState.EXECUTIVE]
    again = api_for(users["executive"]).post(url, {}, format="json")
    assert again.status_code == 409 and "acknowledged this report already" in again.json()["detail"]
    outsider = api_for(users["operator_a"])
    theirs = archived(kind=ReportKind.MONTHLY)
    assert outsider.post(f"{REPORTS}{theirs.pk}/acknowledge/", {}, format="json").status_code == 404
    report.refresh_from_db()
    assert report.state == ReportState.EXECUTIVE


def test_schema_for_the_reports_api_generates_without_warnings():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=[path("api/", include("jagaweb.reports.api"))]).get_schema(
        request=None, public=True)
    warnings = {**GENERATOR_STATS._warn_cache, **GENERATOR_STATS._error_cache}
    assert not warnings, warnings
    assert {"/api/reports/", "/api/reports/{id}/", "/api/reports/{id}/acknowledge/",
            "/api/reports/{id}/download/{fmt}/", "/api/reports/tasks/{task_id}/"} <= set(schema["paths"])
    params = {p["name"] for p in schema["paths"]["/api/reports/"]["get"]["parameters"]}
    assert {"kind", "organisation", "state", "since", "until"} <= params
