"""The public complaint form of a site (`/keluhan/<slug>/`): no login, spam-protected (see sop.complaints).

A bot that fills in the honeypot is thanked like a person, so it learns nothing; a refused token shows the
form again with a fresh one; too many complaints from one address are answered 429.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from jagaweb.inventory.models import Site
from jagaweb.sop.complaints import Refused, Submission, issue_token, submit_complaint
from jagaweb.sop.forms import ComplaintForm


def sender_address(request: HttpRequest) -> str:
    # The direct peer: a forwarded-for header is whatever the sender wants it to be.
    return str(request.META.get("REMOTE_ADDR", ""))


@login_not_required
@require_http_methods(["GET", "POST"])
def complaint_form(request: HttpRequest, slug: str) -> HttpResponse:
    site = get_object_or_404(Site.objects.only("pk", "name", "url", "slug"), slug=slug, is_active=True)
    if request.method == "GET":
        form = ComplaintForm(initial={"token": issue_token(site)})
        return render(request, "sop/complaint_public.html", {"site": site, "form": form})
    form = ComplaintForm(request.POST)
    if not form.is_valid():
        return render(request, "sop/complaint_public.html", {"site": site, "form": form}, status=400)
    data = form.cleaned_data
    submission = Submission(text=data["text"], name=data["name"], contact=data["contact"], page=data["page"],
                            token=data["token"], honeypot=data["website"])
    try:
        complaint = submit_complaint(site, submission, sender_address(request))
    except Refused as refused:
        if refused.reason == Refused.HONEYPOT:
            return render(request, "sop/complaint_thanks.html", {"site": site, "complaint": None})
        status = 429 if refused.reason == Refused.RATE else 400
        again = ComplaintForm(initial={**data, "token": issue_token(site), "website": ""})
        return render(request, "sop/complaint_public.html", {"site": site, "form": again, "refused": refused.message},
                      status=status)
    return render(request, "sop/complaint_thanks.html", {"site": site, "complaint": complaint})
