"""The day picker of a site's visitor log and the blocklist export form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jagaweb.inventory.models import Site
from jagaweb.logwatch.blocklist import DEFAULT_JAIL, FORMATS, parse_since
from jagaweb.logwatch.choices import Severity


class DayForm(forms.Form):
    date = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def chosen(self, default: dt.date) -> dt.date:
        return (self.cleaned_data.get("date") if self.is_valid() else None) or default


class BlocklistForm(forms.Form):
    """Which incidents' addresses to list, and in which file format."""

    format = forms.ChoiceField(label=_("Format"), choices=[(name, item.label) for name, item in FORMATS.items()],
                               initial="nginx")
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), required=False, to_field_name="slug",
                                  empty_label=_("All my sites"))
    min_severity = forms.ChoiceField(label=_("Severity at least"), choices=Severity.choices, initial=Severity.HIGH)
    since = forms.CharField(label=_("Seen in the last"), initial="7d", max_length=10,
                            help_text=_("For example 7d, 12h, 30m; empty: any time."), required=False)
    open_only = forms.BooleanField(label=_("Open incidents only"), required=False)
    include_private = forms.BooleanField(
        label=_("Include private addresses"), required=False,
        help_text=_("Behind a reverse proxy every client may look like the proxy: banning it locks everybody out."))
    jail = forms.RegexField(label=_("fail2ban jail"), regex=r"^[A-Za-z0-9_.-]{1,64}$", initial=DEFAULT_JAIL,
                            required=False)

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]

    def clean_since(self) -> dt.datetime | None:
        text = (self.cleaned_data.get("since") or "").strip()
        if not text:
            return None
        try:
            return timezone.now() - parse_since(text)
        except ValueError as exc:
            raise forms.ValidationError(_("Write a duration such as 7d, 12h or 30m.")) from exc

    def clean_jail(self) -> str:
        return self.cleaned_data.get("jail") or DEFAULT_JAIL
