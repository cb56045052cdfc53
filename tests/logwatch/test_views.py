"""The visitor activity pages: scope (another organisation's site is a 404), the day's log with its chart and
CSV export, the findings and incidents lists, closing an incident, the blocklist download, read now."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jagaweb.inventory.models import Site
from jagaweb.logwatch.ingest import ingest_site
from jagaweb.logwatch.models import DailyVisitors, Incident, IncidentState
from jagaweb.logwatch.panels import load as load_panel
from jagaweb.logwatch.slots import visitors_today
from jagaweb.people.choices import RoleKind
from tests.logwatch.test_ingest_support import combined, logged_site, text, traffic

pytestmark = pytest.mark.django_db


def recent_start() -> datetime:
    """Half an hour ago, but never before today's local midnight: the traffic (a quarter of an hour) is
    today's, and recent enough that its incidents are still open."""
    now = timezone.localtime()
    midnight = now.replace(hour=0, minute=1, second=0, microsecond=0)
    return max(now - timedelta(minutes=30), midnight).replace(microsecond=0)


START = recent_start()
DAY = START.date().isoformat()


@pytest.fixture
def watched(org_a, org_b, tmp_path):
    """A site of each organisation, with logs read: visitors, findings, an incident each."""
    sites = []
    for organisation, slug, attacker in ((org_a, "kominfo-web", "45.13.7.7"), (org_b, "disdik-web", "103.99.1.1")):
        folder = tmp_path / slug
        folder.mkdir()
        lines = [*traffic(0, 120, START), combined(attacker, START + timedelta(minutes=1), "/.env", 200),
                 combined("36.80.1.1", START, "=1+2", 404)]
        (folder / "access.log").write_text(text(lines))
        site = logged_site(organisation, [folder / "access.log"], slug=slug)
        ingest_site(site)
        sites.append(site)
    return sites


@pytest.fixture
def member(make_user, org_a, client_for):
    return client_for(make_user(RoleKind.ORG_MEMBER, organisation=org_a))


def test_overview_shows_the_users_sites_only(watched, member):
    page = member.get(reverse("logwatch:index"))
    assert page.status_code == 200
    assert b"Portal kominfo-web" in page.content and b"Portal disdik-web" not in page.content


def test_day_page_with_figures_chart_and_top_lists(watched, member):
    mine, theirs = watched
    page = member.get(reverse("logwatch:site", args=[mine.slug]) + f"?date={DAY}")
    assert page.status_code == 200
    day = DailyVisitors.objects.get(site=mine, date=DAY)
    body = page.content.decode()
    assert "<svg" in body and "Requests per hour" in body and f"<strong>{day.visitors}</strong>" in body
    assert "/berita/banjir" in body and "Referring sites" in body and "www.google.com" in body
    assert member.get(reverse("logwatch:site", args=[theirs.slug])).status_code == 404
    empty = member.get(reverse("logwatch:site", args=[mine.slug]) + "?date=2020-01-01")
    assert b"Nothing was read from the logs for this day." in empty.content
    odd = member.get(reverse("logwatch:site", args=[mine.slug]) + "?date=kemarin")
    assert odd.status_code == 200 and b"errorlist" in odd.content  # and today is shown


def test_csv_export_of_the_day(watched, member):
    mine, theirs = watched
    response = member.get(reverse("logwatch:site_csv", args=[mine.slug]) + f"?date={DAY}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f"visitors-{mine.slug}-{DAY}.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    day = DailyVisitors.objects.get(site=mine, date=DAY)
    assert ["figures", "requests", str(day.requests)] in rows
    assert ["top_not_found", "'=1+2", "1"] in rows  # a formula stays text
    assert len([row for row in rows if row[0] == "hours"]) == 24
    assert member.get(reverse("logwatch:site_csv", args=[theirs.slug])).status_code == 404


def test_findings_list_filters(watched, member):
    page = member.get(reverse("logwatch:finding_list") + "?category=sensitive-file")
    body = page.content.decode()
    assert page.status_code == 200 and "45.13.7.7" in body and "103.99.1.1" not in body
    assert "/.env" in body
    none = member.get(reverse("logwatch:finding_list") + "?ip=36.80.1.2")
    assert b"No findings match." in none.content
    partial = member.get(reverse("logwatch:finding_list") + "?category=sensitive-file", HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b"45.13.7.7" in partial.content


def test_incident_pages_and_closing(watched, member, operator_client):
    mine = Incident.objects.get(site__slug="kominfo-web", ip="45.13.7.7")
    theirs = Incident.objects.get(site__slug="disdik-web", ip="103.99.1.1")
    listing = member.get(reverse("logwatch:incident_list") + "?state=open")
    assert b"45.13.7.7" in listing.content and b"103.99.1.1" not in listing.content
    detail = member.get(mine.get_absolute_url())
    assert detail.status_code == 200 and b"Timeline" in detail.content and b"/.env" in detail.content
    assert b"Close the incident" not in detail.content  # staff of the organisation only look
    assert member.get(theirs.get_absolute_url()).status_code == 404
    assert member.post(reverse("logwatch:incident_close", args=[mine.pk])).status_code == 403
    response = operator_client.post(reverse("logwatch:incident_close", args=[mine.pk]))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.state == IncidentState.CLOSED and mine.closed_by == "operator"


def test_blocklist_download(watched, member, operator_client):
    url = reverse("logwatch:blocklist")
    assert member.get(url).status_code == 403
    preview = operator_client.get(url + "?format=nginx&min_severity=medium&since=")
    assert preview.status_code == 200 and b"45.13.7.7" in preview.content
    response = operator_client.get(url + "?format=nginx&min_severity=medium&since=&download=1")
    assert response.status_code == 200 and "jagaweb-blocklist-nginx.conf" in response["Content-Disposition"]
    assert "deny 45.13.7.7;" in response.content.decode() and "deny 103.99.1.1;" in response.content.decode()
    kominfo = operator_client.get(url + "?format=plain&site=kominfo-web&min_severity=high&since=&download=1")
    assert kominfo.content.decode().split() == ["45.13.7.7"]
    bad = operator_client.get(url + "?format=plain&since=yesterday")
    assert b"Write a duration" in bad.content


def test_blocklist_of_an_outsider_lists_only_their_sites(watched, make_user, org_a, client_for):
    outsider = client_for(make_user(RoleKind.OPERATOR, organisation=org_a))
    response = outsider.get(reverse("logwatch:blocklist") + "?format=plain&min_severity=high&since=&download=1")
    assert response.content.decode().split() == ["45.13.7.7"]
    unknown = outsider.get(reverse("logwatch:blocklist") + "?format=plain&site=disdik-web&since=")
    assert b"Select a valid choice" in unknown.content


def test_read_now_queues_a_task(watched, operator_client, member):
    mine, _theirs = watched
    url = reverse("logwatch:ingest_now", args=[mine.slug])
    assert member.post(url).status_code == 403
    response = operator_client.post(url)
    assert response.status_code == 302
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("logwatch.tasks.ingest_now") and task.args_kwargs["args"][0] == mine.pk


def test_site_panel_and_dashboard_column(watched, member, operator):
    mine, theirs = watched
    today = DailyVisitors.objects.get(site=mine, date=DAY)
    request = RequestFactory().get("/")
    request.user = operator
    panel = render_to_string("logwatch/panel.html", {"panel_data": load_panel(mine), "site": mine}, request)
    assert f"{today.visitors}" in panel and reverse("logwatch:site", args=[mine.slug]) in panel
    cells = visitors_today([mine.pk, theirs.pk])
    assert cells[mine.pk].visitors == today.visitors and cells[mine.pk].incidents == 2
    assert cells[mine.pk].worst == Incident.objects.get(site=mine, ip="45.13.7.7").severity
    dashboard = member.get(reverse("dashboard:index"))
    assert b"Visitors today" in dashboard.content
    assert Site.objects.count() == 2
