"""Forms of the SOP pages: starting a run, doing a step (note, decision, evidence), assigning it, calling in
a third party, cases, and the public complaint form."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from jagaweb.inventory.models import Site, ThirdParty
from jagaweb.people.scope import visible_sites
from jagaweb.sop.choices import Decision, Symbol
from jagaweb.sop.definitions import definitions
from jagaweb.sop.evidence import ACCEPTED, check_upload
from jagaweb.sop.models import Case, RunStep


def definition_choices() -> list[tuple[str, str]]:
    return [(name, f"{definition.header.nama} ({name})") for name, definition in sorted(definitions().items())]


class StartRunForm(forms.Form):
    definition = forms.ChoiceField(label=_("SOP"))
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    at_step = forms.IntegerField(label=_("Begin at step"), required=False, min_value=1,
                                 help_text=_("Empty: the SOP's start."))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["definition"]).choices = definition_choices()
        cast(forms.ModelChoiceField, self.fields["site"]).queryset = (
            visible_sites(user).filter(is_active=True).order_by("name"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        definition = definitions().get(data.get("definition", ""))
        number = data.get("at_step")
        if definition is not None and number is not None and number not in {step.number for step in definition.steps}:
            self.add_error("at_step", _("The SOP has no such step."))
        return data


class EvidenceField(forms.FileField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _("Accepted: %(types)s.") % {"types": ACCEPTED})
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        return check_upload(upload) if upload else upload


class CompleteStepForm(forms.Form):
    note = forms.CharField(label=_("Note (the step's output)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, required=False,
                                 widget=forms.RadioSelect)
    file = EvidenceField(label=_("Evidence file"), required=False)

    def __init__(self, *args: Any, step: RunStep, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.step = step
        if step.symbol == Symbol.DECISION:
            self.fields["decision"].required = True
        else:
            del self.fields["decision"]


class PauseForm(forms.Form):
    reason = forms.CharField(label=_("What is waited for"), max_length=300, required=False)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class AssignForm(forms.Form):
    assignee = PersonChoiceField(label=_("Assign to"), queryset=get_user_model().objects.none(), required=False,
                                 empty_label=_("Everyone holding the role"))

    def __init__(self, *args: Any, candidates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = (
            get_user_model().objects.filter(pk__in=[user.pk for user in candidates]).order_by("username"))


class EvidenceForm(forms.Form):
    file = EvidenceField(label=_("Evidence file"))
    label = forms.CharField(label=_("What it shows"), max_length=300, required=False)


class InvolveForm(forms.Form):
    third_party = forms.ModelChoiceField(label=_("Third party"), queryset=ThirdParty.objects.order_by("name"))
    request = forms.CharField(label=_("What was asked"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Their answer"), widget=forms.Textarea(attrs={"rows": 2}))


class CaseForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = ["site", "title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)
        site_field.queryset = visible_sites(user).order_by("name")
        site_field.required = True


class CaseProgressForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = ["analysis", "solution", "repair", "verification", "closure"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields}


class ComplaintForm(forms.Form):
    """The public form. `website` is the honeypot: hidden from people, filled in by bots that fill everything."""

    text = forms.CharField(label=_("Your complaint"), min_length=10, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 6}))
    page = forms.CharField(label=_("Page concerned (address or title)"), max_length=500, required=False)
    name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    contact = forms.CharField(label=_("E-mail or telephone, for an answer"), max_length=200, required=False)
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))
    token = forms.CharField(widget=forms.HiddenInput)
