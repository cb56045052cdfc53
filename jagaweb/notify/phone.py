"""Phone numbers as WhatsApp gateways want them: digits only, with the country code (62 for Indonesia)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SEPARATORS = re.compile(r"[\s\-.()/]")
INDONESIA = "62"


def normalise_phone(raw: str) -> str:
    """'0812-3456-7890', '+62 812 3456 7890' and '812 3456 7890' all become '6281234567890'.

    Indonesian numbers must be mobile numbers (8 after the country code), as WhatsApp needs;
    a number written with + or 00 and another country code is accepted as an international one.
    """
    text = SEPARATORS.sub("", raw.strip())
    international = text.startswith(("+", "00"))
    digits = text.lstrip("+")
    if international and digits.startswith("00"):
        digits = digits[2:]
    if not digits.isdigit():
        raise ValidationError(_("%(value)s is not a phone number."), params={"value": raw}, code="phone")
    if not international:
        if digits.startswith("0"):
            digits = INDONESIA + digits[1:]
        elif digits.startswith("8"):
            digits = INDONESIA + digits
    if digits.startswith(INDONESIA):
        return _indonesian_mobile(digits, raw)
    if international and 8 <= len(digits) <= 15 and digits[0] != "0":
        return digits
    raise ValidationError(
        _("%(value)s is not a valid Indonesian mobile or international number."),
        params={"value": raw}, code="phone",
    )


def _indonesian_mobile(digits: str, raw: str) -> str:
    subscriber = digits[len(INDONESIA):]
    if not subscriber.startswith("8"):
        raise ValidationError(
            _("%(value)s is not a mobile number (Indonesian mobile numbers start with 08)."),
            params={"value": raw}, code="phone",
        )
    if not 9 <= len(subscriber) <= 12:
        raise ValidationError(
            _("%(value)s has the wrong number of digits for an Indonesian mobile number."),
            params={"value": raw}, code="phone",
        )
    return digits
