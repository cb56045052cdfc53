from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from jagaweb.activity.models import Event
from jagaweb.inventory import verbs
from jagaweb.inventory.models import Site
from tests.inventory.helpers import SECRET

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("sites", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("suffix", ["csv", "yaml"])
def test_export_import_round_trip(tmp_path, secret_site, site_b, suffix):
    path = tmp_path / f"sites.{suffix}"
    run("export", "--output", str(path))
    text = path.read_text()
    assert "kominfo" in text and "disdik" in text and SECRET not in text
    Site.objects.filter(slug="kominfo").update(name="Diubah", is_active=False)
    Site.objects.filter(slug="disdik").delete()
    out, _ = run("import", str(path))
    assert "1 new, 1 updated, 0 unchanged" in out
    restored = Site.objects.get(slug="kominfo")
    assert (restored.name, restored.is_active, restored.db_password) == ("Portal Kominfo", True, SECRET)
    assert Site.objects.get(slug="disdik").organisation == site_b.organisation
    imported = Event.objects.get(verb=verbs.IMPORTED)
    assert (imported.job, imported.data["source"]) == ("cli", str(path))
    assert Event.objects.get(verb=verbs.EXPORTED).data["format"] == suffix.upper()


def test_export_to_stdout_with_format(site_a):
    out, _ = run("export", "--format", "yaml")
    assert out.startswith("- slug: kominfo")


def test_dry_run_and_user_option(tmp_path, operator_a, site_a, site_b):
    path = tmp_path / "sites.csv"
    path.write_text("slug,name\nkominfo,Baru\n")
    out, _ = run("import", str(path), "--dry-run", "--user", operator_a.username)
    assert "Dry run" in out and Site.objects.get(slug="kominfo").name == "Portal Kominfo"
    run("import", str(path), "--user", operator_a.username)
    assert Event.objects.get(verb=verbs.IMPORTED).actor == operator_a
    # The user's scope applies to exports too.
    out, _ = run("export", "--user", operator_a.username)
    assert "kominfo" in out and "disdik" not in out


def test_bad_input_reports_lines_and_fails(tmp_path, org_a):
    path = tmp_path / "sites.csv"
    path.write_text(
        "slug,name,url,organisation\nsatu,Satu,https://satu.example/,diskominfo\ndua,Dua,salah,diskominfo\n"
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("sites", "import", str(path), stderr=err)
    assert "line 3, url: Enter a valid URL." in err.getvalue()
    assert not Site.objects.exists()


def test_unknown_user_and_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No active user"):
        run("export", "--user", "nobody")
    with pytest.raises(CommandError, match="No such file"):
        run("import", str(tmp_path / "missing.csv"))


def test_console_command_exit_code(tmp_path):
    """The real `jagaweb` command: non-zero exit and the line-numbered error on stderr."""
    path = tmp_path / "sites.csv"
    path.write_text('slug,name,url\nok,Ok,https://ok.example/\nbad,"unclosed,https://x.example/\n')
    env = {**os.environ, "JAGAWEB_DATA_DIR": str(tmp_path / "data"), "JAGAWEB_LANGUAGE": "en"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)  # a file that cannot be read never reaches the database
    done = subprocess.run(
        [sys.executable, "-m", "jagaweb", "sites", "import", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "line 3: not valid CSV" in done.stderr
