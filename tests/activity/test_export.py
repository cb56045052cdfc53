from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from django.urls import reverse

from jagaweb.activity.log import SystemJob, record
from jagaweb.activity.models import Event
from jagaweb.activity.verbs import EXPORTED
from jagaweb.people import verbs
from jagaweb.people.choices import RoleKind

pytestmark = pytest.mark.django_db

EXPORT = reverse("activity:export")


def read_csv(response) -> tuple[bytes, list[list[str]]]:
    assert response.streaming
    raw = b"".join(response.streaming_content)
    return raw, list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_export_is_utf8_csv_with_bom_header_and_rows(operator_client, operator, event_at, site_a):
    event_at(datetime(2025, 3, 2, 8, 30), verb=verbs.LOGGED_IN, actor=operator, site=site_a)
    event_at(
        datetime(2025, 3, 2, 9, 0),
        verb="inventory.changed",
        job="monitor.http",
        site=site_a,
        severity="warning",
        target_label="Portal Kominfo",
        data={"kind": "site", "fields": "url"},
    )
    response = operator_client.get(EXPORT, {"date_from": "2025-03-02"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="jagaweb-activity-')
    raw, rows = read_csv(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert rows[0] == [
        "time",
        "actor",
        "job",
        "site",
        "organisation",
        "verb",
        "severity",
        "message",
        "target",
    ]
    assert rows[1][0] == "2025-03-02T09:00:00+07:00"
    assert rows[1][1:7] == [
        "",
        "monitor.http",
        "Portal Kominfo",
        "Dinas Komunikasi dan Informatika",
        "inventory.changed",
        "warning",
    ]
    assert "Portal Kominfo" in rows[1][7]
    assert rows[1][8] == "Portal Kominfo"
    assert rows[2][:3] == ["2025-03-02T08:30:00+07:00", "operator", ""]
    assert len(rows) == 3


def test_export_applies_the_filters_and_is_itself_recorded(operator_client, operator, site_a, site_b):
    record(verbs.LOGGED_IN, actor=operator, site=site_a)
    record("inventory.changed", actor=SystemJob("monitor.http"), site=site_b)
    _raw, rows = read_csv(operator_client.get(EXPORT, {"site": site_b.pk}))
    assert [row[5] for row in rows[1:]] == ["inventory.changed"]
    exported = Event.objects.get(verb=EXPORTED)
    assert exported.actor == operator
    assert exported.data == {"filters": {"site": str(site_b.pk)}}
    # The export's own event is not in the file it wrote; the earlier export's is.
    _raw, rows = read_csv(operator_client.get(EXPORT))
    assert Event.objects.filter(verb=EXPORTED).count() == 2
    assert [row[5] for row in rows[1:]].count(EXPORTED) == 1


def test_cells_that_spreadsheets_would_run_as_formulas_are_quoted(operator_client, site_a):
    Event.objects.create(verb="inventory.changed", job="x", target_label='=HYPERLINK("http://evil")')
    _raw, rows = read_csv(operator_client.get(EXPORT, {"verb": "inventory."}))
    assert rows[1][8] == '\'=HYPERLINK("http://evil")'


def test_export_needs_the_export_permission(make_user, client_for, org_a):
    member = make_user(RoleKind.ORG_MEMBER, organisation=org_a)  # may read the log, not export it
    assert client_for(member).get(reverse("activity:list")).status_code == 200
    assert client_for(member).get(EXPORT).status_code == 403
    assert not Event.objects.filter(verb=EXPORTED).exists()


def test_an_invalid_filter_is_refused(operator_client):
    assert operator_client.get(EXPORT, {"date_from": "yesterday"}).status_code == 400
