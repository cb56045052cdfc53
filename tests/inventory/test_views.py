from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from jagaweb.activity.models import Event
from jagaweb.inventory import panels, verbs
from jagaweb.inventory.models import Contact, Organisation, Server, Site, Tag, ThirdParty
from tests.inventory.helpers import SECRET, site_form_data

pytestmark = pytest.mark.django_db


def events(verb):
    return list(Event.objects.filter(verb=verb).order_by("id"))


# --- CRUD through the pages, each write recorded -------------------------------------------------


def test_create_site_records_event(operator_client, operator, org_a, server, hosting):
    response = operator_client.post(
        reverse("inventory:site_create"),
        {
            "slug": "dinkes",
            "name": "Portal Dinkes",
            "url": "https://dinkes.example.go.id/",
            "organisation": org_a.pk,
            "server": server.pk,
            "third_parties": [hosting.pk],
            "cms": "wordpress",
            "db_engine": "mysql",
            "db_port": "3306",
            "db_password": SECRET,
            "access_logs": "/var/log/nginx/dinkes.log\n/var/log/nginx/dinkes-ssl.log",
            "tags": "Pemda, utama",
            "is_active": "on",
        },
    )
    site = Site.objects.get(slug="dinkes")
    assert response.status_code == 302 and response["Location"] == site.get_absolute_url()
    assert (
        site.db_password == SECRET and site.server == server and list(site.third_parties.all()) == [hosting]
    )
    assert site.access_logs == ["/var/log/nginx/dinkes.log", "/var/log/nginx/dinkes-ssl.log"]
    assert sorted(site.tags.values_list("name", flat=True)) == ["pemda", "utama"]
    [event] = events(verbs.CREATED)
    assert (event.actor, event.site, event.organisation, event.target_label) == (
        operator,
        site,
        org_a,
        "Portal Dinkes",
    )
    assert event.data["kind"] == "site"
    assert SECRET not in str(event.data)


def test_update_site_records_changed_fields_only(operator_client, site_a):
    url = reverse("inventory:site_update", args=[site_a.slug])
    data = site_form_data(site_a, name="Portal Kominfo Baru", tags="berita", db_password=SECRET)
    response = operator_client.post(url, data)
    assert response.status_code == 302
    site_a.refresh_from_db()
    assert site_a.name == "Portal Kominfo Baru" and site_a.db_password == SECRET
    [event] = events(verbs.CHANGED)
    assert event.site == site_a
    assert event.data["fields"] == "name, db_password, tags"
    assert SECRET not in str(event.data)
    assert "Changed site Portal Kominfo Baru: name, db_password, tags" in event.message


def test_saving_unchanged_form_records_nothing(operator_client, site_a):
    operator_client.post(reverse("inventory:site_update", args=[site_a.slug]), site_form_data(site_a))
    assert events(verbs.CHANGED) == []


def test_empty_password_keeps_the_stored_one_and_form_never_shows_it(operator_client, secret_site):
    url = reverse("inventory:site_update", args=[secret_site.slug])
    page = operator_client.get(url).content.decode()
    assert SECRET not in page
    assert "A password is stored" in page
    operator_client.post(url, site_form_data(secret_site, name="Renamed"))
    secret_site.refresh_from_db()
    assert secret_site.db_password == SECRET
    operator_client.post(url, site_form_data(secret_site, forget_db_password="on"))
    secret_site.refresh_from_db()
    assert secret_site.db_password == ""


def test_delete_site_records_event(client_for, supervisor, site_b):
    client = client_for(supervisor)
    assert client.get(reverse("inventory:site_delete", args=["disdik"])).status_code == 200
    response = client.post(reverse("inventory:site_delete", args=["disdik"]))
    assert response.status_code == 302 and not Site.objects.filter(slug="disdik").exists()
    [event] = events(verbs.DELETED)
    assert (event.site, event.organisation, event.target_label, event.target_id) == (
        None,
        site_b.organisation,
        "Portal Disdik",
        str(site_b.pk),
    )


def test_site_with_history_is_kept(client_for, supervisor, operator_client, site_a):
    operator_client.post(
        reverse("inventory:site_update", args=["kominfo"]), site_form_data(site_a, name="Baru")
    )
    response = client_for(supervisor).post(reverse("inventory:site_delete", args=["kominfo"]), follow=True)
    assert "mark it inactive instead" in response.content.decode()
    assert Site.objects.filter(slug="kominfo").exists()


def test_operator_may_not_delete(operator_client, site_b):
    assert operator_client.post(reverse("inventory:site_delete", args=["disdik"])).status_code == 403


def test_organisation_crud_with_parent(client_for, supervisor, org_a):
    client = client_for(supervisor)
    client.post(
        reverse("inventory:organisation_create"),
        {"name": "Bidang Aptika", "code": "aptika", "parent": org_a.pk},
    )
    unit = Organisation.objects.get(code="aptika")
    assert unit.parent == org_a
    client.post(
        reverse("inventory:organisation_update", args=[unit.pk]),
        {"name": "Bidang Aplikasi Informatika", "code": "aptika", "parent": org_a.pk},
    )
    # A unit cannot become the parent of its own parent.
    response = client.post(
        reverse("inventory:organisation_update", args=[org_a.pk]),
        {"name": org_a.name, "code": org_a.code, "parent": unit.pk},
    )
    assert response.status_code == 200 and "parent" in response.context["form"].errors
    client.post(reverse("inventory:organisation_delete", args=[unit.pk]))
    assert not Organisation.objects.filter(code="aptika").exists()
    assert [e.data["kind"] for e in Event.objects.filter(verb__startswith="inventory.").order_by("id")] == [
        "organisation",
        "organisation",
        "organisation",
    ]
    assert events(verbs.CHANGED)[0].data["fields"] == "name"


def test_deleting_an_organisation_with_sites_is_refused_politely(client_for, supervisor, site_a, org_a):
    response = client_for(supervisor).post(
        reverse("inventory:organisation_delete", args=[org_a.pk]), follow=True
    )
    assert Organisation.objects.filter(pk=org_a.pk).exists()
    assert "cannot be deleted" in next(str(m) for m in get_messages(response.wsgi_request))
    assert events(verbs.DELETED) == []


def test_server_crud(client_for, supervisor, hosting):
    client = client_for(supervisor)
    client.post(reverse("inventory:server_create"), {"hostname": "web2.pemda.go.id", "hosting": hosting.pk})
    server = Server.objects.get(hostname="web2.pemda.go.id")
    client.post(
        reverse("inventory:server_update", args=[server.pk]),
        {"hostname": "web2.pemda.go.id", "hosting": hosting.pk, "public_ip": "203.0.113.7"},
    )
    client.post(reverse("inventory:server_delete", args=[server.pk]))
    assert [e.verb for e in Event.objects.order_by("id")] == [verbs.CREATED, verbs.CHANGED, verbs.DELETED]
    assert events(verbs.CHANGED)[0].data["fields"] == "public_ip"


def contact_forms(*contacts, initial=0):
    data = {
        "contacts-TOTAL_FORMS": str(len(contacts)),
        "contacts-INITIAL_FORMS": str(initial),
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
    }
    for index, contact in enumerate(contacts):
        data.update({f"contacts-{index}-{key}": value for key, value in contact.items()})
    return data


def test_third_party_with_contacts(operator_client):
    operator_client.post(
        reverse("inventory:thirdparty_create"),
        {
            "name": "PT Telkom",
            "kind": "isp",
            "website": "https://telkom.co.id",
            **contact_forms({"name": "Budi", "email": "budi@telkom.co.id"}),
        },
    )
    telkom = ThirdParty.objects.get(name="PT Telkom")
    [budi] = telkom.contacts.all()
    operator_client.post(
        reverse("inventory:thirdparty_update", args=[telkom.pk]),
        {
            "name": "PT Telkom",
            "kind": "isp",
            "website": "https://telkom.co.id",
            **contact_forms(
                {"id": budi.pk, "name": "Budi", "email": "budi@telkom.co.id", "phone": "0812"},
                {"name": "Sari", "position": "NOC"},
                initial=1,
            ),
        },
    )
    assert sorted(Contact.objects.values_list("name", "phone")) == [("Budi", "0812"), ("Sari", "")]
    assert events(verbs.CHANGED)[0].data["fields"] == "contacts"
    page = operator_client.get(telkom.get_absolute_url()).content.decode()
    assert "Sari" in page and "budi@telkom.co.id" in page


# --- Scoping -------------------------------------------------------------------------------------


def test_member_sees_only_own_sites(client_for, member_a, site_a, site_b):
    client = client_for(member_a)
    listing = client.get(reverse("inventory:site_list")).content.decode()
    assert "Portal Kominfo" in listing and "Portal Disdik" not in listing
    assert client.get(reverse("inventory:site_detail", args=["kominfo"])).status_code == 200
    assert client.get(reverse("inventory:site_detail", args=["disdik"])).status_code == 404
    assert (
        client.get(reverse("inventory:organisation_detail", args=[site_b.organisation_id])).status_code == 404
    )
    # Reading is all an organisation member may do.
    assert client.get(reverse("inventory:site_update", args=["kominfo"])).status_code == 403


def test_scoped_operator_cannot_touch_other_organisations(client_for, operator_a, site_a, site_b, org_b):
    client = client_for(operator_a)
    assert client.get(reverse("inventory:site_update", args=["disdik"])).status_code == 404
    assert (
        client.post(reverse("inventory:site_update", args=["disdik"]), site_form_data(site_b)).status_code
        == 404
    )
    assert client.post(reverse("inventory:site_delete", args=["disdik"])).status_code in (403, 404)
    form_page = client.get(reverse("inventory:site_create"))
    assert list(form_page.context["form"].fields["organisation"].queryset) == [site_a.organisation]
    response = client.post(
        reverse("inventory:site_create"),
        {
            "slug": "baru",
            "name": "Baru",
            "url": "https://baru.example.go.id/",
            "organisation": org_b.pk,
            "cms": "other",
            "is_active": "on",
        },
    )
    assert response.status_code == 200 and "organisation" in response.context["form"].errors
    assert not Site.objects.filter(slug="baru").exists()
    # Nor move its own site into another organisation.
    response = client.post(
        reverse("inventory:site_update", args=["kominfo"]), site_form_data(site_a, organisation=org_b.pk)
    )
    assert "organisation" in response.context["form"].errors


def test_scoped_operator_must_place_new_organisations_inside_their_own(client_for, operator_a, org_a):
    client = client_for(operator_a)
    response = client.post(reverse("inventory:organisation_create"), {"name": "Lepas", "code": "lepas"})
    assert "parent" in response.context["form"].errors
    client.post(
        reverse("inventory:organisation_create"), {"name": "Seksi", "code": "seksi", "parent": org_a.pk}
    )
    assert Organisation.objects.get(code="seksi").parent == org_a


def test_scoped_operator_keeps_a_parent_they_cannot_see(client_for, operator_a, org_a):
    pemda = Organisation.objects.create(name="Pemerintah Kabupaten", code="pemkab")
    org_a.parent = pemda
    org_a.save()
    client = client_for(operator_a)
    url = reverse("inventory:organisation_update", args=[org_a.pk])
    page = client.get(url)
    assert page.context["form"].fields["parent"].disabled
    response = client.post(url, {"name": "Diskominfo Baru", "code": org_a.code, "parent": ""})
    assert response.status_code == 302, response.context["form"].errors
    org_a.refresh_from_db()
    assert (org_a.name, org_a.parent) == ("Diskominfo Baru", pemda)


def test_third_party_sees_only_sites_linked_to_it(client_for, make_user, hosting, site_a, site_b):
    from jagaweb.people.choices import RoleKind

    site_a.third_parties.add(hosting)
    client = client_for(make_user(RoleKind.THIRD_PARTY, third_party=hosting))
    listing = client.get(reverse("inventory:site_list")).content.decode()
    assert "Portal Kominfo" in listing and "Portal Disdik" not in listing
    assert client.get(reverse("inventory:site_detail", args=["disdik"])).status_code == 404


def test_servers_and_third_parties_follow_the_sites(client_for, operator_a, site_a, site_b, hosting):
    mine = Server.objects.create(hostname="mine.pemda.go.id", hosting=hosting)
    theirs = Server.objects.create(hostname="theirs.pemda.go.id")
    vendor = ThirdParty.objects.create(name="CV Vendor", kind="vendor")
    Site.objects.filter(pk=site_a.pk).update(server=mine)
    Site.objects.filter(pk=site_b.pk).update(server=theirs)
    site_b.third_parties.add(vendor)
    client = client_for(operator_a)
    servers = client.get(reverse("inventory:server_list")).content.decode()
    assert "mine.pemda.go.id" in servers and "theirs.pemda.go.id" not in servers
    assert client.get(reverse("inventory:server_detail", args=[theirs.pk])).status_code == 404
    parties = client.get(reverse("inventory:thirdparty_list")).content.decode()
    assert "Jagoan Hosting" in parties and "CV Vendor" not in parties  # hosting reaches it through its server
    assert client.get(reverse("inventory:thirdparty_detail", args=[vendor.pk])).status_code == 404


# --- Lists, detail page, secrets -------------------------------------------------------------------


def make_sites(org, count, server=None):
    tag = Tag.objects.get_or_create(name="pemda")[0]
    sites = Site.objects.bulk_create(
        Site(
            slug=f"s{org.pk}-{i}",
            name=f"Situs {i:03}",
            url=f"https://s{i}.example.go.id/",
            organisation=org,
            server=server,
        )
        for i in range(count)
    )
    Site.tags.through.objects.bulk_create(Site.tags.through(site_id=s.pk, tag_id=tag.pk) for s in sites)


def count_queries(client, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_site_list_paginates_without_n_plus_one(
    operator_client, org_a, server, django_assert_max_num_queries
):
    make_sites(org_a, 3, server)
    few = count_queries(operator_client, reverse("inventory:site_list"), django_assert_max_num_queries)
    make_sites(Organisation.objects.create(name="Dinas Kesehatan", code="dinkes"), 120, server)
    response = operator_client.get(reverse("inventory:site_list") + "?page=2")
    assert len(response.context["object_list"]) == 50 and response.context["paginator"].count == 123
    many = count_queries(operator_client, reverse("inventory:site_list"), django_assert_max_num_queries)
    assert many == few


def test_site_list_filters(operator_client, site_a, site_b):
    site_b.is_active = False
    site_b.save()
    site_a.tags.add(Tag.objects.create(name="utama"))
    url = reverse("inventory:site_list")

    def names(query):
        return [s.slug for s in operator_client.get(url + query).context["object_list"]]

    assert names("") == ["disdik", "kominfo"]
    assert names("?search=disdik") == ["disdik"]
    assert names("?organisation=diskominfo") == ["kominfo"]
    assert names("?is_active=false") == ["disdik"]
    assert names("?tag=utama") == ["kominfo"]
    assert names("?organisation=not-an-org") == []


def test_site_detail_shows_everything_but_the_secret(operator_client, secret_site, hosting, server):
    secret_site.server = server
    secret_site.access_logs = ["/var/log/apache2/kominfo.log"]
    secret_site.save()
    secret_site.third_parties.add(hosting)
    secret_site.tags.add(Tag.objects.create(name="utama"))
    operator_client.post(
        reverse("inventory:site_update", args=[secret_site.slug]),
        site_form_data(secret_site, notes="Diperbarui"),
    )
    page = operator_client.get(secret_site.get_absolute_url()).content.decode()
    for expected in (
        "web1.pemda.go.id",
        "Jagoan Hosting",
        "utama",
        "/var/log/apache2/kominfo.log",
        "Dinas Komunikasi dan Informatika",
        "stored",
        "Changed site Portal Kominfo: notes",
    ):
        assert expected in page
    assert SECRET not in page


def test_secret_in_no_page(operator_client, secret_site):
    for url in (
        reverse("inventory:site_list"),
        secret_site.get_absolute_url(),
        reverse("inventory:site_update", args=[secret_site.slug]),
        reverse("inventory:site_export") + "?format=csv",
        reverse("inventory:site_export") + "?format=yaml",
        reverse("inventory:organisation_detail", args=[secret_site.organisation_id]),
    ):
        response = operator_client.get(url)
        assert response.status_code == 200
        assert SECRET not in response.content.decode(), url


def test_panels_are_shown_on_the_site_page(operator_client, site_a, settings, tmp_path, monkeypatch):
    (tmp_path / "panel_test").mkdir()
    (tmp_path / "panel_test" / "uptime.html").write_text(
        "Uptime of {{ site.slug }}: {{ panel_data.percent }}%"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    monkeypatch.setattr(panels, "PANELS", {})
    panels.register(
        panels.Panel("uptime", "Uptime", "panel_test/uptime.html", lambda site: {"percent": 99.5})
    )
    panels.register(
        panels.Panel(
            "secret", "Hidden", "panel_test/uptime.html", lambda site: {}, permission="inventory.delete_site"
        )
    )
    page = operator_client.get(site_a.get_absolute_url()).content.decode()
    assert "Uptime of kominfo: 99.5%" in page and "Hidden" not in page


def test_reserved_slug_is_refused(operator_client, org_a):
    response = operator_client.post(
        reverse("inventory:site_create"),
        {
            "slug": "import",
            "name": "X",
            "url": "https://x.example.go.id/",
            "organisation": org_a.pk,
            "cms": "other",
        },
    )
    assert "slug" in response.context["form"].errors


def test_export_respects_filter_and_is_recorded(operator_client, operator, site_a, site_b):
    response = operator_client.get(reverse("inventory:site_export") + "?organisation=diskominfo&format=csv")
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    assert "kominfo" in body and "disdik," not in body
    [event] = events(verbs.EXPORTED)
    assert (event.actor, event.data["count"], event.data["format"]) == (operator, 1, "CSV")
