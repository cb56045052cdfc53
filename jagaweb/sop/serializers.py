"""API representations of runs, steps, cases, complaints, website requests and compliance figures."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from jagaweb.sop.choices import Decision
from jagaweb.sop.definitions import definitions
from jagaweb.sop.models import Case, Complaint, Evidence, Involvement, Run, RunStep, WebsiteRequest


class EvidenceSerializer(serializers.ModelSerializer):
    target_type = serializers.CharField(source="target_type.model", read_only=True, default=None)

    class Meta:
        model = Evidence
        fields = ["id", "kind", "label", "file_name", "size", "target_type", "target_id", "data", "ok",
                  "added_by_label", "added_at"]


class InvolvementSerializer(serializers.ModelSerializer):
    third_party_name = serializers.CharField(source="third_party.name", read_only=True)

    class Meta:
        model = Involvement
        fields = ["id", "third_party", "third_party_name", "contacted_at", "request", "answer", "answered_at",
                  "recorded_by_label"]


class StepSerializer(serializers.ModelSerializer):
    overdue = serializers.SerializerMethodField()
    evidence = EvidenceSerializer(many=True, read_only=True)
    involvements = InvolvementSerializer(many=True, read_only=True)

    class Meta:
        model = RunStep
        fields = ["id", "run", "number", "activity", "symbol", "performer", "performer_label", "role_kind", "output",
                  "waktu_value", "waktu_unit", "waktu_text", "waits_for_requester", "state", "started_at", "due_at",
                  "paused_for", "assignee", "completed_at", "completed_by_label", "note", "decision",
                  "automations", "automation_state", "reminded_at", "escalated_at", "escalated_to", "overdue",
                  "evidence", "involvements"]
        read_only_fields = fields

    def get_overdue(self, step: RunStep) -> bool:
        return step.is_overdue(timezone.now())


class RunSerializer(serializers.ModelSerializer):
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = Run
        fields = ["id", "definition_name", "definition_digest", "title", "organisation", "site", "state",
                  "started_via", "trigger_event", "started_by_label", "started_at", "finished_at", "source_label",
                  "steps"]
        read_only_fields = fields


class StartRunSerializer(serializers.Serializer):
    definition = serializers.CharField()
    site = serializers.SlugField()
    at_step = serializers.IntegerField(required=False, min_value=1)

    def validate_definition(self, value: str) -> str:
        if value not in definitions():
            raise serializers.ValidationError("unknown SOP")
        return value


class CompleteStepSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    decision = serializers.ChoiceField(choices=Decision.choices, required=False, allow_blank=True, default="")


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PauseSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class AssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(allow_null=True)


class CaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = ["id", "site", "organisation", "title", "description", "origin", "state", "analysis", "solution",
                  "repair", "verification", "closure", "run", "opened_by_label", "opened_at", "closed_at"]
        read_only_fields = ["organisation", "origin", "state", "run", "opened_by_label", "opened_at", "closed_at"]


class ComplaintSerializer(serializers.ModelSerializer):
    class Meta:
        model = Complaint
        fields = ["id", "case", "site", "reference", "name", "contact", "page", "text", "received_at"]
        read_only_fields = fields


class WebsiteRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebsiteRequest
        fields = ["id", "organisation", "kind", "site", "site_name", "purpose", "letter_name", "letter_number",
                  "letter_date", "state", "agenda_number", "disposition", "assessment", "approved",
                  "rejection_reason", "kak_name", "build_notes", "server", "server_hostname", "public_ip",
                  "subdomain", "network_config", "report", "run", "submitted_at", "completed_at"]
        read_only_fields = fields


class NewRequestSerializer(serializers.Serializer):
    organisation = serializers.IntegerField()
    kind = serializers.CharField(default="create")
    site = serializers.IntegerField(required=False, allow_null=True)
    site_name = serializers.CharField(max_length=200)
    purpose = serializers.CharField()
    letter = serializers.FileField()
    letter_number = serializers.CharField(required=False, allow_blank=True, default="")


class StepFiguresSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    activity = serializers.CharField()
    performer = serializers.CharField()
    waktu = serializers.CharField()
    done = serializers.IntegerField()
    timed = serializers.IntegerField()
    within = serializers.IntegerField()
    share_within = serializers.FloatField(allow_null=True)
    average_taken_seconds = serializers.SerializerMethodField()
    average_allowed_seconds = serializers.SerializerMethodField()

    def get_average_taken_seconds(self, figures: Any) -> float | None:
        return figures.average_taken.total_seconds() if figures.average_taken is not None else None

    def get_average_allowed_seconds(self, figures: Any) -> float | None:
        return figures.average_allowed.total_seconds() if figures.average_allowed is not None else None


class ComplianceSerializer(serializers.Serializer):
    definition = serializers.CharField()
    title = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    runs = serializers.IntegerField()
    finished = serializers.IntegerField()
    steps_done = serializers.IntegerField()
    timed = serializers.IntegerField()
    within = serializers.IntegerField()
    share_within = serializers.FloatField(allow_null=True)
    steps = StepFiguresSerializer(many=True)
    overdue = serializers.SerializerMethodField(help_text="The ids of the steps open past their due time.")

    def get_overdue(self, report: Any) -> list[int]:
        return [step.pk for step in report.overdue]
