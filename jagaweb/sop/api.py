"""The SOP API: runs (read; create starts one), steps (read; complete, decide, pause, resume and assign as
actions, for those holding the step's role), cases (read, open, record progress), complaints (staff, read),
website requests (read; create with the letter as multipart), and compliance figures per SOP and period.

Scoped like the pages (`sop.visibility`): an object outside the caller's view is a 404.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as ModelValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from jagaweb.people.scope import visible_organisations, visible_sites
from jagaweb.sop.assignment import PERFORM_PERMISSION, can_act, holders
from jagaweb.sop.cases import open_case, update_case
from jagaweb.sop.choices import CaseOrigin
from jagaweb.sop.compliance import compliance_all
from jagaweb.sop.filters import CaseFilter, RequestFilter, RunFilter, StepFilter
from jagaweb.sop.models import Case, Complaint, Run, RunStep, WebsiteRequest
from jagaweb.sop.requests import RequestInput, submit_request
from jagaweb.sop.runs import RunError, assign_step, complete_step, pause_step, resume_step, start_run
from jagaweb.sop.serializers import (
    AssignSerializer,
    CaseSerializer,
    ComplaintSerializer,
    CompleteStepSerializer,
    ComplianceSerializer,
    DecideSerializer,
    NewRequestSerializer,
    PauseSerializer,
    RunSerializer,
    StartRunSerializer,
    StepSerializer,
    WebsiteRequestSerializer,
)
from jagaweb.sop.visibility import (
    visible_cases,
    visible_complaints,
    visible_requests,
    visible_runs,
    visible_steps,
)

CASE_PROGRESS = ("analysis", "solution", "repair", "verification", "closure", "title", "description")


class CanPerform(permissions.BasePermission):
    """The door to doing steps; which step a user may do is decided per step (`can_act`)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(PERFORM_PERMISSION))


class CanViewRuns(permissions.BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("sop.view_run"))


def refused(exc: RunError) -> ValidationError:
    return ValidationError({"detail": str(exc)})


class RunViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """SOP runs with their steps. Creating one starts it: {"definition", "site" (slug), "at_step"}."""

    serializer_class = RunSerializer
    filterset_class = RunFilter
    queryset = Run.objects.all()

    def get_queryset(self) -> QuerySet[Run]:
        if getattr(self, "swagger_fake_view", False):
            return Run.objects.none()
        return visible_runs(self.request.user).prefetch_related("steps__evidence", "steps__involvements")

    @extend_schema(request=StartRunSerializer, responses={201: RunSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        given = StartRunSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        site = get_object_or_404(visible_sites(request.user), slug=given.validated_data["site"])
        try:
            run = start_run(given.validated_data["definition"], request.user, site=site,
                            at_step=given.validated_data.get("at_step"))
        except RunError as exc:
            raise refused(exc) from exc
        return Response(RunSerializer(run, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED)


class StepViewSet(viewsets.ReadOnlyModelViewSet):
    """Steps of the runs the caller sees; the actions need the step's role."""

    serializer_class = StepSerializer
    filterset_class = StepFilter
    queryset = RunStep.objects.all()

    def get_queryset(self) -> QuerySet[RunStep]:
        if getattr(self, "swagger_fake_view", False):
            return RunStep.objects.none()
        return visible_steps(self.request.user).prefetch_related("evidence", "involvements__third_party")

    def acting(self) -> RunStep:
        step = self.get_object()
        if not can_act(self.request.user, step):
            raise PermissionDenied("This step is for another role.")
        return step

    def answer(self, step: RunStep) -> Response:
        step.refresh_from_db()
        return Response(StepSerializer(step, context=self.get_serializer_context()).data)

    def completed(self, request: Request, given_as: type[serializers.Serializer]) -> Response:
        """Complete the acting step with the note and decision `given_as` reads from the request."""
        step = self.acting()
        given = given_as(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            complete_step(step, request.user, note=given.validated_data["note"],
                          decision=given.validated_data["decision"])
        except RunError as exc:
            raise refused(exc) from exc
        return self.answer(step)

    @extend_schema(request=CompleteStepSerializer, responses={200: StepSerializer})
    @action(detail=True, methods=["post"], permission_classes=[CanPerform])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        """Complete the step (a decision step needs "decision"); the answer is the completed step."""
        return self.completed(request, CompleteStepSerializer)

    @extend_schema(request=DecideSerializer, responses={200: StepSerializer})
    @action(detail=True, methods=["post"], permission_classes=[CanPerform])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """Answer a decision step yes or no; the run goes on along that branch."""
        return self.completed(request, DecideSerializer)

    @extend_schema(request=PauseSerializer, responses={200: StepSerializer})
    @action(detail=True, methods=["post"], permission_classes=[CanPerform])
    def pause(self, request: Request, pk: str | None = None) -> Response:
        """Wait for the requester: the step's clock stops."""
        step = self.acting()
        given = PauseSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            pause_step(step, request.user, reason=given.validated_data["reason"])
        except RunError as exc:
            raise refused(exc) from exc
        return self.answer(step)

    @extend_schema(request=None, responses={200: StepSerializer})
    @action(detail=True, methods=["post"], permission_classes=[CanPerform])
    def resume(self, request: Request, pk: str | None = None) -> Response:
        """The requester answered: the clock runs again, the due time moved by the working time waited."""
        step = self.acting()
        try:
            resume_step(step, request.user)
        except RunError as exc:
            raise refused(exc) from exc
        return self.answer(step)

    @extend_schema(request=AssignSerializer, responses={200: StepSerializer})
    @action(detail=True, methods=["post"], permission_classes=[CanPerform])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        """Give the step to one holder of its role (null: back to all of them)."""
        step = self.acting()
        given = AssignSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        assignee = None
        if given.validated_data["assignee"] is not None:
            people = [*holders(step.run, step.role_kind), *holders(step.run, step.escalated_to)]
            candidates = {user.pk for user in people}
            if given.validated_data["assignee"] not in candidates:
                raise ValidationError({"assignee": "not a holder of the step's role"})
            assignee = get_user_model().objects.get(pk=given.validated_data["assignee"])
        assign_step(step, assignee, request.user)
        return self.answer(step)


class CaseViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Cases; one opened here follows the complaint SOP. Updating records the progress fields."""

    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    queryset = Case.objects.all()

    def get_queryset(self) -> QuerySet[Case]:
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        return visible_cases(self.request.user)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        site = data.get("site")
        if site is None or not visible_sites(self.request.user).filter(pk=site.pk).exists():
            raise ValidationError({"site": "choose a site you see"})
        serializer.instance = open_case(title=data["title"], origin=CaseOrigin.STAFF, actor=self.request.user,
                                        site=site, description=data.get("description", ""))

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        case = serializer.instance
        assert isinstance(case, Case)
        changes = {name: value for name, value in serializer.validated_data.items() if name in CASE_PROGRESS}
        update_case(case, self.request.user, changes)


class ComplaintViewSet(viewsets.ReadOnlyModelViewSet):
    """Complaints received through the public forms of the sites the caller sees."""

    serializer_class = ComplaintSerializer
    queryset = Complaint.objects.all()

    def get_queryset(self) -> QuerySet[Complaint]:
        if getattr(self, "swagger_fake_view", False):
            return Complaint.objects.none()
        return visible_complaints(self.request.user).order_by("-received_at", "-pk")


class WebsiteRequestViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Website requests. Creating one (multipart, with the letter) starts the request SOP."""

    serializer_class = WebsiteRequestSerializer
    filterset_class = RequestFilter
    queryset = WebsiteRequest.objects.all()
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self) -> QuerySet[WebsiteRequest]:
        if getattr(self, "swagger_fake_view", False):
            return WebsiteRequest.objects.none()
        return visible_requests(self.request.user).order_by("-submitted_at", "-pk")

    @extend_schema(request=NewRequestSerializer, responses={201: WebsiteRequestSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        given = NewRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        organisation = get_object_or_404(visible_organisations(request.user), pk=data["organisation"])
        site = get_object_or_404(visible_sites(request.user), pk=data["site"]) if data.get("site") else None
        try:
            created = submit_request(RequestInput(
                organisation=organisation, site_name=data["site_name"], purpose=data["purpose"],
                letter=data["letter"], kind=data["kind"], site=site, letter_number=data["letter_number"]),
                request.user)
        except ModelValidationError as exc:
            raise ValidationError({"letter": exc.messages}) from exc
        return Response(WebsiteRequestSerializer(created).data, status=status.HTTP_201_CREATED)


def day_parameter(request: Request, name: str, default: date) -> date:
    raw = request.query_params.get(name)
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({name: "YYYY-MM-DD"}) from None


class ComplianceView(APIView):
    """Per SOP, for the days start..end (inclusive; this month by default): runs, steps done within their
    Waktu, average working time per step against the time allowed, and the steps open past due."""

    permission_classes = [CanViewRuns]

    @extend_schema(parameters=[OpenApiParameter("start", str), OpenApiParameter("end", str)],
                   responses={200: ComplianceSerializer(many=True)})
    def get(self, request: Request) -> Response:
        today = timezone.localdate()
        first = day_parameter(request, "start", today.replace(day=1))
        last = day_parameter(request, "end", today)
        if last < first:
            raise ValidationError({"end": "before start"})
        zone = timezone.get_current_timezone()
        reports = compliance_all(datetime.combine(first, time(0), tzinfo=zone),
                                 datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone),
                                 runs=visible_runs(request.user))
        return Response(ComplianceSerializer(reports, many=True).data)


router = SimpleRouter()
router.register("sop/runs", RunViewSet, basename="sop-run")
router.register("sop/steps", StepViewSet, basename="sop-step")
router.register("sop/cases", CaseViewSet, basename="sop-case")
router.register("sop/complaints", ComplaintViewSet, basename="sop-complaint")
router.register("sop/requests", WebsiteRequestViewSet, basename="sop-request")
urlpatterns = [*router.urls, path("sop/compliance/", ComplianceView.as_view(), name="sop-compliance")]
