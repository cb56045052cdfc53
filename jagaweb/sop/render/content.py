"""The words the document prints for a definition's values, in the format's own Indonesian.

The SOP AP document is an official Indonesian form: its labels and units are the form's, whatever
language JagaWeb's interface is in (as `jagaweb sop show` prints the header's labels).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from jagaweb.sop.choices import TimeUnit
from jagaweb.sop.definitions import SopDefinition, Step, Waktu

UNIT_WORDS = {
    TimeUnit.MINUTES: "menit",
    TimeUnit.HOURS: "jam",
    TimeUnit.DAYS: "hari",
    TimeUnit.WORKING_DAYS: "hari kerja",
}
YES = "Ya"
NO = "Tidak"


def number_text(value: Decimal) -> str:
    """1, 1,5: Indonesian writes a decimal comma."""
    return f"{value.normalize():f}".replace(".", ",")


def waktu_text(waktu: Waktu | None) -> str:
    if waktu is None:
        return ""
    if waktu.text:
        return waktu.text  # the document's own wording of a range, kept as written
    return f"{number_text(waktu.value)} {UNIT_WORDS[TimeUnit(waktu.unit)]}"


def date_text(value: date | None) -> str:
    return value.strftime("%d-%m-%Y") if value else ""


def keterangan_text(definition: SopDefinition, step: Step) -> str:
    """The Keterangan cell: the step's own note, then who else takes part in it."""
    parts = [step.keterangan] if step.keterangan else []
    if step.involves:
        labels = ", ".join(definition.performers[performer].label for performer in step.involves)
        parts.append(f"Melibatkan {labels}")
    return "\n".join(parts)
