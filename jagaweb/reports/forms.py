"""Forms of the reports pages: asking for a report, acknowledging one, and a report schedule.

The period and organisation checks are plain functions so that the API refuses exactly what the page refuses.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jagaweb.inventory.models import Organisation
from jagaweb.notify.models import Channel
from jagaweb.people.scope import sees_everything, visible_organisations
from jagaweb.reports.choices import Cadence, ReportKind
from jagaweb.reports.models import ReportSchedule

MONTH_FORMAT = "%Y-%m"
DATE_FORMAT = "%Y-%m-%d"
MAX_NOTES = 2000
# The one cadence a kind of report may have; a situation report may come at any of them.
CADENCE_OF_KIND: dict[str, str] = {ReportKind.MONTHLY: Cadence.MONTHLY, ReportKind.DAILY_LOG: Cadence.DAILY}
CADENCE_MESSAGES: dict[str, Promise] = {
    ReportKind.MONTHLY: _("A monthly report is issued every month."),
    ReportKind.DAILY_LOG: _("A daily activity log is issued every day."),
}
ALL_ORGANISATIONS_REFUSED = _("Choose an organisation: a report about every organisation is only for staff who see "
                              "every organisation.")


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=MONTH_FORMAT)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATE_FORMAT)


def last_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def organisations_for(user: Any) -> QuerySet[Organisation]:
    return visible_organisations(user).only("pk", "name").order_by("name", "pk")


def period_errors(kind: str, month: date | None, day: date | None, today: date) -> dict[str, str]:
    """Field name -> why the period cannot be reported on (empty when it can)."""
    if kind == ReportKind.MONTHLY:
        if month is None:
            return {"month": str(_("Choose the month of the monthly report."))}
        if month.replace(day=1) > today.replace(day=1):
            return {"month": str(_("That month has not begun yet."))}
    if kind == ReportKind.DAILY_LOG:
        if day is None:
            return {"day": str(_("Choose the day of the daily activity log."))}
        if day > today:
            return {"day": str(_("That day has not come yet."))}
    return {}


def period_arguments(kind: str, month: date | None, day: date | None) -> tuple[str | None, str | None]:
    """The month (its first day) and the day as the ISO strings the issuing task takes; only the kind's own."""
    if kind == ReportKind.MONTHLY and month is not None:
        return month.replace(day=1).isoformat(), None
    if kind == ReportKind.DAILY_LOG and day is not None:
        return None, day.isoformat()
    return None, None


def may_choose_every_organisation(user: Any) -> bool:
    return sees_everything(user)


class IssueForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=ReportKind.choices, initial=ReportKind.MONTHLY,
                             widget=forms.RadioSelect)
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none(),
                                          required=False, empty_label=_("Every organisation"))
    month = forms.DateField(label=_("Month"), required=False, widget=MonthInput(),
                            input_formats=[MONTH_FORMAT, DATE_FORMAT],
                            help_text=_("For the monthly report: the calendar month it covers."))
    day = forms.DateField(label=_("Day"), required=False, widget=DateInput(), input_formats=[DATE_FORMAT],
                          help_text=_("For the daily activity log: the day it covers."))
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="id")
    notes = forms.CharField(label=_("Notes from the preparer"), required=False, max_length=MAX_NOTES,
                            widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("Printed in the report under the executive summary."))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        today = timezone.localdate()
        kwargs.setdefault("initial", {}).update(month=last_month(today), day=today - timedelta(days=1))
        super().__init__(*args, **kwargs)
        self.user = user
        organisation = cast(forms.ModelChoiceField, self.fields["organisation"])
        organisation.queryset = organisations_for(user)
        if not may_choose_every_organisation(user):
            organisation.empty_label = None  # the first organisation the user sees is chosen

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if kind is None:
            return cleaned
        for name, message in period_errors(kind, cleaned.get("month"), cleaned.get("day"),
                                           timezone.localdate()).items():
            self.add_error(name, message)
        if cleaned.get("organisation") is None and not self.has_error("organisation") \
                and not may_choose_every_organisation(self.user):
            self.add_error("organisation", ALL_ORGANISATIONS_REFUSED)
        return cleaned

    def task_arguments(self) -> tuple[str, int | None, str, str | None, str | None, str]:
        """The arguments of `tasks.issue_for` after the user's id."""
        data = self.cleaned_data
        month, day = period_arguments(data["kind"], data.get("month"), data.get("day"))
        organisation = data.get("organisation")
        return (data["kind"], organisation.pk if organisation else None, data["language"], month, day,
                data.get("notes", "").strip())


class AcknowledgeForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=MAX_NOTES,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Optional: printed with your acknowledgement in the signature block."))


def schedule_errors(kind: str | None, cadence: str | None) -> dict[str, str]:
    wanted = CADENCE_OF_KIND.get(kind or "")
    if wanted is not None and cadence != wanted:
        return {"cadence": str(CADENCE_MESSAGES[kind or ""])}
    return {}


class ScheduleForm(forms.ModelForm):
    class Meta:
        model = ReportSchedule
        fields = ["name", "kind", "cadence", "hour", "organisation", "language", "channels", "enabled"]
        widgets = {"channels": forms.CheckboxSelectMultiple, "hour": forms.NumberInput(attrs={"min": 0, "max": 23})}
        help_texts = {"channels": _("The PDF is sent to these channels as an attachment. None: archived only.")}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        organisation = cast(forms.ModelChoiceField, self.fields["organisation"])
        organisation.queryset = organisations_for(user)
        organisation.empty_label = str(_("Every organisation"))
        if not may_choose_every_organisation(user):
            organisation.empty_label = None
        self.fields["kind"].initial = self.instance.kind or ReportKind.MONTHLY
        cast(forms.ModelChoiceField, self.fields["channels"]).queryset = (
            Channel.objects.visible_to(user).order_by("name"))

    def clean_hour(self) -> int:
        hour = int(self.cleaned_data["hour"])
        if not 0 <= hour <= 23:
            raise forms.ValidationError(_("An hour of the day: 0 to 23."))
        return hour

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, message in schedule_errors(cleaned.get("kind"), cleaned.get("cadence")).items():
            self.add_error(name, message)
        if cleaned.get("organisation") is None and not self.has_error("organisation") \
                and not may_choose_every_organisation(self.user):
            self.add_error("organisation", ALL_ORGANISATIONS_REFUSED)
        return cleaned

    def _save_m2m(self) -> None:
        # Channels the user cannot see stay on the schedule: someone else chose them.
        hidden = []
        if self.instance.pk is not None:
            visible = Channel.objects.visible_to(self.user).values("pk")
            hidden = list(self.instance.channels.exclude(pk__in=visible))
        super()._save_m2m()  # type: ignore[misc]
        if hidden:
            self.instance.channels.add(*hidden)
