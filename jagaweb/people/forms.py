"""Forms for managing people and roles, and for each person's own profile."""

from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.forms.boundfield import BoundWidget
from django.utils.translation import gettext_lazy as _

from jagaweb.people.defaults import jagaweb_permissions, matching
from jagaweb.people.models import Membership, Role

User = get_user_model()

ACTIONS = {"add": _("Add"), "change": _("Change"), "delete": _("Delete"), "view": _("View")}


class UserCreateForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "first_name", "last_name", "email", "is_active")


class UserUpdateForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("first_name", "last_name", "email", "is_active", "is_superuser")

    def __init__(self, *args: Any, editor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editor = editor

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        keeps_power = cleaned.get("is_active") and cleaned.get("is_superuser")
        if self.instance.pk == self.editor.pk and not keeps_power:
            # Otherwise the last administrator could lock everyone out of people management.
            raise ValidationError(_("You cannot deactivate yourself or drop your own superuser status."))
        return cleaned


class AdminPasswordForm(forms.Form):
    """An administrator sets someone's password; left empty, the password stays as it is."""

    new_password1 = forms.CharField(
        label=_("New password"), required=False, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    new_password2 = forms.CharField(
        label=_("New password again"), required=False, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    @property
    def wanted(self) -> bool:
        return bool(self.cleaned_data.get("new_password1"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("new_password1", ""), cleaned.get("new_password2", "")
        if not first and not second:
            return cleaned
        if first != second:
            raise ValidationError({"new_password2": _("The two passwords differ.")})
        try:
            password_validation.validate_password(first, self.user)
        except ValidationError as error:
            self.add_error("new_password1", error)
        return cleaned

    def save(self) -> None:
        self.user.set_password(self.cleaned_data["new_password1"])
        self.user.save(update_fields=["password"])


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ("role", "organisation", "third_party")


MembershipFormSet: type[BaseInlineFormSet] = inlineformset_factory(
    User, Membership, form=MembershipForm, extra=1, can_delete=True
)


def permission_choices() -> QuerySet[Permission]:
    """JagaWeb's own permissions, less those no role may hold (people administration)."""
    allowed = [p.pk for p in matching(jagaweb_permissions(), ("*",))]
    return (
        Permission.objects.filter(pk__in=allowed).select_related("content_type")
        .order_by("content_type__app_label", "content_type__model", "codename")
    )


def permission_label(permission: Permission) -> str:
    """The permission in the reader's language (the names stored by Django are English only)."""
    model = permission.content_type.model_class()
    if model is None:
        return permission.name
    action, _sep, model_name = permission.codename.partition("_")
    if action in ACTIONS and model_name == model._meta.model_name:
        return f"{ACTIONS[action]}: {model._meta.verbose_name}"
    return str(dict(model._meta.permissions).get(permission.codename, permission.name))


class PermissionsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return permission_label(obj)


class RoleForm(forms.ModelForm):
    permissions = PermissionsField(
        label=_("Permissions"), queryset=Permission.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Role
        fields: tuple[str, ...] = ("label", "rank", "permissions")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["permissions"].queryset = permission_choices()  # type: ignore[attr-defined]

    def permission_groups(self) -> list[tuple[str, list[BoundWidget]]]:
        """The permission checkboxes grouped by app, for one fieldset per app."""
        groups: dict[str, list[BoundWidget]] = {}
        for checkbox in self["permissions"]:
            permission = checkbox.data["value"].instance
            app = apps.get_app_config(permission.content_type.app_label).verbose_name
            groups.setdefault(str(app), []).append(checkbox)
        return list(groups.items())


class RoleCreateForm(RoleForm):
    class Meta(RoleForm.Meta):
        fields = ("kind", "label", "rank", "permissions")


class ProfileForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("Browser default")), *settings.LANGUAGES]
    )

    class Meta:
        model = User
        fields = ("first_name", "last_name", "email")
