from __future__ import annotations

from django import forms

from jagaweb.jobs.models import ScheduleEntry


class ScheduleEntryForm(forms.ModelForm):
    """The two things an operator may change about a schedule entry."""

    class Meta:
        model = ScheduleEntry
        fields = ["interval", "enabled"]
