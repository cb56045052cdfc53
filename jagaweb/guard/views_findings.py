"""Findings: grouped by where they were found (for the site and run pages), one finding with its evidence and
images, and approving one as a legitimate change."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jagaweb.guard.choices import Source
from jagaweb.guard.findings import SEVERITY_ORDER
from jagaweb.guard.images import site_slug_of
from jagaweb.guard.models import Finding
from jagaweb.guard.operations import GuardError, approve_finding
from jagaweb.guard.views import APPROVE, VIEW_FINDINGS, visible_findings

IMAGE_KEYS = ("baseline", "current", "diff")
# Shown elsewhere on the page, or too large to be of use there (a page's whole summary).
HIDDEN_DETAIL = (*IMAGE_KEYS, "summary")


@dataclass(frozen=True)
class FindingGroup:
    source: str
    label: str
    findings: list[Finding]
    count: int

    @property
    def more(self) -> int:
        return self.count - len(self.findings)


def most_urgent_first(findings: QuerySet[Finding]) -> QuerySet[Finding]:
    rank = Case(*[When(severity=severity, then=Value(index)) for index, severity in enumerate(SEVERITY_ORDER)],
                default=Value(0), output_field=IntegerField())
    return findings.annotate(rank=rank).order_by("-rank", "location", "identity", "pk")


def grouped_by_source(findings: QuerySet[Finding], limit: int) -> list[FindingGroup]:
    """Per source (in the order of `Source`), its most urgent `limit` findings and how many there are."""
    counts = dict(findings.order_by().values_list("source").annotate(n=Count("pk")))
    return [FindingGroup(str(source), str(label), list(most_urgent_first(findings.filter(source=source))[:limit]),
                         counts[source])
            for source, label in Source.choices if counts.get(source)]


def image_urls(finding: Finding) -> dict[str, str]:
    """The finding's stored images that belong to its own site, as addresses of the image view."""
    detail = finding.detail if isinstance(finding.detail, dict) else {}
    urls = {}
    for key in IMAGE_KEYS:
        path = detail.get(key)
        if isinstance(path, str) and site_slug_of(path) == finding.site.slug:
            urls[key] = reverse("guard:image", args=[path])
    return urls


def detail_items(finding: Finding) -> list[tuple[str, str]]:
    detail = finding.detail if isinstance(finding.detail, dict) else {}
    return [(key, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
            for key, value in sorted(detail.items()) if key not in HIDDEN_DETAIL]


@permission_required(VIEW_FINDINGS, raise_exception=True)
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    finding = get_object_or_404(visible_findings(request.user), pk=pk)
    context: dict[str, Any] = {
        "finding": finding, "site": finding.site, "images": image_urls(finding), "details": detail_items(finding),
        "can_approve": request.user.has_perm(APPROVE),
    }
    return render(request, "guard/finding_detail.html", context)


@require_POST
@permission_required(APPROVE, raise_exception=True)
def finding_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept what the finding reports as a legitimate change; back to the page the button was on."""
    finding = get_object_or_404(visible_findings(request.user), pk=pk)
    try:
        approve_finding(finding, request.user)
    except GuardError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The change at %(location)s is approved as legitimate.")
                         % {"location": finding.location})
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = reverse("guard:finding_detail", args=[finding.pk])
    return HttpResponseRedirect(back)
