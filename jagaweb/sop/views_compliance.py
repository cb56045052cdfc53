"""The compliance page: per SOP and period, runs, steps done within their Waktu, average duration per step
against the time allowed, and the steps open past their due time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jagaweb.sop.compliance import compliance_all
from jagaweb.sop.visibility import visible_runs

MAX_PERIOD = timedelta(days=3660)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


def month_of(today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def period(request: HttpRequest) -> tuple[PeriodForm, date, date]:
    """The period asked for (this month by default), as first and last day."""
    form = PeriodForm(request.GET or None)
    first, last = month_of(timezone.localdate())
    if form.is_valid():
        first = form.cleaned_data["start"] or first
        last = form.cleaned_data["end"] or last
    if last < first or last - first > MAX_PERIOD:
        last = first
    return form, first, last


def moment(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.get_current_timezone())


@permission_required("sop.view_run", raise_exception=True)
def compliance_page(request: HttpRequest) -> HttpResponse:
    form, first, last = period(request)
    reports = compliance_all(moment(first), moment(last + timedelta(days=1)), runs=visible_runs(request.user))
    shown = [report for report in reports if report.runs or report.steps_done or report.overdue]
    return render(request, "sop/compliance.html", {"form": form, "first": first, "last": last, "reports": shown})
