"""`jagaweb sop runs|start|step`: runs listed, started for a site and stepped through as the system actor "cli"."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from jagaweb.activity.models import Event
from jagaweb.sop.choices import RunState
from jagaweb.sop.models import Run
from tests.sop.world import REQUEST_SOP

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def sop(*args: str) -> str:
    out = StringIO()
    call_command("sop", *args, stdout=out)
    return out.getvalue()


def test_start_step_and_list_runs(site_a):
    started = sop("start", REQUEST_SOP, "--site", site_a.slug, "--step", "5")
    run = Run.objects.get()
    assert f"Started run {run.pk}: step 5 for Bidang Aplikasi" in started
    assert run.started_by_label == "sistem:cli"
    with pytest.raises(CommandError, match="decision"):
        sop("step", str(run.pk), "5", "--done")
    answer = sop("step", str(run.pk), "5", "--done", "--decision", "no", "--note", "Tidak ada anggaran")
    assert "step 11 is next" in answer
    assert f"{run.pk}" in sop("runs", "--open") and "step 11" in sop("runs")
    assert "is finished" in sop("step", str(run.pk), "11", "--done")
    run.refresh_from_db()
    assert run.state == RunState.DONE and sop("runs", "--open").strip() == ""
    assert Event.objects.filter(verb="sop.step_decided", job="cli").exists()


def test_unknown_names_are_refused(site_a):
    with pytest.raises(CommandError, match="no definition"):
        sop("start", "tidak_ada", "--site", site_a.slug)
    with pytest.raises(CommandError, match="no site"):
        sop("start", REQUEST_SOP, "--site", "tidak-ada")
    with pytest.raises(CommandError, match="no open step"):
        sop("step", "999", "1", "--done")
