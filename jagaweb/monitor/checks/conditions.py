"""Conditions an operator combines on an HTTP answer: status, keyword, response time, size, redirects, final URL.

A condition is stored as JSON, e.g. `{"field": "response_ms", "op": "<", "value": 2000, "otherwise": "degraded"}`.
`clean_conditions` validates what a form or the API sends and normalises it (numbers as numbers,
status sets as "200-299,301"); `compile_conditions` turns the stored list into objects for the run,
and `judge` applies them. A failed condition makes the answer DOWN, or DEGRADED when it says so.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jagaweb.monitor.choices import Status

NUMERIC_OPS: dict[str, Callable[[float, float], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}
SET_OPS = ("in", "not in")
TEXT_OPS = ("contains", "not contains")
FIELD_OPS: dict[str, tuple[str, ...]] = {
    "status": (*SET_OPS, *NUMERIC_OPS),
    "response_ms": tuple(NUMERIC_OPS),
    "size": tuple(NUMERIC_OPS),
    "redirects": tuple(NUMERIC_OPS),
    "keyword": TEXT_OPS,
    "final_url": TEXT_OPS,
}
FIELD_LABELS: dict[str, Promise] = {
    "status": _("HTTP status"),
    "response_ms": _("response time (ms)"),
    "size": _("size (bytes)"),
    "redirects": _("redirects"),
    "keyword": _("keyword"),
    "final_url": _("final URL"),
}
OTHERWISE = (Status.DOWN, Status.DEGRADED)
DEFAULT_STATUSES = "200-399"
MAX_CONDITIONS = 20
MAX_TEXT = 500


def parse_statuses(text: str) -> tuple[tuple[int, int], ...]:
    """"200-299, 301, 4xx" -> ((200, 299), (301, 301), (400, 499)); ValueError on anything else."""
    ranges: list[tuple[int, int]] = []
    for part in str(text).replace(" ", "").split(","):
        if not part:
            continue
        if len(part) == 3 and part[0].isdigit() and part[1:].lower() == "xx":
            low, high = int(part[0]) * 100, int(part[0]) * 100 + 99
        elif "-" in part:
            first, _sep, last = part.partition("-")
            low, high = int(first), int(last)
        else:
            low = high = int(part)
        if not 100 <= low <= high <= 599:
            raise ValueError(part)
        ranges.append((low, high))
    if not ranges:
        raise ValueError(text)
    return tuple(ranges)


def number_text(value: float) -> str:
    """2000.0 -> "2000", 1048576.0 -> "1048576", 12.345 -> "12.3" (never "1.04858e+06")."""
    return str(round(value)) if value >= 100 or float(value).is_integer() else f"{value:.1f}"


def _status_text(ranges: Iterable[tuple[int, int]]) -> str:
    return ",".join(str(low) if low == high else f"{low}-{high}" for low, high in ranges)


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any  # float for numeric ops, ranges for status sets, str for text ops
    otherwise: Status
    ignore_case: bool = False

    def holds(self, observed: Observed) -> bool:
        if self.op in TEXT_OPS:
            if self.field == "keyword":
                haystack = observed.folded_text() if self.ignore_case else observed.text()
            else:
                haystack = observed.final_url.casefold() if self.ignore_case else observed.final_url
            found = self.value in haystack
            return found if self.op == "contains" else not found
        actual = observed.number(self.field)
        if self.op in SET_OPS:
            inside = any(low <= actual <= high for low, high in self.value)
            return inside if self.op == "in" else not inside
        return NUMERIC_OPS[self.op](actual, self.value)

    def failure(self, observed: Observed) -> str:
        """What the operator reads when this condition fails."""
        if self.field == "keyword":
            if self.op == "contains":
                return gettext("keyword %(keyword)r not found") % {"keyword": self.value}
            return gettext("unwanted keyword %(keyword)r found") % {"keyword": self.value}
        if self.field == "final_url":
            if self.op == "contains":
                return gettext("final URL %(url)s does not contain %(text)r") % {"url": observed.final_url,
                                                                                 "text": self.value}
            return gettext("final URL %(url)s contains %(text)r") % {"url": observed.final_url, "text": self.value}
        if self.op in SET_OPS:
            expected = _status_text(self.value)
            if self.op == "not in":
                expected = gettext("not %(statuses)s") % {"statuses": expected}
        else:
            expected = f"{self.op} {number_text(self.value)}"
        return gettext("%(field)s is %(actual)s, expected %(expected)s") % {
            "field": FIELD_LABELS[self.field], "actual": number_text(observed.number(self.field)), "expected": expected,
        }


class Observed:
    """The measured answer; the body is decoded only when a keyword condition asks for it."""

    def __init__(self, *, status: int, response_ms: float, size: int, redirects: int, final_url: str,
                 text: Callable[[], str]) -> None:
        self.numbers = {"status": float(status), "response_ms": response_ms, "size": float(size),
                        "redirects": float(redirects)}
        self.final_url = final_url
        self._text_of = text
        self._text: str | None = None
        self._folded: str | None = None

    def number(self, field: str) -> float:
        return self.numbers[field]

    def text(self) -> str:
        if self._text is None:
            self._text = self._text_of()
        return self._text

    def folded_text(self) -> str:
        if self._folded is None:
            self._folded = self.text().casefold()
        return self._folded


def _number(raw: Any) -> float:
    if isinstance(raw, bool):
        raise ValueError(raw)
    value = float(raw)
    if value != value or value < 0 or value == float("inf"):  # NaN, negatives and infinity mean nothing here
        raise ValueError(raw)
    return value


def _clean_one(index: int, raw: Any) -> dict[str, Any]:
    def problem(message: Promise | str, **params: Any) -> ValidationError:
        prefix = gettext("Condition %(number)s: ") % {"number": index + 1}
        return ValidationError(prefix + (str(message) % params if params else str(message)), code="condition")

    if not isinstance(raw, dict):
        raise problem(_("must be an object with field, op and value."))
    unknown = sorted(set(raw) - {"field", "op", "value", "otherwise", "ignore_case"})
    if unknown:
        raise problem(_("unknown option %(name)s."), name=", ".join(unknown))
    field = raw.get("field")
    if field not in FIELD_OPS:
        raise problem(_("unknown field %(field)r; choose one of %(fields)s."), field=field,
                      fields=", ".join(FIELD_OPS))
    op = raw.get("op")
    if op not in FIELD_OPS[field]:
        raise problem(_("%(field)s cannot be compared with %(op)r; use one of %(ops)s."), field=field, op=op,
                      ops=", ".join(FIELD_OPS[field]))
    otherwise = raw.get("otherwise") or Status.DOWN
    if otherwise not in OTHERWISE:
        raise problem(_("otherwise must be %(down)r or %(degraded)r."), down=Status.DOWN.value,
                      degraded=Status.DEGRADED.value)
    value = raw.get("value")
    cleaned: dict[str, Any] = {"field": field, "op": op, "otherwise": str(otherwise)}
    if op in TEXT_OPS:
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
            raise problem(_("the value must be text of 1 to %(max)s characters."), max=MAX_TEXT)
        cleaned["value"] = value
        cleaned["ignore_case"] = bool(raw.get("ignore_case", False))
    elif op in SET_OPS:
        items = value if isinstance(value, list) else [value]
        try:
            cleaned["value"] = _status_text(parse_statuses(",".join(str(item) for item in items)))
        except ValueError:
            raise problem(_("%(value)r is not a status list such as 200-299,301 or 2xx (statuses 100-599)."),
                          value=value) from None
    else:
        try:
            number = _number(value)
        except (TypeError, ValueError):
            raise problem(_("%(value)r is not a number of zero or more."), value=value) from None
        cleaned["value"] = int(number) if number.is_integer() else number
    return cleaned


def clean_conditions(raw: Any) -> list[dict[str, Any]]:
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise ValidationError(_("Conditions must be a list."), code="conditions")
    if len(raw) > MAX_CONDITIONS:
        raise ValidationError(_("At most %(max)s conditions."), code="conditions", params={"max": MAX_CONDITIONS})
    errors: list[ValidationError] = []
    cleaned: list[dict[str, Any]] = []
    for index, item in enumerate(raw):
        try:
            cleaned.append(_clean_one(index, item))
        except ValidationError as exc:
            errors.append(exc)
    if errors:
        raise ValidationError(errors)
    return cleaned


def compile_conditions(stored: Iterable[dict[str, Any]]) -> tuple[Condition, ...]:
    """Stored (cleaned) conditions as objects; ValueError/KeyError when a stored one is malformed."""
    conditions = []
    for item in stored:
        op = item["op"]
        value: Any = item["value"]
        if op in SET_OPS:
            value = parse_statuses(value)
        elif op in NUMERIC_OPS:
            value = _number(value)
        elif op in TEXT_OPS:
            value = str(value)
        else:
            raise ValueError(op)
        ignore_case = bool(item.get("ignore_case")) and isinstance(value, str)
        if ignore_case:
            value = value.casefold()
        if item["field"] not in FIELD_OPS or op not in FIELD_OPS[item["field"]]:
            raise ValueError(item["field"])
        conditions.append(Condition(item["field"], op, value, Status(item.get("otherwise") or Status.DOWN),
                                    ignore_case))
    return tuple(conditions)


DEFAULT_STATUS_CONDITION = Condition("status", "in", parse_statuses(DEFAULT_STATUSES), Status.DOWN)
SEVERITY = {Status.UP: 0, Status.DEGRADED: 1, Status.DOWN: 2}


def judge(conditions: tuple[Condition, ...], observed: Observed, *, match_any: bool = False
          ) -> tuple[Status, list[str]]:
    """The status and the failures to report.

    Unless a condition is about the status, the answer must also be 200-399: a 500 page that still
    shows the keyword is not a working site. With `match_any`, one holding condition is enough;
    when none holds, the most severe `otherwise` among them decides.
    """
    failures: list[str] = []
    worst = Status.UP
    if not any(condition.field == "status" for condition in conditions) and not DEFAULT_STATUS_CONDITION.holds(
        observed
    ):
        failures.append(DEFAULT_STATUS_CONDITION.failure(observed))
        worst = Status.DOWN
    failed = [condition for condition in conditions if not condition.holds(observed)]
    if failed and not (match_any and len(failed) < len(conditions)):
        failures.extend(condition.failure(observed) for condition in failed)
        for condition in failed:
            if SEVERITY[condition.otherwise] > SEVERITY[worst]:
                worst = condition.otherwise
    return worst, failures
