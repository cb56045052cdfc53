"""The jobs API: job runs (read-only), schedule entries (read, change interval/enabled) and "run now"."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from jagaweb.jobs.filters import JobRunFilter, ScheduleEntryFilter
from jagaweb.jobs.models import INTERVAL_TOO_SHORT, MIN_INTERVAL, JobRun, ScheduleEntry
from jagaweb.jobs.registry import JOBS
from jagaweb.jobs.scheduler import change_entry, run_now


class JobRunSerializer(serializers.ModelSerializer):
    job = serializers.CharField(source="entry.job", read_only=True)
    site = serializers.IntegerField(source="entry.site_id", read_only=True, allow_null=True)
    duration = serializers.SerializerMethodField(
        help_text=_("Seconds from start to finish; null until finished.")
    )

    class Meta:
        model = JobRun
        fields = [
            "id", "entry", "job", "site", "slot", "trigger", "status", "created_at", "started_at",
            "finished_at", "duration", "worker", "outcome", "error",
        ]
        read_only_fields = fields

    def get_duration(self, run: JobRun) -> float | None:
        return run.duration.total_seconds() if run.duration is not None else None


class ScheduleEntrySerializer(serializers.ModelSerializer):
    declared = serializers.SerializerMethodField(help_text=_("Whether an installed app declares this job."))

    class Meta:
        model = ScheduleEntry
        fields = ["id", "job", "site", "interval", "interval_is_custom", "enabled", "next_due_at", "declared"]
        read_only_fields = ["id", "job", "site", "interval_is_custom", "next_due_at", "declared"]
        extra_kwargs = {
            "interval": {"min_value": MIN_INTERVAL, "error_messages": {"min_value": INTERVAL_TOO_SHORT}}
        }

    def get_declared(self, entry: ScheduleEntry) -> bool:
        return entry.job in JOBS


class CanRunEntries(permissions.BasePermission):
    """Running a job by hand is its own permission, not 'add' or 'change'."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.has_perm("jobs.run_scheduleentry"))


class JobRunViewSet(viewsets.ReadOnlyModelViewSet):
    """Every run of every job the user may see, newest first."""

    queryset = JobRun.objects.all()
    serializer_class = JobRunSerializer
    filterset_class = JobRunFilter

    def get_queryset(self) -> QuerySet[JobRun]:
        return JobRun.objects.visible_to(self.request.user).select_related("entry")


class ScheduleEntryViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """Schedule entries the user may see; interval and enabled can be changed, and a run queued now."""

    queryset = ScheduleEntry.objects.all()
    serializer_class = ScheduleEntrySerializer
    filterset_class = ScheduleEntryFilter

    def get_queryset(self) -> QuerySet[ScheduleEntry]:
        return ScheduleEntry.objects.visible_to(self.request.user).select_related("site")

    def perform_update(self, serializer: Any) -> None:
        entry: ScheduleEntry = serializer.instance
        data = serializer.validated_data
        serializer.instance = change_entry(
            entry,
            interval=data.get("interval", entry.interval),
            enabled=data.get("enabled", entry.enabled),
            actor=self.request.user,
        )

    @extend_schema(request=None, responses={202: JobRunSerializer})
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated, CanRunEntries])
    def run(self, request: Request, pk: str | None = None) -> Response:
        """Queue a run of this entry now, outside its schedule."""
        entry = self.get_object()
        if entry.job not in JOBS:
            raise serializers.ValidationError({"job": _("No installed app declares this job.")})
        run = run_now(entry, actor=request.user)
        data = JobRunSerializer(run, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_202_ACCEPTED)


router = SimpleRouter()
router.register("job-runs", JobRunViewSet, basename="jobrun")
router.register("schedule-entries", ScheduleEntryViewSet, basename="scheduleentry")
urlpatterns = router.urls
