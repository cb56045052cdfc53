"""What a user may see of the SOP records; the pages, the API and the CLI start here. A record of a site goes
with the site (`people.scope`); a record of an organisation without a site (a request for a new website)
with the organisation."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from jagaweb.activity.log import SystemJob
from jagaweb.people.scope import sees_everything, visible_organisations, visible_sites
from jagaweb.sop.models import Case, Complaint, Run, RunStep, WebsiteRequest


def unlimited(actor: Any) -> bool:
    return isinstance(actor, SystemJob) or sees_everything(actor)


def scoped(actor: Any) -> Q:
    return Q(site__in=visible_sites(actor)) | Q(site__isnull=True, organisation__in=visible_organisations(actor))


def visible_runs(actor: Any) -> QuerySet[Run]:
    runs = Run.objects.select_related("site", "organisation", "started_by")
    return runs if unlimited(actor) else runs.filter(scoped(actor))


def visible_steps(actor: Any) -> QuerySet[RunStep]:
    steps = RunStep.objects.select_related("run", "run__site", "run__organisation", "assignee")
    return steps if unlimited(actor) else steps.filter(run__in=visible_runs(actor).values("pk"))


def visible_cases(actor: Any) -> QuerySet[Case]:
    cases = Case.objects.select_related("site", "organisation", "run")
    return cases if unlimited(actor) else cases.filter(scoped(actor))


def visible_complaints(actor: Any) -> QuerySet[Complaint]:
    complaints = Complaint.objects.select_related("site", "case")
    return complaints if unlimited(actor) else complaints.filter(site__in=visible_sites(actor))


def visible_requests(actor: Any) -> QuerySet[WebsiteRequest]:
    requests = WebsiteRequest.objects.select_related("organisation", "site", "run", "server")
    if unlimited(actor):
        return requests
    return requests.filter(Q(organisation__in=visible_organisations(actor)) | Q(site__in=visible_sites(actor)))
