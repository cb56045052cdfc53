"""Forms of the working-hours calendar: weekly hours (the institution's, or an organisation's) and days off."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jagaweb.people.scope import sees_everything, visible_organisations
from jagaweb.sop.models import WEEKDAYS, DayOff, WorkingHours

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ScopedOrganisationMixin:
    """The organisation field offers what the user sees; only who sees everything may leave it empty (the
    whole institution)."""

    fields: dict[str, Any]

    def limit_organisations(self, user: Any) -> None:
        field = self.fields["organisation"]
        field.queryset = visible_organisations(user).order_by("name")
        field.required = not sees_everything(user)


class WorkingHoursForm(ScopedOrganisationMixin, forms.ModelForm):
    class Meta:
        model = WorkingHours
        fields = ["organisation", *[f"{day}_{end}" for day in WEEKDAYS for end in ("start", "end")],
                  "national_holidays", "joint_holidays"]
        widgets = {f"{day}_{end}": TIME for day in WEEKDAYS for end in ("start", "end")}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_organisations(user)


class DayOffForm(ScopedOrganisationMixin, forms.ModelForm):
    class Meta:
        model = DayOff
        fields = ["date", "name", "kind", "organisation", "start", "end"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}), "start": TIME, "end": TIME}
        labels = {"organisation": _("Organisation")}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_organisations(user)
