"""The guard API: each site's guard settings (read and change), runs (read; POST queues a check or a
restore for the worker: 202 + task id) and findings (read; `approve` accepts one as a legitimate change).

Everything is scoped like the pages (jagaweb.guard.views): an object outside the caller's sites is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from jagaweb.backup.views import visible_snapshots
from jagaweb.guard.choices import Identity, RunKind
from jagaweb.guard.filters import FindingFilter, GuardRunFilter
from jagaweb.guard.forms import PROFILE_FIELDS, ProfileForm
from jagaweb.guard.models import Finding, GuardProfile, GuardRun
from jagaweb.guard.operations import GuardError, approve_finding
from jagaweb.guard.views import (
    APPROVE,
    RESTORE,
    enqueue,
    has_file_changes,
    profile_or_default,
    task_for,
    visible_findings,
    visible_profiles,
    visible_runs,
)
from jagaweb.inventory.models import Site
from jagaweb.inventory.serializers import ScopedPrimaryKeyRelatedField, ScopedSlugRelatedField
from jagaweb.people.scope import visible_sites


class GuardProfileSerializer(serializers.ModelSerializer):
    site: serializers.SlugRelatedField[Site] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    pages = serializers.ListField(child=serializers.CharField(), required=False,
                                  help_text=gettext_lazy("Paths (/berita/) or addresses checked besides the home "
                                                         "page."))
    identities = serializers.ListField(child=serializers.ChoiceField(choices=Identity.choices), required=False)
    # The form narrows it to the site's own trusted snapshots; here, nothing of another site is even named.
    trusted_snapshot = ScopedPrimaryKeyRelatedField(scope=visible_snapshots, allow_null=True, required=False)

    class Meta:
        model = GuardProfile
        fields = ["site", *PROFILE_FIELDS, "known_good_at", "known_good_by", "sitemap_count"]
        read_only_fields = ["known_good_at", "known_good_by", "sitemap_count"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The page's form checks and saves, so that both refuse and store the same things."""
        profile: GuardProfile = self.instance  # type: ignore[assignment]
        user = self.context["request"].user
        if "allow_private" in attrs and attrs["allow_private"] != profile.allow_private and not user.is_superuser:
            raise serializers.ValidationError({"allow_private": _("Only a superuser can allow private addresses.")})
        data: dict[str, Any] = {name: getattr(profile, name) for name in PROFILE_FIELDS if name != "trusted_snapshot"}
        data["trusted_snapshot"] = profile.trusted_snapshot_id
        for name, value in attrs.items():
            data[name] = value.pk if name == "trusted_snapshot" and value is not None else value
        data["pages"] = "\n".join(data["pages"] or [])
        form = ProfileForm(data=data, instance=profile, user=user)
        if not form.is_valid():
            raise serializers.ValidationError({("non_field_errors" if name == "__all__" else name):
                                               [str(message) for message in messages]
                                               for name, messages in form.errors.items()})
        attrs["form"] = form
        return attrs

    def update(self, instance: GuardProfile, validated_data: dict[str, Any]) -> GuardProfile:
        form: ProfileForm = validated_data["form"]
        return form.save_for(self.context["request"].user)


class GuardRunSerializer(serializers.ModelSerializer):
    site: serializers.SlugRelatedField[Site] = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = GuardRun
        fields = ["id", "site", "kind", "state", "started_at", "finished_at", "actor", "step", "verdict", "severity",
                  "counts", "report", "error", "check_run"]
        read_only_fields = fields


class RunRequestSerializer(serializers.Serializer):
    site = ScopedSlugRelatedField(slug_field="slug", queryset=Site.objects.all(), scope=visible_sites,
                                  help_text=gettext_lazy("The site's short name."))
    kind = serializers.ChoiceField(choices=RunKind.choices, default=RunKind.CHECK,
                                   help_text=gettext_lazy("A check now, or a restore of the changed files from the "
                                                          "trusted backup."))


class FindingSerializer(serializers.ModelSerializer):
    site: serializers.SlugRelatedField[Site] = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Finding
        fields = ["id", "run", "site", "source", "location", "identity", "verdict", "severity", "score", "reasons",
                  "detail", "state", "created_at"]
        read_only_fields = fields


QUEUED = inline_serializer("GuardQueued", {
    "task_id": serializers.CharField(), "site": serializers.CharField(), "kind": serializers.CharField(),
})


class CanApprove(permissions.BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(APPROVE))


class GuardProfileViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                          viewsets.GenericViewSet):
    """Each site's guard settings, by the site's short name; a site never configured answers its defaults."""

    serializer_class = GuardProfileSerializer
    queryset = GuardProfile.objects.all()
    lookup_field = "site__slug"
    lookup_url_kwarg = "slug"

    def get_queryset(self) -> QuerySet[GuardProfile]:
        if getattr(self, "swagger_fake_view", False):
            return GuardProfile.objects.none()
        return visible_profiles(self.request.user).order_by("site__name", "pk")

    def get_object(self) -> GuardProfile:
        site = get_object_or_404(visible_sites(self.request.user), slug=self.kwargs[self.lookup_url_kwarg])
        return profile_or_default(site)


class GuardRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every check and restore of the caller's sites, newest first. POST queues one for the worker."""

    serializer_class = GuardRunSerializer
    filterset_class = GuardRunFilter
    queryset = GuardRun.objects.all()

    def get_queryset(self) -> QuerySet[GuardRun]:
        if getattr(self, "swagger_fake_view", False):
            return GuardRun.objects.none()
        return visible_runs(self.request.user)

    @extend_schema(request=RunRequestSerializer, responses={202: QUEUED})
    def create(self, request: Request) -> Response:
        """Queue a check (or a restore) of the site now; the answer names the task, the run appears here."""
        body = RunRequestSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        site: Site = body.validated_data["site"]
        kind = RunKind(body.validated_data["kind"])
        task = task_for(kind)
        if kind == RunKind.RESTORE:
            if not request.user.has_perm(RESTORE):
                raise PermissionDenied(_("Restoring is not available to you."))
            if not has_file_changes(site):
                raise serializers.ValidationError(_("The last check found no changed files on %(site)s: nothing "
                                                    "to restore.") % {"site": site.name})
        task_id = enqueue(task, site, request.user)
        return Response({"task_id": task_id, "site": site.slug, "kind": kind.value}, status=status.HTTP_202_ACCEPTED)


class FindingViewSet(viewsets.ReadOnlyModelViewSet):
    """What the checks found on the caller's sites; `approve` accepts an open finding as a legitimate change."""

    serializer_class = FindingSerializer
    filterset_class = FindingFilter
    queryset = Finding.objects.all()

    def get_queryset(self) -> QuerySet[Finding]:
        if getattr(self, "swagger_fake_view", False):
            return Finding.objects.none()
        return visible_findings(self.request.user).order_by("-created_at", "-pk")

    @extend_schema(request=None, responses=FindingSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CanApprove])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        finding: Finding = self.get_object()
        try:
            approve_finding(finding, request.user)
        except GuardError as exc:
            raise serializers.ValidationError(str(exc)) from exc
        return Response(FindingSerializer(finding, context=self.get_serializer_context()).data)


router = SimpleRouter()
router.register("guard/profiles", GuardProfileViewSet, basename="guard-profile")
router.register("guard/runs", GuardRunViewSet, basename="guard-run")
router.register("guard/findings", FindingViewSet, basename="guard-finding")
urlpatterns = router.urls
