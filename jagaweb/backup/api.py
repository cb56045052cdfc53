"""The backup API: media (secrets write-only), plans, runs and snapshots (read-only; snapshots can be
marked trusted), and "back up now" / "verify now" for a site, queued for the worker (202 + task id).

Everything is scoped like the pages (jagaweb.backup.views): an object outside the caller's sites is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from jagaweb.activity.log import record
from jagaweb.backup import operations, verbs
from jagaweb.backup.choices import Operation
from jagaweb.backup.filters import BackupRunFilter, SnapshotFilter
from jagaweb.backup.forms import SECRET_NAMES, TargetForm, check_excludes, check_extra_paths, check_keep_last
from jagaweb.backup.models import BackupPlan, BackupRun, BackupTarget, Snapshot
from jagaweb.backup.tasks import backup_now, verify_now
from jagaweb.backup.views import (
    enqueue,
    manages_targets,
    visible_plans,
    visible_runs,
    visible_snapshots,
    visible_targets,
)
from jagaweb.inventory.models import Site
from jagaweb.inventory.serializers import ScopedPrimaryKeyRelatedField, ScopedSlugRelatedField
from jagaweb.people.scope import sees_everything, visible_sites

TARGET_FIELDS = ["name", "kind", "path", "host", "port", "username", "host_key", "notes"]


class BackupTargetSerializer(serializers.ModelSerializer):
    credentials = serializers.DictField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False), write_only=True, required=False,
        help_text=gettext_lazy("SFTP password, private_key and key_passphrase. Write-only: never returned. Keys "
                               "left out or empty keep the stored value."),
    )
    passphrase = serializers.CharField(
        write_only=True, required=False, allow_blank=True, trim_whitespace=False,
        help_text=gettext_lazy("Encryption passphrase. Write-only; it cannot change once backups exist."),
    )
    stored_secrets = serializers.SerializerMethodField(help_text=gettext_lazy("Names of the secrets that are set."))

    class Meta:
        model = BackupTarget
        fields = ["id", *TARGET_FIELDS, "credentials", "passphrase", "stored_secrets"]

    def get_stored_secrets(self, target: BackupTarget) -> list[str]:
        stored = [name for name, value in target.secrets().items() if value and name in SECRET_NAMES]
        return [*stored, "passphrase"] if target.passphrase else stored

    def validate_credentials(self, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(SECRET_NAMES))
        if unknown:
            raise serializers.ValidationError(_("Unknown secrets: %(names)s") % {"names": ", ".join(unknown)})
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The page's form checks and saves, so that both refuse and store the same things."""
        instance: BackupTarget | None = self.instance
        data = {name: getattr(instance or BackupTarget(), name) for name in TARGET_FIELDS}  # defaults when new
        data.update({name: value for name, value in attrs.items() if name in TARGET_FIELDS})
        data.update(attrs.get("credentials", {}))
        data["passphrase"] = attrs.get("passphrase", "")
        form = TargetForm(data=data, instance=instance)
        if data["passphrase"] and form.passphrase_locked:
            raise serializers.ValidationError({"passphrase": _("Backups exist on this medium: its passphrase "
                                                               "cannot change.")})
        if not form.is_valid():
            errors = {("non_field_errors" if name == "__all__" else name): [str(m) for m in messages]
                      for name, messages in form.errors.items()}
            raise serializers.ValidationError(errors)
        attrs["form"] = form
        return attrs

    def create(self, validated_data: dict[str, Any]) -> BackupTarget:
        return validated_data["form"].save()

    def update(self, instance: BackupTarget, validated_data: dict[str, Any]) -> BackupTarget:
        return validated_data["form"].save()


class BackupPlanSerializer(serializers.ModelSerializer):
    site = ScopedSlugRelatedField(slug_field="slug", scope=visible_sites)
    # The media the caller sees; a plan's own medium is among them (its site is in the caller's scope).
    target = ScopedPrimaryKeyRelatedField(scope=visible_targets)
    excludes = serializers.ListField(child=serializers.CharField(), required=False)
    extra_paths = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        model = BackupPlan
        fields = ["id", "site", "target", "enabled", "include_database", "excludes", "extra_paths", "keep_last",
                  "keep_daily", "keep_weekly", "keep_monthly", "keep_yearly", "max_age"]

    def validate_excludes(self, value: list[str]) -> list[str]:
        return check_excludes(value)

    def validate_extra_paths(self, value: list[str]) -> list[str]:
        current = self.instance.extra_paths if isinstance(self.instance, BackupPlan) else []
        if value != current and not sees_everything(self.context["request"].user):
            raise serializers.ValidationError(_("Only someone who sees every site sets system paths."))
        return check_extra_paths(value)

    def validate_keep_last(self, value: int) -> int:
        return check_keep_last(value)

    def validate_site(self, value: Site) -> Site:
        if self.instance is not None and value != self.instance.site:
            raise serializers.ValidationError(_("A plan stays with its site; create one for the other site."))
        return value


class BackupRunSerializer(serializers.ModelSerializer):
    site: serializers.SlugRelatedField[Site] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    duration = serializers.SerializerMethodField(help_text=gettext_lazy("Seconds from start to finish; null until "
                                                                        "finished."))

    class Meta:
        model = BackupRun
        fields = ["id", "site", "operation", "state", "started_at", "finished_at", "duration", "actor", "step",
                  "snapshot_id", "files", "bytes_total", "bytes_new", "error", "report"]
        read_only_fields = fields

    def get_duration(self, run: BackupRun) -> float | None:
        return run.duration.total_seconds() if run.duration is not None else None


class SnapshotSerializer(serializers.ModelSerializer):
    site: serializers.SlugRelatedField[Site] = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Snapshot
        fields = ["id", "site", "target", "snapshot_id", "taken_at", "files", "size", "new_bytes", "summary",
                  "trusted"]
        read_only_fields = fields


class TrustSerializer(serializers.Serializer):
    trusted = serializers.BooleanField(default=True)


class VerifyRequestSerializer(serializers.Serializer):
    read_data = serializers.BooleanField(default=True, help_text=gettext_lazy("Re-read and re-hash the data."))
    sample = serializers.FloatField(default=0.1, min_value=0.01, max_value=1.0,
                                    help_text=gettext_lazy("With read_data, the share of packs to read."))


QUEUED = inline_serializer("BackupQueued", {
    "task_id": serializers.CharField(), "site": serializers.CharField(), "operation": serializers.CharField(),
})


class HasPermission(permissions.BasePermission):
    """One named permission, whatever the method (for actions that are not plain create/update)."""

    permission = ""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(self.permission))


class CanRunBackups(HasPermission):
    permission = "backup.add_backuprun"


class CanTrustSnapshots(HasPermission):
    permission = "backup.change_snapshot"


class BackupTargetViewSet(viewsets.ModelViewSet):
    """Backup media: all of them for users who see every site, else those their sites' plans use."""

    serializer_class = BackupTargetSerializer
    queryset = BackupTarget.objects.all()

    def get_queryset(self) -> QuerySet[BackupTarget]:
        if getattr(self, "swagger_fake_view", False):
            return BackupTarget.objects.none()
        return visible_targets(self.request.user).order_by("name", "pk")

    def get_object(self) -> BackupTarget:
        target: BackupTarget = super().get_object()
        if self.request.method not in permissions.SAFE_METHODS and not manages_targets(self.request.user):
            raise PermissionDenied(_("Only someone who sees every site changes backup media."))
        return target

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not manages_targets(request.user):
            raise PermissionDenied(_("Only someone who sees every site adds backup media."))
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        with transaction.atomic():
            target = serializer.save()
            record(verbs.TARGET_CREATED, actor=self.request.user, target=target, object=target.name, kind=target.kind)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        with transaction.atomic():
            form: TargetForm = serializer.validated_data["form"]
            target = serializer.save()
            record(verbs.TARGET_CHANGED, actor=self.request.user, target=target, object=target.name,
                   fields=", ".join(form.changed_names()))

    def perform_destroy(self, instance: BackupTarget) -> None:
        if instance.plans.exists():
            raise serializers.ValidationError(_("Backup plans still use this medium; move them to another one "
                                                "first."))
        with transaction.atomic():
            record(verbs.TARGET_DELETED, actor=self.request.user, target=instance, object=instance.name)
            instance.delete()


class BackupPlanViewSet(viewsets.ModelViewSet):
    """Each site's backup plan; saving one schedules its backups at once."""

    serializer_class = BackupPlanSerializer
    queryset = BackupPlan.objects.all()

    def get_queryset(self) -> QuerySet[BackupPlan]:
        if getattr(self, "swagger_fake_view", False):
            return BackupPlan.objects.none()
        return visible_plans(self.request.user).order_by("site__name", "pk")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        site = data.pop("site")
        serializer.instance, _created = operations.save_plan(site, self.request.user, **data)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        plan: BackupPlan = serializer.instance  # type: ignore[assignment]
        data = dict(serializer.validated_data)
        data.pop("site", None)
        serializer.instance, _created = operations.save_plan(plan.site, self.request.user, **data)

    def perform_destroy(self, instance: BackupPlan) -> None:
        from jagaweb.jobs.scheduler import sync_entries

        site = instance.site
        with transaction.atomic():
            record(verbs.PLAN_DELETED, actor=self.request.user, site=site, target=instance, site_name=site.name)
            instance.delete()
        sync_entries()  # the site's backup jobs go at once


class BackupRunViewSet(viewsets.ReadOnlyModelViewSet):
    """Every backup, verify, restore, prune and export run of the caller's sites, newest first."""

    serializer_class = BackupRunSerializer
    filterset_class = BackupRunFilter
    queryset = BackupRun.objects.all()

    def get_queryset(self) -> QuerySet[BackupRun]:
        if getattr(self, "swagger_fake_view", False):
            return BackupRun.objects.none()
        return visible_runs(self.request.user)


class SnapshotViewSet(viewsets.ReadOnlyModelViewSet):
    """The snapshots in the sites' repositories; `trust` marks one taken while the site was clean."""

    serializer_class = SnapshotSerializer
    filterset_class = SnapshotFilter
    queryset = Snapshot.objects.all()

    def get_queryset(self) -> QuerySet[Snapshot]:
        if getattr(self, "swagger_fake_view", False):
            return Snapshot.objects.none()
        return visible_snapshots(self.request.user)

    @extend_schema(request=TrustSerializer, responses=SnapshotSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CanTrustSnapshots])
    def trust(self, request: Request, pk: str | None = None) -> Response:
        """Mark the snapshot trusted (or, with {"trusted": false}, take the mark away)."""
        snapshot: Snapshot = self.get_object()
        body = TrustSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        trusted = body.validated_data["trusted"]
        if snapshot.trusted != trusted:
            snapshot.trusted = trusted
            snapshot.save(update_fields=["trusted"])
            record(verbs.TRUSTED if trusted else verbs.UNTRUSTED, actor=request.user, site=snapshot.site,
                   target=snapshot, object=snapshot.short_id, site_name=snapshot.site.name)
        return Response(SnapshotSerializer(snapshot, context=self.get_serializer_context()).data)


class BackupSiteViewSet(viewsets.GenericViewSet):
    """A site's backup actions, by its short name: queue a backup or a verify now."""

    lookup_field = "slug"
    queryset = Site.objects.none()
    serializer_class = SnapshotSerializer  # unused: each action declares its own body and answer
    permission_classes = [CanRunBackups]

    def get_queryset(self) -> QuerySet[Site]:
        if getattr(self, "swagger_fake_view", False):
            return Site.objects.none()
        return visible_sites(self.request.user)

    def queued(self, site: Site, operation: Operation, task_id: str) -> Response:
        return Response({"task_id": task_id, "site": site.slug, "operation": operation.value},
                        status=status.HTTP_202_ACCEPTED)

    def planned_site(self) -> Site:
        site: Site = self.get_object()
        if not BackupPlan.objects.filter(site=site).exists():
            raise serializers.ValidationError(_("%(site)s has no backup plan.") % {"site": site.name})
        return site

    @extend_schema(request=None, responses={202: QUEUED})
    @action(detail=True, methods=["post"])
    def run(self, request: Request, slug: str | None = None) -> Response:
        """Queue a backup of the site now; the answer names the task, the run appears under backup/runs/."""
        site = self.planned_site()
        return self.queued(site, Operation.BACKUP, enqueue(backup_now, site, request.user, Operation.BACKUP))

    @extend_schema(request=VerifyRequestSerializer, responses={202: QUEUED})
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, slug: str | None = None) -> Response:
        """Queue a check of the site's backups now."""
        site = self.planned_site()
        body = VerifyRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        task_id = enqueue(verify_now, site, request.user, Operation.VERIFY, body.validated_data["read_data"],
                          body.validated_data["sample"])
        return self.queued(site, Operation.VERIFY, task_id)


router = SimpleRouter()
router.register("backup/targets", BackupTargetViewSet, basename="backup-target")
router.register("backup/plans", BackupPlanViewSet, basename="backup-plan")
router.register("backup/runs", BackupRunViewSet, basename="backup-run")
router.register("backup/snapshots", SnapshotViewSet, basename="backup-snapshot")
router.register("backup/sites", BackupSiteViewSet, basename="backup-site")
urlpatterns = router.urls
