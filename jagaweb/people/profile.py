"""Each person's own page: name, e-mail, password, language and API token."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from rest_framework.authtoken.models import Token

from jagaweb.people import accounts
from jagaweb.people.forms import ProfileForm


@method_decorator(never_cache, name="dispatch")  # the page may carry a freshly made token
class ProfileView(View):
    template_name = "people/profile.html"
    actions = ("profile", "password", "token_create", "token_revoke")

    def context(self, request: HttpRequest, **forms: Any) -> dict[str, Any]:
        user: Any = request.user
        initial = {"language": accounts.preferred_language(user)}
        forms.setdefault("profile_form", ProfileForm(instance=user, initial=initial, prefix="profile"))
        forms.setdefault("password_form", PasswordChangeForm(user, prefix="password"))
        return {"token": Token.objects.filter(user=user).first(), **forms}

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, self.context(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        action = request.POST.get("action", "")
        if action not in self.actions:
            return redirect("people:profile")
        response: HttpResponse = getattr(self, action)(request)
        return response

    def profile(self, request: HttpRequest) -> HttpResponse:
        form = ProfileForm(request.POST, instance=request.user, prefix="profile")
        if not form.is_valid():
            return render(request, self.template_name, self.context(request, profile_form=form))
        language = accounts.save_profile(form)
        messages.success(request, _("Your profile is saved."))
        response = redirect("people:profile")
        accounts.apply_language(response, language, forget=True)
        return response

    def password(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        form = PasswordChangeForm(user, request.POST, prefix="password")
        if not form.is_valid():
            return render(request, self.template_name, self.context(request, password_form=form))
        accounts.change_own_password(form, request)
        messages.success(request, _("Your password is changed."))
        return redirect("people:profile")

    def token_create(self, request: HttpRequest) -> HttpResponse:
        key = accounts.issue_token(request.user, actor=request.user)
        # Shown on this response only: no redirect, nothing kept in the session.
        return render(request, self.template_name, self.context(request, new_token=key))

    def token_revoke(self, request: HttpRequest) -> HttpResponse:
        if accounts.revoke_token(request.user, actor=request.user):
            messages.success(request, _("Your API token is revoked."))
        return redirect("people:profile")
