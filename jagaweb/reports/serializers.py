"""API representations of reports, their acknowledgements, asking for a report, and following it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jagaweb.inventory.models import Organisation
from jagaweb.inventory.serializers import ScopedSlugRelatedField
from jagaweb.reports.acknowledge import may_acknowledge, next_reader
from jagaweb.reports.choices import ReportKind
from jagaweb.reports.documents import FORMATS
from jagaweb.reports.forms import (
    ALL_ORGANISATIONS_REFUSED,
    MAX_NOTES,
    MONTH_FORMAT,
    may_choose_every_organisation,
    organisations_for,
    period_arguments,
    period_errors,
)
from jagaweb.reports.models import Acknowledgement, Report


class AcknowledgementSerializer(serializers.ModelSerializer):
    user: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="username", read_only=True)
    name = serializers.SerializerMethodField()

    class Meta:
        model = Acknowledgement
        fields = ["user", "name", "state", "at", "note"]

    def get_name(self, ack: Acknowledgement) -> str:
        return str(ack.user.get_full_name() or ack.user.get_username())


class ReportSerializer(serializers.ModelSerializer):
    organisation: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text=_("The organisation's code; null: every organisation."))
    prepared_by = serializers.CharField(source="prepared_by_label", read_only=True)
    acknowledgements = AcknowledgementSerializer(many=True, read_only=True)
    next_reader = serializers.SerializerMethodField(help_text=_("The role that acknowledges the report next."))
    may_acknowledge = serializers.SerializerMethodField(help_text=_("Whether the caller may acknowledge it now."))
    downloads = serializers.SerializerMethodField(help_text=_("Format -> where the file is downloaded (once "
                                                              "the report is ready)."))
    page = serializers.SerializerMethodField(help_text=_("The report's page in the web interface."))

    class Meta:
        model = Report
        fields = ["id", "number", "kind", "title", "organisation", "period_start", "period_end", "language", "state",
                  "issued_at", "prepared_by", "notes", "schedule", "site_count", "pages", "render_seconds", "error",
                  "figures", "acknowledgements", "next_reader", "may_acknowledge", "downloads", "page"]
        read_only_fields = fields

    def get_next_reader(self, report: Report) -> str | None:
        reader = next_reader(report)
        return str(reader.value) if reader is not None else None

    def get_may_acknowledge(self, report: Report) -> bool:
        request = self.context.get("request")
        return request is not None and may_acknowledge(report, request.user)

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
    def get_downloads(self, report: Report) -> dict[str, str]:
        if not report.is_ready:
            return {}
        return {fmt: reverse("report-download", args=[report.pk, fmt]) for fmt in FORMATS
                if getattr(report, FORMATS[fmt][0])}

    def get_page(self, report: Report) -> str:
        return report.get_absolute_url()


class IssueSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    organisation = ScopedSlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all(), scope=organisations_for, allow_null=True,
        required=False, help_text=_("The organisation's code; absent or null: every organisation (only for staff "
                                    "who see every organisation)."))
    month = serializers.DateField(required=False, allow_null=True, input_formats=[MONTH_FORMAT, "iso-8601"],
                                  help_text=_("For a monthly report: YYYY-MM (or any day of the month)."))
    day = serializers.DateField(required=False, allow_null=True, help_text=_("For a daily activity log."))
    language = serializers.ChoiceField(choices=settings.LANGUAGES, default="id")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=MAX_NOTES, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The page's checks, so both refuse the same things."""
        errors = period_errors(attrs["kind"], attrs.get("month"), attrs.get("day"), timezone.localdate())
        if attrs.get("organisation") is None and not may_choose_every_organisation(self.context["request"].user):
            errors["organisation"] = str(ALL_ORGANISATIONS_REFUSED)
        if errors:
            raise serializers.ValidationError({name: [message] for name, message in errors.items()})
        return attrs

    def task_arguments(self) -> tuple[str, int | None, str, str | None, str | None, str]:
        """The arguments of `tasks.issue_for` after the user's id."""
        data = self.validated_data
        month, day = period_arguments(data["kind"], data.get("month"), data.get("day"))
        organisation = data.get("organisation")
        return (data["kind"], organisation.pk if organisation else None, data["language"], month, day,
                data.get("notes", "").strip())


class QueuedSerializer(serializers.Serializer):
    task_id = serializers.CharField()
    follow = serializers.CharField(help_text=_("Where to ask how the report is getting on."))


class FollowSerializer(serializers.Serializer):
    task_id = serializers.CharField()
    state = serializers.CharField(help_text=_("queued, running (the report is being prepared), done, or failed."))
    report = ReportSerializer(allow_null=True, help_text=_("The report, once the worker has begun it."))


class AcknowledgeSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=MAX_NOTES, default="")

