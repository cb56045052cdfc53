"""The executive summary and the list of problems with recommendations, gathered from every section."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _

from jagaweb.reports.choices import ProblemLevel
from jagaweb.reports.sections.base import Part, Problem, Scope

LEVEL_ORDER: dict[str, int] = {ProblemLevel.CRITICAL: 0, ProblemLevel.WARNING: 1, ProblemLevel.NOTICE: 2}


@dataclass(frozen=True)
class Summary:
    opening: str
    sentences: list[str]
    problems: list[Problem]


def period_text(scope: Scope) -> str:
    first, last = scope.first_day, scope.last_day
    if first == last:
        return formats.date_format(first, "DATE_FORMAT")
    return _("%(first)s to %(last)s") % {"first": formats.date_format(first, "DATE_FORMAT"),
                                         "last": formats.date_format(last, "DATE_FORMAT")}


def opening(scope: Scope, unit: str) -> str:
    if scope.is_situation:
        return _("This report sets out the condition of %(count)s websites of %(unit)s as of %(now)s, with "
                 "the events of the previous seven days.") % {
            "count": len(scope.site_ids), "unit": unit,
            "now": formats.date_format(scope.now, "DATETIME_FORMAT")}
    return _("This report covers %(count)s websites of %(unit)s for the period %(period)s.") % {
        "count": len(scope.site_ids), "unit": unit, "period": period_text(scope)}


def summarise(scope: Scope, unit: str, parts: list[Part]) -> Summary:
    problems = [problem for part in parts for problem in part.problems]
    problems.sort(key=lambda problem: LEVEL_ORDER.get(problem.level, 3))
    sentences = [sentence for part in parts for sentence in part.summary]
    if not problems:
        sentences.append(_("No problem that needs action was found in this period."))
    return Summary(opening=opening(scope, unit), sentences=sentences, problems=problems)
