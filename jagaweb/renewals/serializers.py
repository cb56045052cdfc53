"""API representations of services and renewals; related choices offer only what the caller may see."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from jagaweb.inventory.models import Organisation, Site, ThirdParty
from jagaweb.inventory.serializers import ScopedPrimaryKeyRelatedField, ScopedSlugRelatedField
from jagaweb.inventory.visibility import third_parties_for
from jagaweb.people.scope import visible_sites
from jagaweb.renewals.choices import RefreshResult
from jagaweb.renewals.models import Renewal, Service
from jagaweb.renewals.operations import RenewalInput, check_renewal, owner_of
from jagaweb.renewals.visibility import organisations_for_services, visible_services


def drf_error(exc: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(exc, "error_dict"):
        return serializers.ValidationError({name: [str(m) for m in messages] for name, messages
                                            in exc.message_dict.items()})
    return serializers.ValidationError(exc.messages)


class ServiceSerializer(serializers.ModelSerializer):
    organisation = ScopedSlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all(), scope=organisations_for_services, required=False,
        help_text=_("The organisation's code; taken from the site when a site is given."),
    )
    site = ScopedSlugRelatedField(slug_field="slug", queryset=Site.objects.all(), scope=visible_sites,
                                  allow_null=True, required=False, help_text=_("The site's short name."))
    provider = ScopedPrimaryKeyRelatedField(queryset=ThirdParty.objects.all(), scope=third_parties_for,
                                            allow_null=True, required=False)
    days_left = serializers.SerializerMethodField(help_text=_("Days until the period ends; negative once ended."))
    monitored_source = serializers.CharField(read_only=True, help_text=_("Where monitoring found its date (the "
                                                                         "values of end_source)."))

    class Meta:
        model = Service
        fields = ["id", "organisation", "site", "kind", "provider", "name", "identifier", "period_start", "period_end",
                  "days_left", "end_source", "cost", "billing_cycle", "auto_renew", "is_active", "notes",
                  "monitored_end", "monitored_source", "monitored_at", "created_at", "updated_at"]
        read_only_fields = ["end_source", "monitored_end", "monitored_source", "monitored_at", "created_at",
                            "updated_at"]

    def get_days_left(self, service: Service) -> int:
        return service.days_left(timezone.localdate())

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance: Service | None = self.instance
        site = attrs.get("site", instance.site if instance else None)
        if "organisation" in attrs:
            organisation = attrs["organisation"]
        elif instance is not None and not ("site" in attrs and site is not None):
            organisation = instance.organisation
        else:
            organisation = None  # the new site's
        try:
            attrs["organisation"] = owner_of(self.context["request"].user, organisation, site)
        except DjangoValidationError as exc:
            raise drf_error(exc) from exc
        start = attrs.get("period_start", instance.period_start if instance else None)
        end = attrs.get("period_end", instance.period_end if instance else None)
        if start and end and end <= start:
            raise serializers.ValidationError({"period_end": [_("The period must end after it starts.")]})
        cost = attrs.get("cost")
        if cost is not None and cost < 0:
            raise serializers.ValidationError({"cost": [_("The cost cannot be negative.")]})
        return attrs


class RenewalSerializer(serializers.ModelSerializer):
    service = ScopedPrimaryKeyRelatedField(queryset=Service.objects.all(), scope=visible_services)
    invoice = serializers.FileField(write_only=True, help_text=_("PDF, PNG or JPEG, at most 10 MB (multipart)."))
    invoice_url = serializers.SerializerMethodField(help_text=_("Where the invoice is downloaded."))
    recorded_by: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Renewal
        fields = ["id", "service", "period_start", "period_end", "previous_end", "cost", "invoice", "invoice_url",
                  "invoice_name", "invoice_number", "paid_on", "notes", "recorded_by", "recorded_at"]
        read_only_fields = ["previous_end", "invoice_name", "recorded_by", "recorded_at"]

    def get_invoice_url(self, renewal: Renewal) -> str:
        return reverse("renewal-invoice", args=[renewal.pk])

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The page's checks (period, cost, invoice type and size), so both refuse the same things."""
        data = RenewalInput(
            period_start=attrs["period_start"], period_end=attrs["period_end"], invoice=attrs["invoice"],
            cost=attrs.get("cost"), invoice_number=attrs.get("invoice_number", ""), paid_on=attrs.get("paid_on"),
            notes=attrs.get("notes", ""),
        )
        try:
            check_renewal(attrs["service"], data)
        except DjangoValidationError as exc:
            raise drf_error(exc) from exc
        attrs["input"] = data
        return attrs


class RefreshSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=RefreshResult.choices)
    old_end = serializers.DateField()
    monitored_end = serializers.DateField(allow_null=True)
    service = ServiceSerializer()
