from __future__ import annotations

import json

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jagaweb.activity.models import Event
from jagaweb.inventory import verbs
from jagaweb.inventory.models import Contact, Organisation, Server, Site, ThirdParty
from jagaweb.people.choices import RoleKind
from tests.inventory.helpers import SECRET

pytestmark = pytest.mark.django_db


def api_for(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def slugs(response):
    assert response.status_code == 200, response.content
    return sorted(item["slug"] for item in response.json()["results"])


def test_anonymous_is_refused(site_a):
    client = APIClient()
    for url in (
        "/api/sites/",
        "/api/sites/kominfo/",
        "/api/organisations/",
        "/api/servers/",
        "/api/third-parties/",
    ):
        assert client.get(url).status_code in (401, 403)
    assert client.post("/api/sites/", {}).status_code in (401, 403)
    assert APIClient().get("/api/sites/", HTTP_AUTHORIZATION="Token not-a-token").status_code == 401


def test_token_auth_reads_sites(operator, site_a, site_b):
    response = api_for(operator).get("/api/sites/")
    assert slugs(response) == ["disdik", "kominfo"]
    assert response.json()["count"] == 2


def test_member_scope(member_a, site_a, site_b, org_b):
    api = api_for(member_a)
    assert slugs(api.get("/api/sites/")) == ["kominfo"]
    assert api.get("/api/sites/disdik/").status_code == 404
    assert api.get("/api/sites/kominfo/").json()["organisation"] == "diskominfo"
    assert [o["code"] for o in api.get("/api/organisations/").json()["results"]] == ["diskominfo"]
    assert api.get(f"/api/organisations/{org_b.pk}/").status_code == 404
    # Reading is all an organisation member may do; servers are not theirs to read at all.
    assert api.patch("/api/sites/kominfo/", {"name": "X"}, format="json").status_code == 403
    assert api.get("/api/servers/").status_code == 403


def test_third_party_sees_linked_sites_only(make_user, hosting, site_a, site_b):
    site_b.third_parties.add(hosting)
    api = api_for(make_user(RoleKind.THIRD_PARTY, third_party=hosting))
    assert slugs(api.get("/api/sites/")) == ["disdik"]
    assert api.get("/api/sites/kominfo/").status_code == 404


def test_scoped_operator_cannot_create_in_other_organisation(operator_a, org_a, org_b, site_b):
    api = api_for(operator_a)
    payload = {"slug": "baru", "name": "Baru", "url": "https://baru.example.go.id/", "organisation": "disdik"}
    response = api.post("/api/sites/", payload, format="json")
    assert response.status_code == 400 and "organisation" in response.json()
    assert api.patch("/api/sites/disdik/", {"name": "Dibajak"}, format="json").status_code == 404
    assert api.delete("/api/sites/disdik/").status_code in (403, 404)
    response = api.post("/api/sites/", {**payload, "organisation": "diskominfo"}, format="json")
    assert response.status_code == 201, response.content
    assert Site.objects.get(slug="baru").organisation == org_a


def test_writes_are_recorded_and_secret_stays_secret(client_for, supervisor, org_a, server, hosting):
    api = api_for(supervisor)
    response = api.post(
        "/api/sites/",
        {
            "slug": "dinkes",
            "name": "Portal Dinkes",
            "url": "https://dinkes.example.go.id/",
            "organisation": "diskominfo",
            "server": server.hostname,
            "third_parties": [hosting.pk],
            "tags": ["pemda", "utama"],
            "access_logs": ["/var/log/dinkes.log"],
            "db_engine": "mysql",
            "db_password": SECRET,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (
        body["has_db_password"] is True
        and "db_password" not in body
        and SECRET not in response.content.decode()
    )
    assert (body["server"], body["third_parties"], body["tags"]) == (
        server.hostname,
        [hosting.pk],
        ["pemda", "utama"],
    )
    site = Site.objects.get(slug="dinkes")
    assert site.db_password == SECRET
    created = Event.objects.get(verb=verbs.CREATED)
    assert (created.actor, created.site, created.data["kind"]) == (supervisor, site, "site")

    response = api.patch("/api/sites/dinkes/", {"name": "Dinas Kesehatan", "db_password": ""}, format="json")
    assert response.status_code == 200
    site.refresh_from_db()
    assert site.db_password == SECRET  # empty keeps it
    assert Event.objects.get(verb=verbs.CHANGED).data["fields"] == "name"
    api.patch("/api/sites/dinkes/", {"db_password": "Lain-123", "tags": ["pemda"]}, format="json")
    last = Event.objects.filter(verb=verbs.CHANGED).first()
    assert last.data["fields"] == "db_password, tags" and "Lain-123" not in json.dumps(last.data)

    for url in ("/api/sites/", "/api/sites/dinkes/", "/api/sites/?search=dinkes"):
        text = api.get(url).content.decode()
        assert SECRET not in text and "Lain-123" not in text
    # The activity log keeps its events, so a site with a history is retired, not deleted.
    response = api.delete("/api/sites/dinkes/")
    assert response.status_code == 409 and "mark it inactive" in response.json()["detail"]
    assert Site.objects.filter(slug="dinkes").exists()


def test_delete_site_without_history(supervisor, site_b, org_b):
    assert api_for(supervisor).delete("/api/sites/disdik/").status_code == 204
    deleted = Event.objects.get(verb=verbs.DELETED)
    assert (deleted.site, deleted.target_label, deleted.organisation) == (None, "Portal Disdik", org_b)
    assert not Site.objects.filter(slug="disdik").exists()


def test_validation_errors_are_clear(operator, org_a, site_a):
    api = api_for(operator)
    response = api.post(
        "/api/sites/",
        {
            "slug": "kominfo",
            "name": "X",
            "url": "javascript:alert(1)",
            "organisation": "nowhere",
            "cms": "frontpage",
            "tags": ["not ok"],
            "db_port": "lima",
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"slug", "url", "organisation", "cms", "tags", "db_port"}
    assert errors["url"] == ["Enter a valid URL."]
    response = api.post(
        "/api/sites/",
        {"slug": "export", "name": "X", "url": "https://x.example/", "organisation": "diskominfo"},
        format="json",
    )
    assert "reserved" in response.json()["slug"][0]


def test_filters(operator, site_a, site_b):
    api = api_for(operator)
    site_b.is_active = False
    site_b.save()
    site_a.tags.create(name="utama")
    assert slugs(api.get("/api/sites/?organisation=diskominfo")) == ["kominfo"]
    assert slugs(api.get("/api/sites/?is_active=false")) == ["disdik"]
    assert slugs(api.get("/api/sites/?tag=utama")) == ["kominfo"]
    assert slugs(api.get("/api/sites/?search=Disdik")) == ["disdik"]
    assert api.get("/api/sites/?organisation=nowhere").status_code == 400


def test_organisation_server_third_party_endpoints(supervisor, org_a, hosting):
    api = api_for(supervisor)
    response = api.post(
        "/api/organisations/", {"name": "Bidang TIK", "code": "tik", "parent": org_a.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    tik = Organisation.objects.get(code="tik")
    response = api.patch(f"/api/organisations/{org_a.pk}/", {"parent": tik.pk}, format="json")
    assert response.status_code == 400 and "parent" in response.json()
    assert api.delete(f"/api/organisations/{org_a.pk}/").status_code == 409  # it still has a unit

    response = api.post(
        "/api/servers/", {"hostname": "web9.pemda.go.id", "hosting": hosting.pk}, format="json"
    )
    assert response.status_code == 201
    server = Server.objects.get(hostname="web9.pemda.go.id")
    api.patch(f"/api/servers/{server.pk}/", {"public_ip": "203.0.113.9"}, format="json")
    assert Event.objects.filter(verb=verbs.CHANGED).first().data["fields"] == "public_ip"

    Contact.objects.create(third_party=hosting, name="Andi", email="andi@jagoan.id")
    body = api.get(f"/api/third-parties/{hosting.pk}/").json()
    assert body["contacts"][0]["name"] == "Andi"
    response = api.post("/api/third-parties/", {"name": "PT Vendor", "kind": "vendor"}, format="json")
    assert response.status_code == 201 and ThirdParty.objects.filter(name="PT Vendor").exists()
    kinds = list(Event.objects.filter(verb=verbs.CREATED).order_by("id").values_list("data__kind", flat=True))
    assert kinds == ["organisation", "server", "third party"]


def test_scoped_servers_and_third_parties(operator_a, site_a, site_b, hosting):
    mine = Server.objects.create(hostname="mine.pemda.go.id")
    theirs = Server.objects.create(hostname="theirs.pemda.go.id", hosting=hosting)
    Site.objects.filter(pk=site_a.pk).update(server=mine)
    Site.objects.filter(pk=site_b.pk).update(server=theirs)
    api = api_for(operator_a)
    assert [s["hostname"] for s in api.get("/api/servers/").json()["results"]] == ["mine.pemda.go.id"]
    assert api.get(f"/api/servers/{theirs.pk}/").status_code == 404
    assert api.get("/api/third-parties/").json()["results"] == []
    # Nor can a site be put on a server the operator does not see.
    response = api.patch("/api/sites/kominfo/", {"server": "theirs.pemda.go.id"}, format="json")
    assert response.status_code == 400 and "server" in response.json()
