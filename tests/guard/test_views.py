"""The guard pages: the overview with its filters, a site's guard page with its findings grouped by where they
were found, approving a finding, "check now" queueing a task the page then follows, and who may do what."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from jagaweb.activity.models import Event
from jagaweb.guard.choices import FindingState, Identity, RunKind, RunState, Severity, Source, Verdict
from jagaweb.guard.models import Finding, GuardProfile, GuardRun, PageBaseline
from jagaweb.inventory.models import Site
from jagaweb.people.choices import RoleKind

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
SPAM_REASON = {"code": "judol.promo", "message": "Gambling promotion words", "weight": 60,
               "evidence": ["slot gacor", "maxwin"]}


def make_run(site: Site, *, verdict: str = Verdict.CLEAN, state: str = RunState.SUCCEEDED,
             kind: str = RunKind.CHECK, minutes_ago: int = 0, **fields: Any) -> GuardRun:
    severity = Severity.CRITICAL if verdict in (Verdict.JUDOL, Verdict.DEFACED) else Severity.INFO
    run = GuardRun.objects.create(site=site, kind=kind, state=state, verdict=verdict, severity=severity, **fields)
    if minutes_ago:
        GuardRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(minutes=minutes_ago))
        run.refresh_from_db()
    return run


def make_finding(run: GuardRun, source: str = Source.PAGE, location: str = "", **fields: Any) -> Finding:
    values: dict[str, Any] = {"verdict": Verdict.JUDOL, "severity": Severity.CRITICAL, "score": 80,
                              "reasons": [SPAM_REASON], **fields}
    return Finding.objects.create(run=run, site=run.site, source=source, location=location or run.site.url, **values)


@pytest.fixture
def member(make_user: Any, org_a: Any) -> Any:
    """Staf OPD of organisation A: reads its runs and findings, changes nothing."""
    return make_user(RoleKind.ORG_MEMBER, organisation=org_a, username="staf-kominfo")


@pytest.fixture
def attacked(site_a: Site) -> dict[str, Any]:
    """site_a: a check that found cloaked gambling spam on a page and a webshell among the files."""
    GuardProfile.objects.create(site=site_a, known_good_at=timezone.now() - timedelta(days=3),
                                known_good_by="operator")
    old = make_run(site_a, minutes_ago=90)
    run = make_run(site_a, verdict=Verdict.JUDOL, minutes_ago=5, counts={"pages": 3, "findings.page": 1})
    page = make_finding(run, Source.PAGE, identity=Identity.GOOGLEBOT)
    shell = make_finding(run, Source.FILE, "wp-content/uploads/shell.php", verdict=Verdict.SUSPICIOUS,
                         severity=Severity.HIGH, reasons=[{"code": "file.new", "message": "New PHP file in uploads",
                                                           "weight": 40, "evidence": ["eval(base64_decode"]}])
    PageBaseline.objects.create(site=site_a, url=site_a.url, identity=Identity.NORMAL, recorded_by="operator",
                                screenshot=f"{site_a.slug}/baseline/home.png")
    return {"old": old, "run": run, "page": page, "shell": shell}


def test_anonymous_visitors_are_sent_to_the_login(client: Any, site_a: Site) -> None:
    for url in (reverse("guard:index"), reverse("guard:site", args=[site_a.slug])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_overview_shows_each_site_with_its_last_check(operator_client: Any, attacked: dict[str, Any],
                                                          site_a: Site, site_b: Site) -> None:
    page = operator_client.get(reverse("guard:index"))
    body = page.content.decode()
    assert page.status_code == 200
    assert site_a.name in body and site_b.name in body
    assert "Online gambling spam" in body and attacked["run"].get_absolute_url() in body
    assert re.search(r'badge bad">Critical</span>\s*1', body) and re.search(r'badge bad">High</span>\s*1', body)
    assert timezone.localtime(timezone.now() - timedelta(days=3)).strftime("%Y-%m-%d") in body
    assert reverse("guard:check_now", args=[site_a.slug]) in body
    assert '<a href="/guard/">Guard</a>' in body  # the navigation entry


def test_the_overview_filters_by_verdict_state_and_organisation(operator_client: Any, attacked: dict[str, Any],
                                                                site_a: Site, site_b: Site, org_b: Any) -> None:
    judol = operator_client.get(reverse("guard:index"), {"verdict": "judol"}).content
    assert site_a.name.encode() in judol and site_b.name.encode() not in judol
    never = operator_client.get(reverse("guard:index"), {"state": "never"}).content
    assert site_b.name.encode() in never and site_a.name.encode() not in never
    findings = operator_client.get(reverse("guard:index"), {"state": "findings"}).content
    assert site_a.name.encode() in findings and site_b.name.encode() not in findings
    by_org = operator_client.get(reverse("guard:index"), {"organisation": org_b.pk}, HTTP_HX_REQUEST="true").content
    assert site_b.name.encode() in by_org and site_a.name.encode() not in by_org and b"<html" not in by_org


def test_the_overview_costs_the_same_few_queries_for_more_sites(operator_client: Any, org_a: Any) -> None:
    def guarded_sites(count: int, start: int) -> None:
        for number in range(start, start + count):
            site = Site.objects.create(slug=f"situs-{number}", name=f"Situs {number}", url="http://127.0.0.1/",
                                       organisation=org_a)
            GuardProfile.objects.create(site=site, known_good_at=timezone.now())
            make_run(site, minutes_ago=30)
            make_finding(make_run(site, verdict=Verdict.JUDOL), Source.FILE, "shell.php")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert operator_client.get(reverse("guard:index")).status_code == 200
        return len(captured)

    guarded_sites(3, 0)
    few = queries()
    guarded_sites(30, 3)
    assert queries() == few


def test_the_overview_pages_through_many_sites(operator_client: Any, org_a: Any) -> None:
    for number in range(55):
        Site.objects.create(slug=f"situs-{number:02}", name=f"Situs {number:02}", url="http://127.0.0.1/",
                            organisation=org_a)
    first = operator_client.get(reverse("guard:index")).content.decode()
    assert "Situs 00" in first and "Situs 54" not in first and "Page 1 of 2" in first
    second = operator_client.get(reverse("guard:index"), {"page": 2}).content.decode()
    assert "Situs 54" in second and "Situs 00" not in second


def test_the_site_page_shows_settings_baselines_findings_and_runs(operator_client: Any, attacked: dict[str, Any],
                                                                  site_a: Site) -> None:
    page = operator_client.get(reverse("guard:site", args=[site_a.slug]))
    body = page.content.decode()
    assert page.status_code == 200
    # Findings grouped by where they were found, with their reasons and evidence.
    assert 'id="findings-page"' in body and 'id="findings-file"' in body
    assert body.index('id="findings-page"') < body.index('id="findings-file"')
    assert "Gambling promotion words" in body and "<code>slot gacor</code>" in body
    assert "wp-content/uploads/shell.php" in body and "New PHP file in uploads" in body and "Googlebot" in body
    assert body.count(">Approve</button>") == 2
    # The baseline with its screenshot, the runs, the settings form.
    assert reverse("guard:image", args=[f"{site_a.slug}/baseline/home.png"]) in body
    assert attacked["old"].get_absolute_url() in body and attacked["run"].get_absolute_url() in body
    assert 'name="pages"' in body and "Mark as known-good" in body and "Check now" in body


def test_staff_of_the_organisation_read_but_change_nothing(client_for: Any, member: Any, attacked: dict[str, Any],
                                                           site_a: Site) -> None:
    client = client_for(member)
    body = client.get(reverse("guard:site", args=[site_a.slug])).content.decode()
    assert "Gambling promotion words" in body
    assert ">Approve</button>" not in body and "Check now" not in body and 'name="pages"' not in body
    finding = attacked["page"]
    assert client.post(reverse("guard:finding_approve", args=[finding.pk])).status_code == 403
    assert client.post(reverse("guard:check_now", args=[site_a.slug])).status_code == 403
    assert client.post(reverse("guard:known_good", args=[site_a.slug])).status_code == 403
    finding.refresh_from_db()
    assert finding.state == FindingState.OPEN and not DBTaskResult.objects.exists()


def test_another_organisations_guard_is_404(client_for: Any, member: Any, make_user: Any, org_a: Any,
                                            site_b: Site) -> None:
    run = make_run(site_b, verdict=Verdict.DEFACED)
    finding = make_finding(run, verdict=Verdict.DEFACED)
    scoped_operator = make_user(RoleKind.OPERATOR, organisation=org_a, username="operator-kominfo")
    for user in (member, scoped_operator):
        client = client_for(user)
        assert client.get(reverse("guard:site", args=[site_b.slug])).status_code == 404
        assert client.get(reverse("guard:run_detail", args=[run.pk])).status_code == 404
        assert client.get(reverse("guard:finding_detail", args=[finding.pk])).status_code == 404
        assert site_b.name.encode() not in client.get(reverse("guard:index")).content
    operator = client_for(scoped_operator)
    assert operator.post(reverse("guard:finding_approve", args=[finding.pk])).status_code == 404
    assert operator.post(reverse("guard:check_now", args=[site_b.slug])).status_code == 404
    finding.refresh_from_db()
    assert finding.state == FindingState.OPEN and not DBTaskResult.objects.exists()


def test_approving_a_finding_changes_its_state_and_is_logged(operator_client: Any, operator: Any,
                                                             attacked: dict[str, Any], site_a: Site) -> None:
    finding = attacked["shell"]
    back = reverse("guard:site", args=[site_a.slug]) + "#findings-file"
    response = operator_client.post(reverse("guard:finding_approve", args=[finding.pk]), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    finding.refresh_from_db()
    assert finding.state == FindingState.APPROVED
    assert "wp-content/uploads/shell.php" in GuardProfile.objects.get(site=site_a).accepted_files
    assert Event.objects.filter(verb="guard.approved", actor=operator, site=site_a).count() == 1
    # Approving it again is refused with the operation's own words; a foreign "next" is not followed.
    again = operator_client.post(reverse("guard:finding_approve", args=[finding.pk]),
                                 {"next": "https://evil.example/"}, follow=True)
    assert b"Only open findings can be approved" in again.content
    assert again.redirect_chain[0][0] == reverse("guard:finding_detail", args=[finding.pk])
    assert Event.objects.filter(verb="guard.approved").count() == 1


def test_the_finding_page_shows_its_evidence(operator_client: Any, attacked: dict[str, Any]) -> None:
    finding = attacked["shell"]
    Finding.objects.filter(pk=finding.pk).update(detail={"sha256": "ab" * 32, "size": 2048})
    body = operator_client.get(reverse("guard:finding_detail", args=[finding.pk])).content.decode()
    assert "eval(base64_decode" in body and "ab" * 32 in body and "New PHP file in uploads" in body
    assert reverse("guard:finding_approve", args=[finding.pk]) in body


def test_check_now_queues_a_task_and_runs_nothing_in_the_request(client_for: Any, operator: Any,
                                                                 site_a: Site) -> None:
    response = client_for(operator).post(reverse("guard:check_now", args=[site_a.slug]))
    task = DBTaskResult.objects.get()
    assert task.task_path == "jagaweb.guard.tasks.check_now"
    assert task.args_kwargs["args"] == [site_a.pk, operator.pk]
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('guard:pending', args=[site_a.slug])}?task={task.id}"
    assert not GuardRun.objects.exists()


def test_the_waiting_page_follows_the_run_once_the_worker_starts_it(operator_client: Any, site_a: Site) -> None:
    operator_client.post(reverse("guard:check_now", args=[site_a.slug]))
    task = DBTaskResult.objects.get()
    url = f"{reverse('guard:pending', args=[site_a.slug])}?task={task.id}"
    waiting = operator_client.get(url)
    assert waiting.status_code == 200 and b'hx-trigger="every 2s"' in waiting.content
    assert operator_client.get(url, HTTP_HX_REQUEST="true").status_code == 204
    # The worker picks it up and the run starts: the page goes to the run, which follows itself.
    DBTaskResult.objects.filter(pk=task.pk).update(status=TaskResultStatus.RUNNING, started_at=timezone.now())
    run = make_run(site_a, state=RunState.RUNNING, step="look at the pages")
    followed = operator_client.get(url, HTTP_HX_REQUEST="true")
    assert followed.status_code == 204 and followed["HX-Redirect"] == run.get_absolute_url()
    progress = operator_client.get(run.get_absolute_url()).content.decode()
    assert reverse("guard:run_progress", args=[run.pk]) in progress and "look at the pages" in progress
    assert "HX-Refresh" not in operator_client.get(reverse("guard:run_progress", args=[run.pk]))
    # It finished: the progress asks for a reload, the waiting page leads to the run.
    GuardRun.objects.filter(pk=run.pk).update(state=RunState.SUCCEEDED, finished_at=timezone.now())
    DBTaskResult.objects.filter(pk=task.pk).update(status=TaskResultStatus.SUCCESSFUL, return_value=run.pk)
    assert operator_client.get(reverse("guard:run_progress", args=[run.pk]))["HX-Refresh"] == "true"
    done = operator_client.get(url)
    assert done.status_code == 302 and done["Location"] == run.get_absolute_url()


def test_a_check_queued_with_the_immediate_backend_runs_in_the_users_name(client_for: Any, operator: Any,
                                                                          site_a: Site, settings: Any) -> None:
    settings.TASKS = IMMEDIATE
    GuardProfile.objects.create(site=site_a, visual=False, files=False, database=False)  # pages only
    client = client_for(operator)
    response = client.post(reverse("guard:check_now", args=[site_a.slug]), follow=True)
    run = GuardRun.objects.get(site=site_a)
    assert run.kind == RunKind.CHECK and run.state == RunState.SUCCEEDED and run.actor == operator.username
    assert response.status_code == 200 and run.get_absolute_url().encode() in response.content
    # The site's address is on loopback and the profile does not allow private addresses: noted, not fetched.
    assert run.report["notes"]


def test_restore_is_offered_and_queued_only_when_files_changed(client_for: Any, operator: Any,
                                                               attacked: dict[str, Any], site_a: Site,
                                                               site_b: Site) -> None:
    """Needs jagaweb.guard.tasks.restore_now (the repair library's task)."""
    client = client_for(operator)
    assert reverse("guard:restore_now", args=[site_a.slug]).encode() in client.get(
        reverse("guard:site", args=[site_a.slug])).content
    assert reverse("guard:restore_now", args=[site_b.slug]).encode() not in client.get(
        reverse("guard:site", args=[site_b.slug])).content
    refused = client.post(reverse("guard:restore_now", args=[site_b.slug]), follow=True)
    assert b"nothing to restore" in refused.content and not DBTaskResult.objects.exists()
    response = client.post(reverse("guard:restore_now", args=[site_a.slug]))
    task = DBTaskResult.objects.get()
    assert task.task_path == "jagaweb.guard.tasks.restore_now"
    assert task.args_kwargs["args"] == [site_a.pk, operator.pk]
    assert response["Location"] == f"{reverse('guard:pending', args=[site_a.slug])}?task={task.id}"


def test_a_site_named_quarantine_cannot_read_the_quarantine_through_the_image_view(settings) -> None:
    from jagaweb.guard.images import image_file, media_root

    quarantined = Path(settings.DATA_DIR) / "guard" / "quarantine" / "kominfo" / "shot.png"
    quarantined.parent.mkdir(parents=True)
    quarantined.write_bytes(b"\x89PNG\r\n\x1a\n")
    assert media_root() != quarantined.parents[2]
    assert image_file("quarantine/kominfo/shot.png") is None
