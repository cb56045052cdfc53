"""Form fields for list-valued and yes/no site properties.

They accept both what a browser sends (one text value) and what the import reader produces
(a list, a YAML boolean), so the UI and the import validate a site with the same form.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils.translation import gettext_lazy as _

TRUE_WORDS = frozenset({"true", "ya", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "tidak", "no", "n", "0"})


def as_items(value: Any, separator: str) -> list[str]:
    """A list of stripped, non-empty strings from a list or from text split by `separator`."""
    if value in (None, ""):
        return []
    items = [str(item) for item in value] if isinstance(value, list | tuple) else re.split(separator, str(value))
    return [item.strip() for item in items if item and item.strip()]


class LinesField(forms.Field):
    """A list of strings, typed one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, *, max_item_length: int = 500, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.max_item_length = max_item_length

    def to_python(self, value: Any) -> list[str]:
        return as_items(value, r"[\r\n]+")

    def validate(self, value: Any) -> None:
        super().validate(value)
        for item in value:
            if len(item) > self.max_item_length:
                message = _("Each entry may have at most %(limit)d characters.")
                raise ValidationError(message, params={"limit": self.max_item_length})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list | tuple) else value

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.to_python(initial) != self.to_python(data)


class TagListField(LinesField):
    """Tag names separated by commas, spaces or new lines; stored lower-case."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(max_item_length=50, **kwargs)

    def to_python(self, value: Any) -> list[str]:
        return sorted({item.lower() for item in as_items(value, r"[\s,;]+")})

    def validate(self, value: Any) -> None:
        super().validate(value)
        for item in value:
            try:
                validate_slug(item)
            except ValidationError as exc:
                raise ValidationError(
                    _("“%(tag)s” is not a valid tag: use letters, numbers, hyphens or underscores."),
                    params={"tag": item},
                ) from exc

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list | tuple) else value


class YesNoField(forms.Field):
    """true/false, ya/tidak, yes/no, 1/0 or a real boolean."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> bool | None:
        if isinstance(value, bool) or value is None:
            return value
        word = str(value).strip().lower()
        if word == "":
            return None
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValidationError(_("Enter true or false (ya or tidak)."), code="invalid")

    def validate(self, value: Any) -> None:
        if value is None:
            raise ValidationError(self.error_messages["required"], code="required")
