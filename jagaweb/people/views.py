"""Login and logout (recorded in the activity log), and people and role management for superusers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.mixins import UserPassesTestMixin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from jagaweb.activity.log import SystemJob, record
from jagaweb.activity.models import Event
from jagaweb.people import accounts, verbs
from jagaweb.people.forms import (
    AdminPasswordForm,
    MembershipFormSet,
    RoleCreateForm,
    RoleForm,
    UserCreateForm,
    UserUpdateForm,
)
from jagaweb.people.models import Role

User = get_user_model()


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        record(verbs.LOGGED_IN, actor=user, ip=client_address(self.request))
        accounts.apply_language(response, accounts.preferred_language(user))
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        # Only the name that was tried is kept, never the password.
        username = str(form.data.get("username", ""))[:150]
        ip = client_address(self.request)
        record(verbs.LOGIN_FAILED, actor=SystemJob("auth"), username=username, ip=ip)
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            record(verbs.LOGGED_OUT, actor=request.user)
        return super().post(request, *args, **kwargs)


class SuperuserRequiredMixin(UserPassesTestMixin):
    """People administration stays with superusers; anyone else gets 403."""

    raise_exception = True
    request: HttpRequest

    def test_func(self) -> bool:
        return bool(self.request.user.is_superuser)


class UserListView(SuperuserRequiredMixin, ListView):
    template_name = "people/user_list.html"
    context_object_name = "people"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Any]:
        users = User.objects.order_by("username").prefetch_related(
            "memberships__role", "memberships__organisation", "memberships__third_party"
        )
        q = self.request.GET.get("q", "").strip()
        if q:
            users = users.filter(
                Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q)
                | Q(email__icontains=q) | Q(memberships__role__label__icontains=q)
            ).distinct()
        return users

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(query=query.urlencode(), **kwargs)


class UserDetailView(SuperuserRequiredMixin, DetailView):
    template_name = "people/user_detail.html"
    context_object_name = "person"
    queryset = User.objects.all()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        person = self.object
        return super().get_context_data(
            memberships=person.memberships.select_related("role", "organisation", "third_party"),
            events=Event.objects.filter(actor=person).select_related("site", "organisation")[:20],
            has_token=hasattr(person, "auth_token"),
            **kwargs,
        )


class UserFormView(SuperuserRequiredMixin, View):
    """Create or change a user with their memberships (role + organisation or third party)."""

    template_name = "people/user_form.html"

    def forms(self, user: Any) -> dict[str, Any]:
        data = self.request.POST if self.request.method == "POST" else None
        forms: dict[str, Any] = {}
        if user.pk is None:
            forms["form"] = UserCreateForm(data, instance=user, prefix="user")
        else:
            forms["form"] = UserUpdateForm(data, instance=user, prefix="user", editor=self.request.user)
            forms["password_form"] = AdminPasswordForm(user, data, prefix="password")
        forms["memberships"] = MembershipFormSet(data, instance=user, prefix="memberships")
        return forms

    def user(self, pk: int | None) -> Any:
        return get_object_or_404(User, pk=pk) if pk is not None else User()

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        user = self.user(pk)
        return render(request, self.template_name, {"person": user, **self.forms(user)})

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        user = self.user(pk)
        forms = self.forms(user)
        if not all([form.is_valid() for form in forms.values()]):
            return render(request, self.template_name, {"person": user, **forms})
        if pk is None:
            user = accounts.create_user(forms["form"], forms["memberships"], actor=request.user)
            messages.success(request, _("User %(name)s created.") % {"name": user})
        else:
            accounts.change_user(
                forms["form"], forms["memberships"], forms["password_form"], actor=request.user
            )
            messages.success(request, _("User %(name)s saved.") % {"name": user})
        return redirect("people:user_detail", pk=user.pk)


class RoleListView(SuperuserRequiredMixin, ListView):
    template_name = "people/role_list.html"
    context_object_name = "roles"

    def get_queryset(self) -> QuerySet[Role]:
        return Role.objects.annotate(
            permission_count=Count("permissions", distinct=True),
            member_count=Count("memberships__user", distinct=True),
        )


class RoleFormView(SuperuserRequiredMixin, View):
    """Edit a role's label, rank and permissions, or create another role of a kind."""

    template_name = "people/role_form.html"

    def make_form(self, role: Role) -> RoleForm:
        data = self.request.POST if self.request.method == "POST" else None
        if role.pk is not None:
            return RoleForm(data, instance=role)
        kind = self.request.GET.get("kind", "")
        model_role = Role.objects.filter(kind=kind).order_by("pk").first()
        # A new role starts from the permissions of the first role of its kind, if one was picked.
        initial = {"kind": kind, "permissions": list(model_role.permissions.all())} if model_role else {}
        return RoleCreateForm(data, instance=role, initial=initial)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        role = get_object_or_404(Role, pk=pk) if pk is not None else Role()
        return render(request, self.template_name, {"role": role, "form": self.make_form(role)})

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponseRedirect | HttpResponse:
        role = get_object_or_404(Role, pk=pk) if pk is not None else Role()
        form = self.make_form(role)
        if not form.is_valid():
            return render(request, self.template_name, {"role": role, "form": form})
        role = accounts.save_role(form, actor=request.user)
        messages.success(request, _("Role %(label)s saved.") % {"label": role.label})
        return redirect("people:role_list")
