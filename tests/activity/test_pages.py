from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jagaweb.activity.log import SystemJob, record
from jagaweb.activity.models import Event
from jagaweb.people import verbs
from jagaweb.people.choices import RoleKind
from jagaweb.people.models import Role

pytestmark = pytest.mark.django_db

LIST = reverse("activity:list")


def shown_ids(response) -> list[int]:
    return [event.pk for event in response.context["page"].rows]


@pytest.fixture
def mixed(make_user, site_a, site_b, org_b):
    """A few events of different sites, actors, verbs and severities."""
    budi = make_user(RoleKind.OPERATOR, username="budi")
    role = Role.objects.get(kind=RoleKind.OPERATOR)
    return {
        "budi": budi,
        "login": record(verbs.LOGGED_IN, actor=budi, site=site_a),
        "role": record(verbs.ROLE_CHANGED, actor=budi, target=role),
        "check": record(
            "inventory.changed",
            actor=SystemJob("monitor.http"),
            site=site_b,
            target=site_b,
            severity="warning",
            kind="site",
            fields="url",
        ),
        "org": record("inventory.created", actor=SystemJob("import"), organisation=org_b, kind="x"),
    }


def test_list_shows_time_actor_site_message_and_target_link(operator_client, mixed):
    response = operator_client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "budi" in html
    assert ":monitor.http" in html
    assert "Portal Kominfo" in html
    assert mixed["role"].message in html
    assert f'href="{reverse("people:role_update", args=[mixed["role"].target_id])}"' in html
    assert shown_ids(response) == [mixed["org"].pk, mixed["check"].pk, mixed["role"].pk, mixed["login"].pk]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"verb": "inventory."}, ["org", "check"]),
        ({"verb": "people.logged_in"}, ["login"]),
        ({"severity": "warning"}, ["check"]),
        ({"job": "monitor.http"}, ["check"]),
        ({"actor_kind": "person"}, ["role", "login"]),
        ({"actor_kind": "system"}, ["org", "check"]),
        ({"q": "disdik"}, ["check"]),
    ],
)
def test_list_filters(operator_client, mixed, query, expected):
    response = operator_client.get(LIST, query)
    assert shown_ids(response) == [mixed[name].pk for name in expected]


def test_list_filters_by_site_organisation_and_actor(operator_client, mixed, site_a, org_b):
    assert shown_ids(operator_client.get(LIST, {"site": site_a.pk})) == [mixed["login"].pk]
    assert shown_ids(operator_client.get(LIST, {"organisation": org_b.pk})) == [
        mixed["org"].pk,
        mixed["check"].pk,
    ]
    assert shown_ids(operator_client.get(LIST, {"actor": mixed["budi"].pk})) == [
        mixed["role"].pk,
        mixed["login"].pk,
    ]


def test_list_filters_by_date_range_in_local_days(operator_client, event_at):
    old = event_at(datetime(2025, 3, 1, 23, 59))
    day = event_at(datetime(2025, 3, 2, 0, 0))
    late = event_at(datetime(2025, 3, 2, 23, 59, 59))
    later = event_at(datetime(2025, 3, 3, 0, 0))
    response = operator_client.get(LIST, {"date_from": "2025-03-02", "date_to": "2025-03-02"})
    assert shown_ids(response) == [late.pk, day.pk]
    assert shown_ids(operator_client.get(LIST, {"date_from": "2025-03-02"})) == [later.pk, late.pk, day.pk]
    assert shown_ids(operator_client.get(LIST, {"date_to": "2025-03-01"})) == [old.pk]


def test_an_invalid_filter_shows_an_error_and_no_rows(operator_client, mixed):
    response = operator_client.get(LIST, {"severity": "apocalyptic"})
    assert response.status_code == 200
    assert shown_ids(response) == []
    assert response.context["filter"].errors


def test_pages_follow_each_other_without_gaps_even_at_equal_times(operator_client, event_at):
    at = timezone.now().replace(microsecond=0)
    events = [event_at(at - timedelta(seconds=i // 7)) for i in range(120)]
    expected = [e.pk for e in sorted(events, key=lambda e: (e.at, e.pk), reverse=True)]
    seen: list[int] = []
    url = LIST
    while url:
        response = operator_client.get(url)
        seen += shown_ids(response)
        cursor = response.context["page"].next_cursor
        url = f"{LIST}?cursor={cursor}" if cursor else ""
    assert seen == expected
    assert len(seen) == 120


def test_load_more_through_htmx_returns_only_the_next_rows(operator_client, event_at):
    at = timezone.now()
    for i in range(55):
        event_at(at - timedelta(minutes=i), verb="people.logged_in")
    first = operator_client.get(LIST, {"verb": "people."})
    cursor = first.context["page"].next_cursor
    assert cursor
    html = first.content.decode()
    assert f"verb=people.&amp;cursor={cursor}" in html
    more = operator_client.get(LIST, {"verb": "people.", "cursor": cursor}, HTTP_HX_REQUEST="true")
    assert more.status_code == 200
    assert "<html" not in more.content.decode()
    assert len(shown_ids(more)) == 5
    assert more.context["page"].next_cursor is None


def test_a_broken_cursor_shows_the_first_page(operator_client, mixed):
    assert len(shown_ids(operator_client.get(LIST, {"cursor": "nonsense"}))) == 4


def test_target_links_cost_one_query_per_target_model(
    operator_client, operator, site_a, django_assert_max_num_queries
):
    roles = list(Role.objects.all())
    for i in range(50):
        record(verbs.ROLE_CHANGED, actor=operator, site=site_a, target=roles[i % len(roles)])
    operator_client.get(LIST)  # warm caches (content types, session)
    with django_assert_max_num_queries(12):
        response = operator_client.get(LIST)
    html = response.content.decode()
    assert len(re.findall(r'href="/people/roles/\d+/"', html)) == 50


def test_the_log_needs_the_view_permission(make_user, client_for):
    nobody = make_user(None)
    assert client_for(nobody).get(LIST).status_code == 403
    assert client_for(nobody).get(reverse("activity:daily")).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


DAILY = reverse("activity:daily")


def test_daily_log_lists_people_and_system_for_that_day_only(operator_client, operator, event_at, site_a):
    morning = event_at(datetime(2025, 3, 2, 8, 0), verb=verbs.LOGGED_IN, actor=operator, site=site_a)
    check = event_at(datetime(2025, 3, 2, 9, 0), verb="inventory.changed", job="monitor.http", site=site_a)
    event_at(datetime(2025, 3, 1, 23, 0), verb=verbs.LOGGED_OUT, actor=operator)
    event_at(datetime(2025, 3, 3, 0, 0), verb="inventory.changed", job="monitor.http")
    response = operator_client.get(DAILY, {"date": "2025-03-02"})
    assert response.status_code == 200
    assert [e.pk for e in response.context["people"]] == [morning.pk]
    assert [e.pk for e in response.context["system"]] == [check.pk]
    assert response.context["summary"] == [
        {"job": "monitor.http", "verb": "inventory.changed", "severity": "info", "count": 1, "severity_label": "Info"}
    ]
    html = response.content.decode()
    assert "@media print" in html
    assert "date_from=2025-03-02&amp;date_to=2025-03-02" in html  # export of the same day


def test_daily_log_defaults_to_today(operator_client, operator):
    record(verbs.LOGGED_IN, actor=operator)
    response = operator_client.get(DAILY)
    assert response.context["day"] == timezone.localdate()
    assert len(response.context["people"]) == 1


def test_events_without_target_or_with_unknown_target_render(operator_client, operator):
    from django.contrib.contenttypes.models import ContentType

    Event.objects.create(
        verb="test.thing",
        actor=operator,
        target_type=ContentType.objects.get_for_model(Role),
        target_id="not-a-number",
    )
    Event.objects.create(
        verb="test.thing",
        actor=operator,
        target_type=ContentType.objects.get_for_model(Role),
        target_id="999999",
    )
    response = operator_client.get(LIST)
    assert response.status_code == 200
    assert [e.target_url() for e in response.context["page"].rows] == [None, None]
