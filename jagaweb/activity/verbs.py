"""What can happen, as dotted codes with a translatable sentence each.

Apps declare their verbs here-by-registration (in their AppConfig.ready or module import), so an
event stores only its code and data and is worded in the reader's language when shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Verb:
    code: str
    sentence: Promise | str


VERBS: dict[str, Verb] = {}


def register(code: str, sentence: Promise | str) -> str:
    VERBS[code] = Verb(code, sentence)
    return code


class _Gaps(dict[str, object]):
    """Event data for a sentence; a detail an older event did not store shows as an ellipsis."""

    def __missing__(self, key: str) -> str:
        return "…"


def describe(code: str, data: dict[str, object]) -> str:
    verb = VERBS.get(code)
    if verb is None:
        return code
    try:
        return str(verb.sentence).format_map(_Gaps(data))
    except (IndexError, ValueError, AttributeError, TypeError):
        return str(verb.sentence)


EXPORTED = register("activity.exported", _("Exported the activity log as CSV"))
