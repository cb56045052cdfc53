"""What can happen, as dotted codes with a translatable sentence each.

Apps declare their verbs here-by-registration (in their AppConfig.ready or module import), so an
event stores only its code and data and is worded in the reader's language when shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext
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


# Data values that are words of the application (a model's name, such as "site"), stored in English and
# shown in the reader's language; everything else (names, URLs, counts) is shown as stored.
TRANSLATED_KEYS = ("kind",)


def translated_words(data: dict[str, object]) -> dict[str, object]:
    return {key: gettext(value) if key in TRANSLATED_KEYS and isinstance(value, str) else value
            for key, value in data.items()}


def describe(code: str, data: dict[str, object]) -> str:
    verb = VERBS.get(code)
    if verb is None:
        return code
    try:
        return str(verb.sentence).format_map(_Gaps(translated_words(data)))
    except (IndexError, ValueError, AttributeError, TypeError):
        return str(verb.sentence)


EXPORTED = register("activity.exported", _("Exported the activity log as CSV"))
