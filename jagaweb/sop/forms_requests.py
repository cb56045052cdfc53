"""Forms of the website requests: submitting one with its letter, and one form per step of the request SOP
made from what that step records (`requests.REQUEST_STEPS`), with the step's note and, at the decision, the
answer."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from jagaweb.inventory.models import Organisation, Site
from jagaweb.inventory.visibility import servers_for
from jagaweb.people.scope import visible_organisations, visible_sites
from jagaweb.sop.choices import Decision, RequestKind, Symbol
from jagaweb.sop.forms import EvidenceField
from jagaweb.sop.models import RunStep, WebsiteRequest
from jagaweb.sop.requests import StepRecord

OPTIONAL = {"server", "server_hostname", "public_ip", "network_config", "rejection_reason"}


class RequestForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Requesting organisation"), queryset=Organisation.objects.none())
    kind = forms.ChoiceField(label=_("Request"), choices=RequestKind.choices)
    site = forms.ModelChoiceField(label=_("Website to update"), queryset=Site.objects.none(), required=False)
    site_name = forms.CharField(label=_("Website name"), max_length=200)
    purpose = forms.CharField(label=_("What is asked"), widget=forms.Textarea(attrs={"rows": 4}))
    letter = EvidenceField(label=_("Request letter"))
    letter_number = forms.CharField(label=_("Letter number"), max_length=100, required=False)
    letter_date = forms.DateField(label=_("Letter date"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = visible_organisations(user).order_by("name")
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = organisations
        cast(forms.ModelChoiceField, self.fields["site"]).queryset = visible_sites(user).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == RequestKind.UPDATE and not data.get("site"):
            self.add_error("site", _("Choose the website to update."))
        site = data.get("site")
        if site is not None and data.get("organisation") and site.organisation_id != data["organisation"].pk:
            self.add_error("site", _("The website belongs to another organisation."))
        return data


def step_form_class(record: StepRecord, step: RunStep, user: Any) -> type[forms.ModelForm]:
    """A form for what `step` records on the request, with its note (and decision)."""

    class RequestStepForm(forms.ModelForm):
        note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

        class Meta:
            model = WebsiteRequest
            fields = list(record.fields)
            widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in
                       ("disposition", "assessment", "rejection_reason", "build_notes", "network_config", "report")}

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            for name in record.files:
                self.fields[name] = EvidenceField(label=self.fields[name].label)
            for name, field in self.fields.items():
                if name in record.fields:
                    field.required = name not in OPTIONAL
            if "server" in self.fields:
                cast(forms.ModelChoiceField, self.fields["server"]).queryset = servers_for(user).order_by("hostname")
                self.fields["subdomain"].required = True
            if step.symbol == Symbol.DECISION:
                self.fields["decision"] = forms.ChoiceField(label=_("Approved?"), choices=Decision.choices,
                                                            widget=forms.RadioSelect)

        def clean(self) -> dict[str, Any]:
            data = super().clean() or {}
            if "server" in self.fields and not data.get("server") and not data.get("server_hostname"):
                self.add_error("server_hostname", _("Choose a server, or give the new server's host name."))
            if data.get("decision") == Decision.NO and not data.get("rejection_reason"):
                self.add_error("rejection_reason", _("A rejection needs its reason."))
            return data

    return RequestStepForm
