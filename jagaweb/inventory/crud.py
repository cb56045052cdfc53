"""One set of list/detail/create/update/delete views, parameterised per model by a `Crud` spec.

Every view starts from the spec's scope function (what the user may see, so anything else is a 404),
checks the model permission for its action, and writes creations, changes and deletions to the
activity log through `inventory.changes`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db import models, transaction
from django.db.models import ProtectedError, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DeleteView, DetailView, ListView, UpdateView
from django_filters import FilterSet

from jagaweb.activity.models import Event
from jagaweb.inventory.changes import changed_names, delete_recorded, record_changed, record_created, snapshot

PAGE_SIZE = 50


@dataclass(frozen=True)
class Crud:
    model: type[models.Model]
    scope: Callable[[Any], QuerySet[Any]]  # user -> what that user may see
    form_class: type[ModelForm]
    filterset_class: type[FilterSet]
    list_template: str
    detail_template: str
    related: tuple[str, ...] = ()  # select_related for lists and detail pages
    prefetch: tuple[str, ...] = ()  # prefetch_related for lists
    defer: tuple[str, ...] = ()  # columns lists never need (secrets)
    formset_class: type[BaseInlineFormSet] | None = None
    formset_label: str = ""  # the name a formset change is logged under
    detail_context: Callable[[Any, HttpRequest], dict[str, Any]] | None = None
    lookup: str = "pk"  # "pk" (an <int:pk> in the URL) or "slug"

    @property
    def converter(self) -> str:
        return "<slug:slug>" if self.lookup == "slug" else "<int:pk>"

    @property
    def name(self) -> str:
        return str(self.model._meta.model_name)

    def perm(self, action: str) -> str:
        return f"{self.model._meta.app_label}.{action}_{self.name}"

    def url_name(self, action: str) -> str:
        return f"inventory:{self.name}_{action}"

    def url(self, action: str, obj: models.Model | None = None) -> str:
        kwargs = {self.lookup: getattr(obj, self.lookup)} if obj is not None else None
        return reverse(self.url_name(action), kwargs=kwargs)


class CrudMixin(PermissionRequiredMixin):
    crud: ClassVar[Crud]
    action: ClassVar[str]
    request: HttpRequest

    def get_permission_required(self) -> tuple[str, ...]:
        return (self.crud.perm(self.action),)

    def get_queryset(self) -> QuerySet[Any]:
        return self.crud.scope(self.request.user).select_related(*self.crud.related)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        user = self.request.user
        context.update(
            crud=self.crud, opts=self.crud.model._meta,
            can_add=user.has_perm(self.crud.perm("add")),
            can_change=user.has_perm(self.crud.perm("change")),
            can_delete=user.has_perm(self.crud.perm("delete")),
            list_url=self.crud.url("list"), create_url=self.crud.url("create"),
        )
        obj = getattr(self, "object", None)
        if isinstance(obj, models.Model) and obj.pk is not None:
            context.update(update_url=self.crud.url("update", obj), delete_url=self.crud.url("delete", obj))
        return context


class CrudList(CrudMixin, ListView):
    action = "view"
    paginate_by = PAGE_SIZE

    def get_template_names(self) -> list[str]:
        return [self.crud.list_template]

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset().prefetch_related(*self.crud.prefetch).defer(*self.crud.defer)
        data = self.request.GET or None
        self.filterset = self.crud.filterset_class(data, queryset=queryset, request=self.request)
        if self.filterset.is_bound and not self.filterset.is_valid():
            return queryset.none()
        ordering = [*(self.crud.model._meta.ordering or []), "pk"]
        return self.filterset.qs.order_by(*ordering)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(filter=self.filterset, query=query.urlencode(), total=context["paginator"].count)
        return context


class CrudDetail(CrudMixin, DetailView):
    action = "view"

    def get_template_names(self) -> list[str]:
        return [self.crud.detail_template]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.crud.detail_context is not None:
            context.update(self.crud.detail_context(self.object, self.request))
        return context


class CrudFormMixin(CrudMixin):
    """Create and update: a scoped form, an optional inline formset, one transaction, one event."""

    template_name: str | None = "inventory/form.html"
    object: Any

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_form_kwargs()  # type: ignore[misc]
        kwargs["user"] = self.request.user
        return kwargs

    def get_form_class(self) -> type[ModelForm]:
        return self.crud.form_class

    def get_formset(self) -> BaseInlineFormSet | None:
        if self.crud.formset_class is None:
            return None
        if self.request.method == "POST":
            return self.crud.formset_class(self.request.POST, self.request.FILES, instance=self.object)
        return self.crud.formset_class(instance=self.object)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("formset", self.get_formset())
        inline_model = self.crud.formset_class.model if self.crud.formset_class is not None else None
        if inline_model is not None:
            kwargs["formset_title"] = inline_model._meta.verbose_name_plural
        return super().get_context_data(**kwargs)

    def process(self) -> HttpResponse:
        before = snapshot(self.object, self.crud.form_class.base_fields) if self.object else {}
        form = self.get_form()  # type: ignore[attr-defined]
        formset = self.get_formset()
        if not form.is_valid() or (formset is not None and not formset.is_valid()):
            return self.render_to_response(self.get_context_data(form=form, formset=formset))  # type: ignore[attr-defined]
        creating = self.object is None
        with transaction.atomic():
            self.object = obj = form.save()
            if formset is not None:
                formset.instance = obj
                formset.save()
            if creating:
                record_created(obj, self.request.user)
            else:
                fields = changed_names(before, snapshot(obj, form.fields))
                if formset is not None and formset.has_changed():
                    fields.append(self.crud.formset_label)
                record_changed(obj, self.request.user, fields)
        messages.success(self.request, _("Saved %(object)s.") % {"object": obj})
        return HttpResponseRedirect(self.success_url_for(obj))

    def success_url_for(self, obj: models.Model) -> str:
        if self.crud.scope(self.request.user).filter(pk=obj.pk).exists():
            return str(obj.get_absolute_url())  # type: ignore[attr-defined]
        # Saved, but outside what this user sees (e.g. a server not yet linked to one of their sites).
        messages.info(self.request, _("It will appear here once it is linked to one of your sites."))
        return self.crud.url("list")


class CrudCreate(CrudFormMixin, CreateView):
    action = "add"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = None
        return self.process()


class CrudUpdate(CrudFormMixin, UpdateView):
    action = "change"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        return self.process()


class CrudDelete(CrudMixin, DeleteView):
    action = "delete"
    template_name = "inventory/confirm_delete.html"

    def form_valid(self, form: Any) -> HttpResponse:
        obj = self.object
        label = str(obj)
        try:
            delete_recorded(obj, self.request.user)
        except ProtectedError as exc:
            messages.error(self.request, protected_message(label, exc))
            return HttpResponseRedirect(obj.get_absolute_url())
        messages.success(self.request, _("Deleted %(object)s.") % {"object": label})
        return HttpResponseRedirect(self.crud.url("list"))


def protected_message(label: str, exc: ProtectedError) -> str:
    blockers = {type(o) for o in exc.protected_objects}
    if blockers == {Event}:
        # The activity log is append-only and keeps its events; a site with a history stays, retired.
        return _("%(object)s has a history in the activity log, which is kept; mark it inactive instead.") % {
            "object": label,
        }
    kinds = sorted({str(capfirst(model._meta.verbose_name_plural)) for model in blockers})
    return _("%(object)s cannot be deleted: it is still used by %(kinds)s.") % {
        "object": label, "kinds": ", ".join(kinds),
    }


def crud_urls(prefix: str, crud: Crud) -> list[URLPattern]:
    """The five pages of one model: list, new, detail, edit, delete."""

    def view(base: type, suffix: str) -> Callable[..., HttpResponse]:
        cls: Any = type(f"{crud.model.__name__}{suffix}", (base,), {"crud": crud, "__module__": __name__})
        return cls.as_view()

    name, lookup = crud.name, crud.converter
    return [
        path(f"{prefix}/", view(CrudList, "List"), name=f"{name}_list"),
        path(f"{prefix}/new/", view(CrudCreate, "Create"), name=f"{name}_create"),
        path(f"{prefix}/{lookup}/", view(CrudDetail, "Detail"), name=f"{name}_detail"),
        path(f"{prefix}/{lookup}/edit/", view(CrudUpdate, "Update"), name=f"{name}_update"),
        path(f"{prefix}/{lookup}/delete/", view(CrudDelete, "Delete"), name=f"{name}_delete"),
    ]
