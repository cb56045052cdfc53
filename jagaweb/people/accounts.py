"""What can be done to people, roles and tokens; each operation writes its activity event."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.db import transaction
from django.forms import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from rest_framework.authtoken.models import Token

from jagaweb.activity.log import record
from jagaweb.people import verbs
from jagaweb.people.forms import AdminPasswordForm, ProfileForm, RoleForm, UserCreateForm, UserUpdateForm
from jagaweb.people.models import Profile, Role


def role_summary(user: Any) -> list[str]:
    return [str(m) for m in user.memberships.select_related("role", "organisation", "third_party")]


def create_user(form: UserCreateForm, memberships: BaseInlineFormSet, *, actor: Any) -> Any:
    with transaction.atomic():
        user = form.save()
        memberships.instance = user
        memberships.save()
        record(verbs.USER_CREATED, actor=actor, target=user, roles=role_summary(user))
    return user


def change_user(
    form: UserUpdateForm, memberships: BaseInlineFormSet, password: AdminPasswordForm, *, actor: Any
) -> None:
    with transaction.atomic():
        user = form.save()
        memberships.save()
        fields = [*form.changed_data, *(["memberships"] if memberships.has_changed() else [])]
        if fields:
            record(verbs.USER_CHANGED, actor=actor, target=user, fields=fields, roles=role_summary(user))
        if password.wanted:
            password.save()
            record(verbs.PASSWORD_SET, actor=actor, target=user)


def _permission_keys(role: Role) -> set[str]:
    pairs = role.permissions.values_list("content_type__app_label", "codename")
    return {f"{app}.{codename}" for app, codename in pairs}


def save_role(form: RoleForm, *, actor: Any) -> Role:
    created = form.instance.pk is None
    with transaction.atomic():
        before = set() if created else _permission_keys(form.instance)
        role = form.save()
        after = _permission_keys(role)
        record(
            verbs.ROLE_CREATED if created else verbs.ROLE_CHANGED, actor=actor, target=role,
            fields=form.changed_data, granted=sorted(after - before), revoked=sorted(before - after),
        )
    return role


def preferred_language(user: Any) -> str:
    return Profile.objects.filter(user=user).values_list("language", flat=True).first() or ""


def apply_language(response: HttpResponse, code: str, *, forget: bool = False) -> None:
    """Make `code` the language of the following pages (Django's LocaleMiddleware reads this cookie).

    With no language chosen, `forget` drops the cookie so the installation's default applies again.
    """
    if code not in dict(settings.LANGUAGES):
        if forget:
            response.delete_cookie(
                settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, code, max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def save_profile(form: ProfileForm) -> str:
    """Save a person's own details; returns their chosen language ("" for the browser's)."""
    user = form.instance
    language = form.cleaned_data.get("language", "")
    with transaction.atomic():
        form.save()
        profile, _created = Profile.objects.get_or_create(user=user)
        fields = [name for name in form.changed_data if name != "language"]
        if profile.language != language:
            profile.language = language
            profile.save(update_fields=["language"])
            fields.append("language")
        if fields:
            record(verbs.PROFILE_CHANGED, actor=user, target=user, fields=fields)
    return language


def change_own_password(form: PasswordChangeForm, request: HttpRequest) -> None:
    user = form.save()
    update_session_auth_hash(request, user)  # keeps this session logged in, ends the others
    record(verbs.PASSWORD_CHANGED, actor=user, target=user)


def issue_token(user: Any, *, actor: Any) -> str:
    """A new API token for `user`, replacing the old one; the key is returned once and never shown again."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        token = Token.objects.create(user=user)
        # The token itself is never the event's target: its text is the secret key.
        record(verbs.TOKEN_CREATED, actor=actor, target=user)
    return token.key


def revoke_token(user: Any, *, actor: Any) -> bool:
    deleted, _detail = Token.objects.filter(user=user).delete()
    if deleted:
        record(verbs.TOKEN_REVOKED, actor=actor, target=user)
    return bool(deleted)
