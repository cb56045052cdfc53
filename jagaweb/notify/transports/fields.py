"""Form fields the transports declare their settings with; the channel form and the API clean with them."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext_lazy as _

from jagaweb.notify.phone import normalise_phone

ITEM_SEPARATORS = re.compile(r"[\n,;]+")


class ListField(forms.Field):
    """Several values, one per line (commas also separate); stored as a JSON list."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value: Any) -> list[str]:
        if value in self.empty_values:
            return []
        items = value if isinstance(value, list | tuple) else ITEM_SEPARATORS.split(str(value))
        return [str(item).strip() for item in items if str(item).strip()]

    def clean_item(self, item: str) -> str:
        return item

    def clean(self, value: Any) -> list[str]:
        items = self.to_python(value)
        self.validate(items)
        cleaned, errors = [], []
        for item in items:
            try:
                cleaned.append(self.clean_item(item))
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list | tuple) else value


class EmailListField(ListField):
    def clean_item(self, item: str) -> str:
        try:
            validate_email(item)
        except ValidationError:
            raise ValidationError(_("%(value)s is not an e-mail address."), params={"value": item}) from None
        return item


class PhoneListField(ListField):
    def clean_item(self, item: str) -> str:
        return normalise_phone(item)


class HttpUrlField(forms.URLField):
    """Only http and https: other schemes would let a channel reach files or other protocols."""

    default_validators = [URLValidator(schemes=["http", "https"])]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class SecretField(forms.CharField):
    """Write-only: the page never renders a stored value back."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.PasswordInput(render_value=False))
        kwargs.setdefault("strip", True)
        super().__init__(**kwargs)
