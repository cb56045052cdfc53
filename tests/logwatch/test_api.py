"""The visitor activity API: scoped lists and filters of daily figures, findings and incidents; closing an
incident; the blocklist as a file."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from jagaweb.logwatch.models import DailyVisitors, Incident, IncidentState, LogFinding
from jagaweb.people.choices import RoleKind

pytestmark = pytest.mark.django_db
SEEN = datetime(2026, 11, 13, 3, 0, tzinfo=UTC)


@pytest.fixture
def world(site_a, site_b):
    for site, base in ((site_a, 100), (site_b, 200)):
        for offset in range(3):
            DailyVisitors.objects.create(site=site, date=date(2026, 11, 10 + offset), requests=base + offset,
                                         visitors=offset + 1)
    sqli = Incident.objects.create(site=site_a, ip="45.13.7.7", severity="high", first_seen=SEEN, last_seen=SEEN,
                                   finding_count=2, categories={"sqli": 2})
    probe = Incident.objects.create(site=site_a, ip="45.13.7.8", severity="low", first_seen=SEEN, last_seen=SEEN,
                                    finding_count=1, categories={"probing": 1}, state=IncidentState.CLOSED)
    other = Incident.objects.create(site=site_b, ip="103.1.1.1", severity="critical", first_seen=SEEN, last_seen=SEEN,
                                    finding_count=1, categories={"sqli": 1})
    for incident, category, severity in ((sqli, "sqli", "high"), (sqli, "sqli", "medium"),
                                         (probe, "probing", "low"), (other, "sqli", "critical")):
        LogFinding.objects.create(site=incident.site, incident=incident, time=SEEN, ip=incident.ip, category=category,
                                  rule="r", severity=severity, request="GET /x HTTP/1.1", file="/log", line=1)
    return {"sqli": sqli, "probe": probe, "other": other}


@pytest.fixture
def member(make_user, org_a, client_for):
    return client_for(make_user(RoleKind.ORG_MEMBER, organisation=org_a))


def results(client, name, query=""):
    response = client.get(reverse(name) + query)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_daily_figures_scoped_and_filtered(world, member, site_a, site_b):
    rows = results(member, "logwatch-daily-list")
    assert {row["site"] for row in rows} == {"kominfo"} and len(rows) == 3
    rows = results(member, "logwatch-daily-list", "?date_after=2026-11-11&date_before=2026-11-11")
    assert [(row["date"], row["requests"], row["visitors"]) for row in rows] == [("2026-11-11", 101, 2)]
    assert member.get(reverse("logwatch-daily-list") + "?site=disdik").status_code == 400  # not a choice for them
    theirs = DailyVisitors.objects.filter(site=site_b).first()
    assert member.get(reverse("logwatch-daily-detail", args=[theirs.pk])).status_code == 404
    assert len(rows[0]["hours"]) == 24


def test_findings_filters(world, member):
    assert len(results(member, "logwatch-finding-list")) == 3
    assert {row["severity"] for row in results(member, "logwatch-finding-list", "?severity=medium")} == {
        "high", "medium"}
    assert len(results(member, "logwatch-finding-list", "?category=probing")) == 1
    assert len(results(member, "logwatch-finding-list", f"?incident={world['sqli'].pk}")) == 2
    assert results(member, "logwatch-finding-list", "?ip=103.1.1.1") == []
    assert results(member, "logwatch-finding-list", "?since=2026-11-14T00:00:00Z") == []


def test_incidents_filters(world, member):
    assert {row["ip"] for row in results(member, "logwatch-incident-list")} == {"45.13.7.7", "45.13.7.8"}
    assert [row["ip"] for row in results(member, "logwatch-incident-list", "?state=open")] == ["45.13.7.7"]
    assert [row["ip"] for row in results(member, "logwatch-incident-list", "?category=probing")] == ["45.13.7.8"]
    assert [row["ip"] for row in results(member, "logwatch-incident-list", "?severity=medium")] == ["45.13.7.7"]
    row = results(member, "logwatch-incident-list", "?ip=45.13.7.7")[0]
    assert row["categories"] == {"sqli": 2} and row["site"] == "kominfo"
    assert member.get(reverse("logwatch-incident-detail", args=[world["other"].pk])).status_code == 404


def test_closing_an_incident(world, member, operator_client):
    url = reverse("logwatch-incident-close", args=[world["sqli"].pk])
    assert member.post(url).status_code == 403
    response = operator_client.post(url)
    assert response.status_code == 200 and response.json()["state"] == "closed"
    assert operator_client.post(url).status_code == 400  # already closed


def test_blocklist_file(world, operator_client, member):
    url = reverse("logwatch-incident-blocklist")
    assert member.get(url).status_code == 403
    response = operator_client.get(url + "?kind=ipset&min_severity=high")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "ipset -exist add jagaweb-block 45.13.7.7" in text and "103.1.1.1" in text and "45.13.7.8" not in text
    mine = operator_client.get(url + "?kind=plain&site=kominfo&state=open").content.decode()
    assert mine == "45.13.7.7\n"
    world["other"].last_seen = datetime.now(UTC) - timedelta(hours=2)
    world["other"].save()
    assert operator_client.get(url + "?kind=plain&within=1d").content.decode() == "103.1.1.1\n"
    assert operator_client.get(url + "?kind=pf").status_code == 400
    assert operator_client.get(url + "?within=soon").status_code == 400


def test_schema_has_the_endpoints_without_warnings(settings):
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.plumbing import _load_enum_name_overrides
    from drf_spectacular.settings import patched_settings

    overrides = settings.SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {})
    GENERATOR_STATS.reset()
    _load_enum_name_overrides.cache_clear()
    try:
        with patched_settings({"ENUM_NAME_OVERRIDES": overrides}):
            generator = SchemaGenerator(patterns=[path("api/", include("jagaweb.logwatch.api"))])
            schema = generator.get_schema(request=None, public=True)
    finally:
        _load_enum_name_overrides.cache_clear()
    assert not GENERATOR_STATS, (dict(GENERATOR_STATS._warn_cache), dict(GENERATOR_STATS._error_cache))
    assert {"/api/logwatch/daily/", "/api/logwatch/findings/", "/api/logwatch/incidents/{id}/close/",
            "/api/logwatch/incidents/blocklist/"} <= set(schema["paths"])
    parameters = {item["name"] for item in schema["paths"]["/api/logwatch/incidents/blocklist/"]["get"]["parameters"]}
    assert {"kind", "min_severity", "within", "site", "state"} <= parameters
