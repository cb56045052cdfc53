from __future__ import annotations

import csv
import io

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jagaweb.activity.log import SystemJob
from jagaweb.activity.models import Event
from jagaweb.inventory import verbs
from jagaweb.inventory.models import Organisation, Server, Site
from jagaweb.inventory.transfer import export_sites, import_sites
from tests.inventory.helpers import SECRET

pytestmark = pytest.mark.django_db
CLI = SystemJob("cli")

GOOD_CSV = (
    "slug,name,url,organisation,organisation_name,server,cms,db_engine,db_port,access_logs,tags,is_active\n"
    "kominfo,Portal Kominfo Baru,http://127.0.0.1:8081/,diskominfo,,web1.pemda.go.id,wordpress,mysql,3306,"
    "/var/log/a.log;/var/log/b.log,pemda;utama,ya\n"
    "dinkes,Portal Dinkes,https://dinkes.example.go.id/,dinkes,Dinas Kesehatan,web1.pemda.go.id,joomla,,,,"
    "pemda,tidak\n"
)


def test_good_csv_creates_and_updates(site_a):
    result = import_sites(GOOD_CSV, "csv", CLI, source="sites.csv")
    assert result.ok, result.errors
    assert (result.created, result.updated, result.new_organisations, result.new_servers) == (
        ["dinkes"],
        ["kominfo"],
        ["dinkes"],
        ["web1.pemda.go.id"],
    )
    site_a.refresh_from_db()
    assert site_a.name == "Portal Kominfo Baru" and site_a.db_port == 3306 and site_a.is_active
    assert site_a.access_logs == ["/var/log/a.log", "/var/log/b.log"]
    assert sorted(site_a.tags.values_list("name", flat=True)) == ["pemda", "utama"]
    dinkes = Site.objects.get(slug="dinkes")
    assert dinkes.organisation.name == "Dinas Kesehatan" and not dinkes.is_active
    assert dinkes.server == site_a.server == Server.objects.get()
    [event] = Event.objects.filter(verb=verbs.IMPORTED)
    assert (event.job, event.data["created"], event.data["updated"], event.data["source"]) == (
        "cli",
        1,
        1,
        "sites.csv",
    )
    # Importing the same file again changes nothing.
    again = import_sites(GOOD_CSV, "csv", CLI)
    assert (again.created, again.updated, sorted(again.unchanged)) == ([], [], ["dinkes", "kominfo"])


def test_good_yaml_creates_and_updates(site_a, org_b):
    text = """
- slug: kominfo
  name: Portal Kominfo (YAML)
  is_active: false
  tags: [pemda, berita]
- slug: sekolah
  name: Portal Sekolah
  url: https://sekolah.example.go.id/
  organisation: disdik
  db_port: 5432
  db_engine: postgresql
  access_logs:
    - /var/log/nginx/sekolah.log
  is_active: ya
"""
    result = import_sites(text, "yaml", CLI)
    assert result.ok, result.errors
    assert (result.created, result.updated) == (["sekolah"], ["kominfo"])
    site_a.refresh_from_db()
    # Columns the item leaves out keep their values.
    assert (site_a.name, site_a.is_active, site_a.url) == (
        "Portal Kominfo (YAML)",
        False,
        "http://127.0.0.1:8081/",
    )
    sekolah = Site.objects.get(slug="sekolah")
    assert (sekolah.organisation, sekolah.db_port, sekolah.access_logs) == (
        org_b,
        5432,
        ["/var/log/nginx/sekolah.log"],
    )


def test_one_bad_row_imports_nothing_and_names_line_and_field(site_a):
    text = (
        "slug,name,url,organisation,cms\n"
        "satu,Satu,https://satu.example.go.id/,diskominfo,wordpress\n"
        "kominfo,Diubah,http://127.0.0.1:8081/,diskominfo,wordpress\n"
        "dua,Dua,not a url,diskominfo,wordpress\n"
        "tiga,Tiga,https://tiga.example.go.id/,diskominfo,frontpage\n"
    )
    result = import_sites(text, "csv", CLI)
    assert result.errors == [
        "line 4, url: Enter a valid URL.",
        "line 5, cms: Select a valid choice. frontpage is not one of the available choices.",
    ]
    assert sorted(Site.objects.values_list("slug", flat=True)) == ["kominfo"]
    site_a.refresh_from_db()
    assert site_a.name == "Portal Kominfo"
    assert not Event.objects.filter(verb=verbs.IMPORTED).exists()


def test_csv_lines_are_physical_lines(org_a):
    text = (
        "slug,name,url,organisation,notes\n"
        "\n"
        'satu,Satu,https://satu.example.go.id/,diskominfo,"two\nlines"\n'
        "dua,Dua,https://dua.example.go.id/,diskominfo,x\n"
        "tiga,Tiga,ftp://tiga.example.go.id/,diskominfo,x\n"
    )
    assert import_sites(text, "csv", CLI).errors == ["line 6, url: Enter a valid URL."]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "The file is empty."),
        ("slug,name,url\n", "The file contains no sites."),
        ("slug,name,colour\nx,y,z\n", "line 1: unknown column(s): colour."),
        ("slug,name,url\nx,y\n", "line 2: expected 3 values, found 2."),
        ('slug,name,url\nx,"y,https://x/\n', "line 2: not valid CSV"),
        ("slug,slug,url\nx,y,z\n", "line 1: repeated column(s): slug"),
        (
            "slug,name,url,organisation\nsatu,A,https://a.example/,diskominfo\nsatu,B,https://b.example/,diskominfo\n",
            "line 3, slug: the same short name is already on line 2.",
        ),
        (
            "slug,name,url,organisation\nsatu,A,https://a.example/,nowhere\n",
            "line 2, organisation: unknown organisation code “nowhere”; name it in an organisation_name",
        ),
        ("slug,name,url\nsatu,A,https://a.example/\n", "line 2, organisation: This field is required."),
        (
            "slug,name,url,organisation,db_port,is_active\nsatu,A,https://a.example/,diskominfo,lima,mungkin\n",
            "line 2, db_port: Enter a whole number.",
        ),
        (
            "slug,name,url,organisation,is_active\nsatu,A,https://a.example/,diskominfo,mungkin\n",
            "line 2, is_active: Enter true or false (ya or tidak).",
        ),
        (
            "slug,name,url,organisation,tags\nsatu,A,https://a.example/,diskominfo,ok;not ok\n",
            "line 2, tags: “not ok” is not a valid tag",
        ),
        (
            "slug,name,url,organisation\nimport,A,https://a.example/,diskominfo\n",
            "line 2, slug: “import” is reserved",
        ),
    ],
)
def test_csv_problems(org_a, text, error):
    result = import_sites(text, "csv", CLI)
    assert result.errors and result.errors[0].startswith(error), result.errors
    assert not Site.objects.exists()


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("- slug: a\n  name: [unclosed\n", "line 3: not valid YAML"),
        ("slug: a\nname: b\n", "line 1: the file must be a list of sites."),
        ("- slug: a\n- just text\n", "line 2: each site must be a mapping"),
        ("- slug: a\n  colour: red\n", "line 1: unknown column(s): colour."),
        ("- slug: a\n  name:\n    nested: x\n", "line 1, name: a single value or a list was expected."),
        ("- slug: a\n  name: [x, y]\n", "line 1, name: a single value was expected, not a list."),
        ("# nothing\n", "The file is empty."),
        (
            "- slug: ok\n  name: Ok\n  url: https://ok.example/\n  organisation: diskominfo\n"
            "\n- slug: bad\n  name: Bad\n  url: nope\n  organisation: diskominfo\n",
            "line 6, url: Enter a valid URL.",
        ),
    ],
)
def test_yaml_problems(org_a, text, error):
    result = import_sites(text, "yaml", CLI)
    assert result.errors and result.errors[0].startswith(error), result.errors
    assert not Site.objects.exists()


def test_file_too_large(org_a):
    text = (
        "slug,name,url,organisation,notes\n"
        + f"a,A,https://a.example/,diskominfo,{'x' * (5 * 1024 * 1024)}\n"
    )
    assert import_sites(text, "csv", CLI).errors == ["The file is larger than 5 MB."]


def test_dry_run_writes_nothing(site_a):
    result = import_sites(GOOD_CSV, "csv", CLI, dry_run=True)
    assert result.ok and result.dry_run and result.created == ["dinkes"] and result.updated == ["kominfo"]
    assert Site.objects.count() == 1 and not Organisation.objects.filter(code="dinkes").exists()
    assert not Server.objects.exists() and not Event.objects.exists()


def test_password_is_imported_but_never_exported(site_a):
    text = f"slug,db_password\nkominfo,{SECRET}\n"
    assert import_sites(text, "csv", CLI).ok
    site_a.refresh_from_db()
    assert site_a.db_password == SECRET
    # An empty cell keeps it.
    assert import_sites("slug,db_password,name\nkominfo,,Nama Baru\n", "csv", CLI).ok
    site_a.refresh_from_db()
    assert site_a.db_password == SECRET and site_a.name == "Nama Baru"
    for fmt in ("csv", "yaml"):
        exported = export_sites(Site.objects.all(), fmt)
        assert SECRET not in exported and "db_password" not in exported
    assert SECRET not in str(list(Event.objects.values_list("data", flat=True)))


def test_export_round_trip(site_a, site_b, server):
    site_a.server = server
    site_a.access_logs = ["/var/log/a.log", "/var/log/b.log"]
    site_a.notes = 'Koma, "kutip"\ndan baris baru'
    site_a.save()
    for fmt in ("csv", "yaml"):
        text = export_sites(Site.objects.all(), fmt, actor=CLI)
        result = import_sites(text, fmt, CLI)
        assert result.ok and sorted(result.unchanged) == ["disdik", "kominfo"], (fmt, result)
    rows = list(csv.DictReader(io.StringIO(export_sites(Site.objects.all(), "csv"))))
    assert (
        rows[1]["access_logs"] == "/var/log/a.log;/var/log/b.log" and rows[1]["server"] == "web1.pemda.go.id"
    )
    items = yaml.safe_load(export_sites(Site.objects.all(), "yaml"))
    assert items[1]["access_logs"] == ["/var/log/a.log", "/var/log/b.log"] and items[1]["is_active"] is True
    assert Event.objects.filter(verb=verbs.EXPORTED).count() == 2


def test_scoped_user_imports_only_within_scope(operator_a, site_a, site_b, org_b):
    text = (
        "slug,name,url,organisation\n"
        "disdik,Dibajak,https://x.example/,disdik\n"
        "baru,Baru,https://baru.example/,disdik\n"
        "baru2,Baru,https://baru2.example/,lain\n"
    )
    result = import_sites(text, "csv", operator_a)
    assert result.errors == [
        "line 2, slug: a site with this short name already exists and you may not change it.",
        "line 3, organisation: unknown organisation code “disdik”.",
        "line 4, organisation: unknown organisation code “lain”.",
    ]
    ok = import_sites(
        "slug,name,url,organisation\nbaru,Baru,https://baru.example/,diskominfo\n", "csv", operator_a
    )
    assert ok.ok and Site.objects.get(slug="baru").organisation == site_a.organisation
    assert Event.objects.get(verb=verbs.IMPORTED).actor == operator_a


# --- the import and export pages ----------------------------------------------------------------


def test_import_page_dry_run_then_import(operator_client, site_a):
    url = reverse("inventory:site_import")
    assert operator_client.get(url).status_code == 200
    upload = SimpleUploadedFile("sites.csv", GOOD_CSV.encode(), content_type="text/csv")
    response = operator_client.post(url, {"file": upload, "format": "csv", "dry_run": "on"})
    page = response.content.decode()
    assert "Dry run" in page and "dinkes" in page and not Site.objects.filter(slug="dinkes").exists()
    response = operator_client.post(url, {"text": GOOD_CSV, "format": "csv"})
    assert response.status_code == 302 and Site.objects.filter(slug="dinkes").exists()


def test_import_page_shows_line_numbered_errors(operator_client, org_a):
    bad = "slug,name,url,organisation\nsatu,Satu,https://satu.example/,diskominfo\ndua,Dua,bukan-url,diskominfo\n"
    response = operator_client.post(reverse("inventory:site_import"), {"text": bad, "format": "csv"})
    assert "line 3, url: Enter a valid URL." in response.content.decode()
    assert not Site.objects.exists()


def test_import_page_yaml_upload_and_bad_yaml(operator_client, org_a):
    upload = SimpleUploadedFile("sites.yaml", b"- slug: a\n  name: [x\n")
    response = operator_client.post(reverse("inventory:site_import"), {"file": upload, "format": "yaml"})
    assert "not valid YAML" in response.content.decode()


def test_import_page_refuses_non_utf8_and_needs_input(operator_client):
    upload = SimpleUploadedFile("sites.csv", "slug\nsitü\n".encode("latin-1"))
    response = operator_client.post(reverse("inventory:site_import"), {"file": upload, "format": "csv"})
    assert "not UTF-8" in response.content.decode()
    response = operator_client.post(reverse("inventory:site_import"), {"format": "csv"})
    assert "Upload a file or paste" in response.content.decode()


def test_import_page_needs_permission(client_for, member_a):
    assert client_for(member_a).get(reverse("inventory:site_import")).status_code == 403
