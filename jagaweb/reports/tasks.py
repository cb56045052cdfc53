from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import translation
from django_tasks import task

from jagaweb.reports.models import Report


@task()
def redraw_signatures(report_id: int) -> int:
    """Draw the PDF again with the acknowledgements in its signature block."""
    from jagaweb.reports.documents import redraw

    report = Report.objects.get(pk=report_id)
    with translation.override(report.language):
        return redraw(report)


@task()
def issue_for(user_id: int, kind: str, organisation_id: int | None, language: str, month: str | None,
              day: str | None, notes: str) -> int:
    """Issue a report a person asked for on a page, in that person's name; returns the report's id."""
    from datetime import date

    from jagaweb.inventory.models import Organisation
    from jagaweb.reports.issue import issue_report

    user = get_user_model().objects.get(pk=user_id)
    organisation = Organisation.objects.get(pk=organisation_id) if organisation_id else None
    report = issue_report(kind, actor=user, organisation=organisation, language=language, notes=notes,
                          month=date.fromisoformat(month) if month else None,
                          day=date.fromisoformat(day) if day else None)
    return report.pk
