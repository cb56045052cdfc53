import pytest
from django.contrib.auth import get_user_model

from jagaweb.activity.models import Event
from jagaweb.demo.setup import register_demo_sites
from jagaweb.demo.sites import plan_sites
from jagaweb.inventory.models import Organisation, Server, Site, ThirdParty
from jagaweb.people.choices import RoleKind
from jagaweb.people.scope import visible_sites

PASSWORD = "Sandi-Demo-2026"
pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_sites(tmp_path):
    return plan_sites(tmp_path, [18081, 18082, 18083])


def test_registers_organisations_server_hosting_and_sites(tmp_path, demo_sites):
    registered = register_demo_sites(tmp_path, demo_sites, password=PASSWORD)

    assert {o.code for o in Organisation.objects.all()} == {"diskominfo", "pn-contoh", "disdik"}
    assert Organisation.objects.get(code="pn-contoh").name == "Pengadilan Negeri Contoh"
    server = Server.objects.get(hostname="demo-host")
    assert server.public_ip == "127.0.0.1" and server.web_server == "other"
    hosting = ThirdParty.objects.get(kind="hosting")
    assert server.hosting == hosting
    assert [s.slug for s in registered] == ["diskominfo", "pn-contoh", "disdik"]
    for demo in demo_sites:
        site = Site.objects.get(slug=demo.slug)
        assert site.url == demo.url
        assert site.web_root == str(demo.web_root)
        assert site.access_logs == [str(demo.access_log)]
        assert site.cms == "static" and site.server == server
        assert list(site.tags.values_list("name", flat=True)) == ["demo"]
        assert list(site.third_parties.all()) == [hosting]
        assert site.organisation.code == demo.spec.organisation_code


def test_creates_the_operator_and_an_organisation_member(tmp_path, demo_sites):
    register_demo_sites(tmp_path, demo_sites, password=PASSWORD)
    users = get_user_model().objects
    operator = users.get(username="operator")
    assert operator.check_password(PASSWORD)
    membership = operator.memberships.get()
    assert membership.role.kind == RoleKind.OPERATOR and membership.role.label == "Admin Website"
    assert membership.organisation is None
    assert visible_sites(operator).count() == 3

    opd = users.get(username="opd")
    assert opd.check_password(PASSWORD)
    membership = opd.memberships.get()
    assert membership.role.kind == RoleKind.ORG_MEMBER and membership.organisation.code == "disdik"
    assert list(visible_sites(opd).values_list("slug", flat=True)) == ["disdik"]


def test_without_a_password_the_users_cannot_log_in(tmp_path, demo_sites):
    register_demo_sites(tmp_path, demo_sites)
    assert not get_user_model().objects.get(username="operator").has_usable_password()


def test_records_what_it_did_as_the_demo_job(tmp_path, demo_sites):
    register_demo_sites(tmp_path, demo_sites, password=PASSWORD)
    events = Event.objects.filter(job="demo")
    assert events.filter(verb="inventory.created", site__slug="disdik").exists()
    assert events.filter(verb="inventory.created", target_label="demo-host").exists()
    assert events.filter(verb="people.user_created", target_label="opd").exists()
    assert events.filter(verb="demo.prepared").get().data["count"] == 3
    assert not Event.objects.exclude(job="demo").exists()


def test_running_again_updates_instead_of_duplicating(tmp_path, demo_sites):
    register_demo_sites(tmp_path, demo_sites, password=PASSWORD)
    moved = plan_sites(tmp_path, [19081, 18082, 18083])
    register_demo_sites(tmp_path, moved, password="Sandi-Baru-2026")

    assert Site.objects.count() == 3 and Organisation.objects.count() == 3
    assert Server.objects.count() == 1 and ThirdParty.objects.count() == 1
    assert Site.objects.get(slug="diskominfo").url == "http://127.0.0.1:19081/"
    changed = Event.objects.get(verb="inventory.changed", site__slug="diskominfo")
    assert changed.data["fields"] == "url"
    operator = get_user_model().objects.get(username="operator")
    assert operator.memberships.count() == 1 and operator.check_password("Sandi-Baru-2026")
