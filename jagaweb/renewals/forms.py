"""Forms of the renewals pages: a service, and a renewal with its invoice."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jagaweb.inventory.visibility import third_parties_for
from jagaweb.people.scope import visible_sites
from jagaweb.renewals.invoices import MAX_INVOICE_BYTES, check_invoice
from jagaweb.renewals.models import Renewal, Service
from jagaweb.renewals.operations import RenewalInput, check_renewal, next_period, owner_of
from jagaweb.renewals.visibility import organisations_for_services

DATE_FORMAT = "%Y-%m-%d"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATE_FORMAT)


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = ["site", "organisation", "kind", "name", "identifier", "provider", "period_start", "period_end",
                  "cost", "billing_cycle", "auto_renew", "is_active", "notes"]
        widgets = {"period_start": DateInput(), "period_end": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"organisation": gettext_lazy("Filled from the site when a site is chosen.")}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        instance: Service = self.instance
        fields = self.fields
        cast(forms.ModelChoiceField, fields["site"]).queryset = (
            visible_sites(user).only("pk", "name").order_by("name"))
        cast(forms.ModelChoiceField, fields["organisation"]).queryset = (
            organisations_for_services(user).only("pk", "name").order_by("name"))
        fields["organisation"].required = False
        providers = third_parties_for(user)
        if instance.provider_id:  # keep the current provider choosable even when no site links it any more
            providers = providers.model.objects.filter(Q(pk__in=providers.values("pk")) | Q(pk=instance.provider_id))
        cast(forms.ModelChoiceField, fields["provider"]).queryset = providers.order_by("name")
        cast(forms.DecimalField, fields["cost"]).widget.attrs.update(step="1", min="0")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.has_error("site") or self.has_error("organisation"):
            return cleaned
        try:
            cleaned["organisation"] = owner_of(self.user, cleaned.get("organisation"), cleaned.get("site"))
        except ValidationError as exc:
            self.add_error(None, exc)
            return cleaned
        self.instance.organisation = cleaned["organisation"]
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end <= start:
            self.add_error("period_end", gettext_lazy("The period must end after it starts."))
        cost = cleaned.get("cost")
        if cost is not None and cost < 0:
            self.add_error("cost", gettext_lazy("The cost cannot be negative."))
        return cleaned


class RenewalForm(forms.ModelForm):
    invoice = forms.FileField(label=gettext_lazy("Invoice"),
                              widget=forms.FileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))

    class Meta:
        model = Renewal
        fields = ["period_start", "period_end", "cost", "invoice", "invoice_number", "paid_on", "notes"]
        widgets = {"period_start": DateInput(), "period_end": DateInput(), "paid_on": DateInput(),
                   "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, service: Service, **kwargs: Any) -> None:
        start, end = next_period(service)
        kwargs.setdefault("initial", {}).update(
            period_start=start, period_end=end, cost=service.cost, paid_on=timezone.localdate())
        kwargs["instance"] = Renewal(service=service)
        super().__init__(*args, **kwargs)
        self.service = service
        self.fields["invoice"].help_text = _("PDF, PNG or JPEG, at most %(size)s.") % {
            "size": filesizeformat(MAX_INVOICE_BYTES)}
        for name in ("period_start", "period_end"):
            self.fields[name].required = True

    def clean_invoice(self) -> Any:
        return check_invoice(self.cleaned_data["invoice"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            check_renewal(self.service, self.renewal_input())
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned

    def renewal_input(self) -> RenewalInput:
        data = self.cleaned_data
        return RenewalInput(
            period_start=data["period_start"], period_end=data["period_end"], invoice=data["invoice"],
            cost=data.get("cost"), invoice_number=data.get("invoice_number", ""), paid_on=data.get("paid_on"),
            notes=data.get("notes", ""),
        )
