"""Words the sections' prose shares."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from jagaweb.reports.cells import number

NAMES_IN_TEXT = 10


def listed(names: Iterable[str], limit: int = NAMES_IN_TEXT, separator: str = ", ") -> str:
    """"A, B and 3 more": a problem names its sites, but a province's 400 names would drown the sentence."""
    names = list(names)
    shown = separator.join(names[:limit])
    if len(names) <= limit:
        return shown
    return _("%(names)s and %(more)s more") % {"names": shown, "more": number(len(names) - limit)}
