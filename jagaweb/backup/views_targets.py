"""Backup media: global configuration like notification channels. Users who see every site manage
them all; others see only the media their sites' plans use, and cannot add, change or remove any.
Credentials and the encryption passphrase are write-only: a page only ever says whether one is stored."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, ProtectedError, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DeleteView, DetailView, ListView, UpdateView

from jagaweb.activity.log import record
from jagaweb.backup import verbs
from jagaweb.backup.forms import TargetForm
from jagaweb.backup.models import BackupTarget
from jagaweb.backup.views import manages_targets, visible_plans, visible_targets


class VisibleTargets:
    request: HttpRequest

    def get_queryset(self) -> QuerySet[BackupTarget]:
        return visible_targets(self.request.user)


class ManagedTarget(VisibleTargets):
    """Refuses (403) a change by someone who does not see every site."""

    def get_object(self, queryset: QuerySet[BackupTarget] | None = None) -> BackupTarget:
        target: BackupTarget = super().get_object(queryset)  # type: ignore[misc]
        if not manages_targets(self.request.user):
            raise PermissionDenied
        return target


class TargetListView(PermissionRequiredMixin, VisibleTargets, ListView):
    permission_required = "backup.view_backuptarget"
    template_name = "backup/target_list.html"
    context_object_name = "targets"

    def get_queryset(self) -> QuerySet[BackupTarget]:
        return super().get_queryset().annotate(plan_count=Count("plans", distinct=True))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(can_add=manages_targets(self.request.user), **kwargs)


class TargetDetailView(PermissionRequiredMixin, VisibleTargets, DetailView):
    permission_required = "backup.view_backuptarget"
    template_name = "backup/target_detail.html"
    context_object_name = "target"
    object: BackupTarget

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        target = self.object
        context.update(
            secret_rows=TargetForm(instance=target).secret_stored(),
            has_passphrase=bool(target.passphrase),
            plans=visible_plans(self.request.user).filter(target=target).order_by("site__name"),
            can_manage=manages_targets(self.request.user),
        )
        return context


class TargetCreateView(PermissionRequiredMixin, CreateView):
    permission_required = "backup.add_backuptarget"
    template_name = "backup/target_form.html"
    form_class = TargetForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not manages_targets(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: TargetForm) -> HttpResponse:  # type: ignore[override]
        target = form.save()
        record(verbs.TARGET_CREATED, actor=self.request.user, target=target, object=target.name, kind=target.kind)
        messages.success(self.request, _("The backup medium was added."))
        return HttpResponseRedirect(target.get_absolute_url())


class TargetUpdateView(PermissionRequiredMixin, ManagedTarget, UpdateView):
    permission_required = "backup.change_backuptarget"
    template_name = "backup/target_form.html"
    form_class = TargetForm
    context_object_name = "target"

    def form_valid(self, form: TargetForm) -> HttpResponse:  # type: ignore[override]
        target = form.save()
        changed = form.changed_names()
        if changed:
            record(verbs.TARGET_CHANGED, actor=self.request.user, target=target, object=target.name,
                   fields=", ".join(changed))
        messages.success(self.request, _("The backup medium was saved."))
        return HttpResponseRedirect(target.get_absolute_url())


class TargetDeleteView(PermissionRequiredMixin, ManagedTarget, DeleteView):
    permission_required = "backup.delete_backuptarget"
    template_name = "backup/target_confirm_delete.html"
    context_object_name = "target"
    success_url = reverse_lazy("backup:target_list")
    object: BackupTarget

    def form_valid(self, form: Any) -> HttpResponse:
        target = self.object
        if target.plans.exists():
            messages.error(self.request, _("Backup plans still use this medium; move them to another one first."))
            return HttpResponseRedirect(reverse("backup:target_detail", args=[target.pk]))
        try:
            with transaction.atomic():
                record(verbs.TARGET_DELETED, actor=self.request.user, target=target, object=target.name)
                response = super().form_valid(form)
        except ProtectedError:  # a plan was added in the meantime
            messages.error(self.request, _("Backup plans still use this medium; move them to another one first."))
            return HttpResponseRedirect(reverse("backup:target_detail", args=[target.pk]))
        messages.success(self.request, _("The backup medium was removed; the backups on it were not touched."))
        return response
