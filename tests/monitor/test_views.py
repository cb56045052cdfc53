"""The check pages: the list and its filters, scoping, adding and changing checks with their kind's
options (errors next to the fields), private addresses for superusers only, deleting, "run now"
against a real local server and accepting DNS answers as the baseline against a local DNS server."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from jagaweb.activity.models import Event
from jagaweb.monitor.choices import CheckKind, Status
from jagaweb.monitor.models import Check, Result
from jagaweb.people.choices import RoleKind
from tests.monitor.dnsserver import DnsServer
from tests.monitor.servers import WebServer
from tests.monitor.ui_world import grant, make_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(make_user: Any, org_a: Any) -> Any:
    return grant(make_user(RoleKind.ORG_MEMBER, organisation=org_a, username="staf-kominfo"))


@pytest.fixture
def client(client_for: Any, member: Any) -> Any:
    return client_for(member)


def test_list_shows_only_the_users_sites_and_filters(client: Any, site_a: Any, site_b: Any) -> None:
    make_check(site_a, CheckKind.HTTP, Status.DOWN, name="Beranda Kominfo", message="HTTP 500")
    make_check(site_a, CheckKind.TLS, Status.UP, name="Sertifikat Kominfo")
    make_check(site_b, CheckKind.HTTP, Status.UP, name="Beranda Disdik")
    page = client.get(reverse("monitor:check_list"))
    assert page.status_code == 200
    assert b"Beranda Kominfo" in page.content and b"Sertifikat Kominfo" in page.content
    assert b"Disdik" not in page.content
    down = client.get(reverse("monitor:check_list"), {"status": "down"})
    assert b"Beranda Kominfo" in down.content and b"Sertifikat Kominfo" not in down.content
    by_kind = client.get(reverse("monitor:check_list"), {"kind": "tls", "site": site_a.slug})
    assert b"Sertifikat Kominfo" in by_kind.content and b"Beranda Kominfo" not in by_kind.content
    assert b"Add a check" in by_kind.content  # a site is chosen: its actions are offered
    # Another organisation's site is not a valid choice: nothing is listed, nothing leaks.
    other = client.get(reverse("monitor:check_list"), {"site": site_b.slug})
    assert b"Disdik" not in other.content and b"0 checks" in other.content
    partial = client.get(reverse("monitor:check_list"), {"q": "Sertifikat"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b"Sertifikat Kominfo" in partial.content


def test_detail_of_another_organisations_check_is_404(client: Any, site_a: Any, site_b: Any) -> None:
    mine = make_check(site_a, name="Beranda Kominfo")
    theirs = make_check(site_b, name="Beranda Disdik")
    Result.objects.create(check_ref=mine, at=timezone.now() - timedelta(minutes=5), status=Status.UP, response_ms=87,
                          message="HTTP 200 in 87 ms")
    page = client.get(reverse("monitor:check_detail", args=[mine.pk]))
    assert page.status_code == 200
    assert b"HTTP 200 in 87 ms" in page.content and b"<svg" in page.content  # status strip and chart
    assert client.get(reverse("monitor:check_detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("monitor:check_run", args=[theirs.pk])).status_code == 404


def test_add_a_tls_check_with_its_options(client: Any, site_a: Any) -> None:
    url = reverse("monitor:check_create", args=[site_a.slug])
    form = client.get(url, {"kind": "tls"})
    assert b'name="option_warn_days"' in form.content and b'name="option_check_weak_protocols"' in form.content
    assert b'<option value="tls" selected>' in form.content and b'value="43200"' in form.content  # kind, its interval
    # Switching the kind with htmx redraws only the fields.
    switched = client.get(url, {"kind": "dns"}, HTTP_HX_REQUEST="true")
    assert b'name="option_record_types"' in switched.content and b"<html" not in switched.content
    response = client.post(url, {"kind": "tls", "name": "Sertifikat", "target": "", "interval": 3600,
                                 "timeout": 10, "is_active": "on", "option_warn_days": 21,
                                 "option_check_weak_protocols": "on", "extra_options": ""})
    check = Check.objects.get(site=site_a)
    assert response.status_code == 302 and response["Location"] == check.get_absolute_url()
    assert check.kind == CheckKind.TLS and check.config == {"warn_days": 21, "check_weak_protocols": True}
    assert check.next_due_at <= timezone.now() + timedelta(minutes=10)
    event = Event.objects.get(verb="monitor.check_created")
    assert event.actor.username == "staf-kominfo" and event.site == site_a


def test_the_kinds_errors_show_next_to_their_fields(client: Any, site_a: Any) -> None:
    url = reverse("monitor:check_create", args=[site_a.slug])
    response = client.post(url, {"kind": "dns", "interval": 300, "timeout": 5, "option_record_types": ["A", "NS"],
                                 "option_nameservers": "bukan-alamat-ip"})
    assert response.status_code == 200 and not Check.objects.exists()
    errors = response.context["form"].errors
    assert "option_nameservers" in errors and "IP addresses" in errors["option_nameservers"][0]
    html = response.content.decode()
    assert html.index('name="option_nameservers"') < html.index("Enter IP addresses") < html.index("extra_options")


def test_http_conditions_are_rows(client: Any, site_a: Any) -> None:
    url = reverse("monitor:check_create", args=[site_a.slug])
    base = {"kind": "http", "interval": 60, "timeout": 10, "is_active": "on", "option_match": "all",
            "option_method": "GET", "option_max_redirects": 5, "option_verify_tls": "on", "option_conditions-count": 3}
    bad = client.post(url, {**base, "option_conditions-0-field": "status", "option_conditions-0-op": "contains",
                            "option_conditions-0-value": "200", "option_conditions-0-otherwise": "down"})
    assert "option_conditions" in bad.context["form"].errors and not Check.objects.exists()
    good = client.post(url, {
        **base,
        "option_conditions-0-field": "keyword", "option_conditions-0-op": "contains",
        "option_conditions-0-value": "Selamat datang", "option_conditions-0-ignore_case": "on",
        "option_conditions-0-otherwise": "down",
        "option_conditions-1-field": "response_ms", "option_conditions-1-op": "<",
        "option_conditions-1-value": "2000", "option_conditions-1-otherwise": "degraded",
    })
    assert good.status_code == 302
    config = Check.objects.get().config
    assert config["conditions"] == [
        {"field": "keyword", "op": "contains", "otherwise": "down", "value": "Selamat datang", "ignore_case": True},
        {"field": "response_ms", "op": "<", "otherwise": "degraded", "value": 2000},
    ]
    assert config["max_redirects"] == 5 and config["verify_tls"] is True
    edit = client.get(reverse("monitor:check_update", args=[Check.objects.get().pk]))
    assert b'value="Selamat datang"' in edit.content  # the rows come back filled in


def test_only_a_superuser_allows_private_addresses(client: Any, admin_client: Any, site_a: Any) -> None:
    url = reverse("monitor:check_create", args=[site_a.slug])
    data = {"kind": "tcp", "target": "127.0.0.1:3306", "interval": 60, "timeout": 5, "is_active": "on",
            "allow_private": "on"}
    assert client.post(url, data).status_code == 302
    assert Check.objects.get().allow_private is False  # the field is disabled for them: the value is ignored
    assert admin_client.post(url, data).status_code == 302
    assert Check.objects.order_by("pk").last().allow_private is True


def test_edit_keeps_the_kind_and_logs_what_changed(client: Any, site_a: Any) -> None:
    check = make_check(site_a, CheckKind.TLS, config={"warn_days": 14, "check_weak_protocols": True}, interval=3600)
    url = reverse("monitor:check_update", args=[check.pk])
    form = client.get(url)
    assert b'name="kind"' in form.content and b"disabled" in form.content
    response = client.post(url, {"kind": "http", "name": "Sertifikat", "interval": 7200, "timeout": 10,
                                 "is_active": "on", "option_warn_days": 14, "option_check_weak_protocols": "on"})
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.kind == CheckKind.TLS and check.interval == 7200 and check.name == "Sertifikat"
    event = Event.objects.get(verb="monitor.check_changed")
    assert "interval" in event.data["fields"] and "kind" not in event.data["fields"]


def test_delete_asks_then_removes_and_logs(client: Any, site_a: Any) -> None:
    check = make_check(site_a, name="Beranda")
    url = reverse("monitor:check_delete", args=[check.pk])
    assert b"Remove the check" in client.get(url).content
    response = client.post(url)
    assert response.status_code == 302 and not Check.objects.filter(pk=check.pk).exists()
    assert Event.objects.filter(verb="monitor.check_deleted", site=site_a).exists()


def test_run_now_checks_a_real_server_and_shows_the_result(client: Any, site_a: Any) -> None:
    with WebServer() as web:
        web.route("/", body="<h1>Portal Kominfo</h1>")
        check = make_check(site_a, CheckKind.HTTP, Status.PENDING, target=web.url("/"), allow_private=True,
                           timeout=5, config={})
        response = client.post(reverse("monitor:check_run", args=[check.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"<html" not in response.content
    assert b"Checked now" in response.content and b"badge ok" in response.content
    check.refresh_from_db()
    assert check.status == Status.UP and Result.objects.filter(check_ref=check).count() == 1
    assert Event.objects.filter(verb="monitor.check_run", actor__username="staf-kominfo").exists()
    # Without htmx: back to the check's page with the result as a message.
    with WebServer() as web:
        web.route("/", status=500, body="error")
        Check.objects.filter(pk=check.pk).update(target=web.url("/"))
        plain = client.post(reverse("monitor:check_run", args=[check.pk]), follow=True)
    assert plain.redirect_chain[-1][0] == check.get_absolute_url()
    assert "Down" in next(str(m) for m in plain.context["messages"])


def test_accept_the_current_dns_answers_as_the_baseline(client: Any, site_a: Any, settings: Any) -> None:
    records = {("portal.kominfo.go.id", "A"): ["192.0.2.10"], ("kominfo.go.id", "NS"): ["ns1.kominfo.go.id."]}
    with DnsServer(records) as dns_server:
        settings.JAGAWEB_DNS_NAMESERVERS = [dns_server.address]
        check = make_check(site_a, CheckKind.DNS, Status.DEGRADED, target="portal.kominfo.go.id", allow_private=True,
                           config={"record_types": ["A"], "nameservers": []},
                           baseline={"answers": {"A": ["192.0.2.99"]}})
        response = client.post(reverse("monitor:check_baseline", args=[check.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"baseline" in response.content
    check.refresh_from_db()
    assert "192.0.2.10" in str(check.baseline) and "192.0.2.99" not in str(check.baseline)
    assert Event.objects.filter(verb="monitor.baseline_accepted").exists()
    other = make_check(site_a, CheckKind.HTTP)
    refused = client.post(reverse("monitor:check_baseline", args=[other.pk]), follow=True)
    assert "keeps no baseline" in next(str(m) for m in refused.context["messages"])


def test_heartbeat_check_shows_its_address_and_a_curl_line(client: Any, site_a: Any, settings: Any) -> None:
    settings.BASE_URL = "https://jagaweb.kominfo.go.id"
    check = make_check(site_a, CheckKind.HEARTBEAT, Status.UNKNOWN, config={"grace_seconds": 300})
    page = client.get(reverse("monitor:check_detail", args=[check.pk])).content.decode()
    url = f"https://jagaweb.kominfo.go.id/hb/{check.token}"
    assert f"curl -fsS -m 10 --retry 3 -o /dev/null {url}" in page and f"{url}/fail" in page


def test_pages_need_the_permissions(make_user: Any, client_for: Any, org_a: Any, site_a: Any) -> None:
    reader = grant(make_user(RoleKind.ORG_MEMBER, organisation=org_a), "monitor.view_check")
    client = client_for(reader)
    check = make_check(site_a)
    assert client.get(reverse("monitor:check_list")).status_code == 200
    page = client.get(reverse("monitor:check_detail", args=[check.pk]))
    assert page.status_code == 200 and b"Run now" not in page.content and b"Edit" not in page.content
    assert client.post(reverse("monitor:check_run", args=[check.pk])).status_code == 403
    assert client.get(reverse("monitor:check_create", args=[site_a.slug])).status_code == 403
    assert client.post(reverse("monitor:check_delete", args=[check.pk])).status_code == 403
