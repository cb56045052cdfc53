"""Inventory forms. Each is told who is editing, so its choices cover only what that person sees."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import inlineformset_factory, model_to_dict
from django.utils.translation import gettext_lazy as _

from jagaweb.inventory.changes import set_tags
from jagaweb.inventory.choices import TransferFormat
from jagaweb.inventory.fields import LinesField, TagListField, YesNoField
from jagaweb.inventory.models import Contact, Organisation, Server, Site, ThirdParty
from jagaweb.inventory.rules import IMPORT_LIMIT_BYTES, check_parent, check_site_slug
from jagaweb.inventory.visibility import organisations_for, servers_for, third_parties_for
from jagaweb.people.scope import organisation_subtree


class ScopedModelForm(forms.ModelForm):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.limit_choices(user)

    def limit_choices(self, user: Any) -> None:
        """Narrow the choice fields to what `user` may see; forms with choices override this."""


class OrganisationForm(ScopedModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "code", "parent", "address", "email", "phone"]

    def limit_choices(self, user: Any) -> None:
        parents = organisations_for(user)
        if self.instance.pk is not None:
            parents = parents.exclude(pk__in=organisation_subtree({self.instance.pk}))
        field = self.fields["parent"]
        field.queryset = parents  # type: ignore[attr-defined]
        current = self.instance.parent_id
        if current is not None and not parents.filter(pk=current).exists():
            # The current parent lies outside this user's view: keep it, but do not offer to change it.
            field.queryset = Organisation.objects.filter(pk=current)  # type: ignore[attr-defined]
            field.disabled = True

    def clean_parent(self) -> Organisation | None:
        parent = self.cleaned_data.get("parent")
        check_parent(self.user, self.instance, parent)
        return parent


class SiteFieldsForm(forms.ModelForm):
    """The site's own properties; shared by the site page form and the import (one form per row)."""

    access_logs = LinesField(label=_("access log paths"), help_text=_("One file path per line."))
    tags = TagListField(label=_("tags"), help_text=_("Separated by commas or spaces."))
    db_password = forms.CharField(
        label=_("database password"), required=False, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = Site
        fields = [
            "slug", "name", "url", "cms", "web_root", "db_engine", "db_host", "db_port", "db_name", "db_user",
            "access_logs", "is_active", "notes",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # Through all(), so an importer's prefetch_related("tags") spares a query per row.
            self.initial.setdefault("tags", sorted(tag.name for tag in self.instance.tags.all()))

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        check_site_slug(slug)
        return slug

    def save(self, commit: bool = True) -> Site:
        site: Site = super().save(commit=False)
        if self.cleaned_data.get("db_password"):
            site.db_password = self.cleaned_data["db_password"]
        if commit:
            site.save()
            self.save_m2m()
            set_tags(site, self.cleaned_data.get("tags", []))
        return site


class SiteForm(SiteFieldsForm, ScopedModelForm):
    forget_db_password = forms.BooleanField(label=_("Forget the stored database password"), required=False)

    class Meta(SiteFieldsForm.Meta):
        fields = [
            "slug", "name", "url", "organisation", "server", "third_parties", "cms", "web_root", "db_engine",
            "db_host", "db_port", "db_name", "db_user", "access_logs", "is_active", "notes",
        ]

    field_order = [
        "slug", "name", "url", "organisation", "server", "third_parties", "cms", "web_root", "db_engine",
        "db_host", "db_port", "db_name", "db_user", "db_password", "forget_db_password", "access_logs",
        "tags",
    ]

    def limit_choices(self, user: Any) -> None:
        self.fields["organisation"].queryset = organisations_for(user)  # type: ignore[attr-defined]
        self.fields["server"].queryset = servers_for(user)  # type: ignore[attr-defined]
        self.fields["third_parties"].queryset = third_parties_for(user)  # type: ignore[attr-defined]
        if self.instance.db_password:
            self.fields["db_password"].help_text = _("A password is stored. Leave empty to keep it.")
        else:
            del self.fields["forget_db_password"]

    def save(self, commit: bool = True) -> Site:
        if self.cleaned_data.get("forget_db_password") and not self.cleaned_data.get("db_password"):
            self.instance.db_password = ""
        return super().save(commit)


class SiteImportForm(SiteFieldsForm):
    """One imported row. Organisation and server are looked up by the importer, by code and hostname."""

    is_active = YesNoField(label=_("active"))

    @classmethod
    def for_row(cls, instance: Site | None, values: dict[str, Any]) -> SiteImportForm:
        """A bound form: the row's values over the site's current ones (or a new site's defaults).

        A column the file does not have keeps its value; an empty password or yes/no cell does too.
        """
        site = instance or Site()
        data: dict[str, Any] = model_to_dict(site, fields=cls._meta.fields)
        data["tags"] = sorted(tag.name for tag in site.tags.all()) if site.pk else []
        known = set(cls.base_fields)
        data.update({
            name: value for name, value in values.items()
            if name in known and not (name in ("db_password", "is_active") and value in ("", None))
        })
        return cls(data=data, instance=site)

    def validate_unique(self) -> None:
        """Skipped: the importer looked every slug up at once and updates the site a slug names."""


class ServerForm(ScopedModelForm):
    class Meta:
        model = Server
        fields = ["hostname", "public_ip", "location", "operating_system", "web_server", "hosting", "notes"]

    def limit_choices(self, user: Any) -> None:
        self.fields["hosting"].queryset = third_parties_for(user)  # type: ignore[attr-defined]


class ThirdPartyForm(ScopedModelForm):
    website = forms.URLField(label=_("website"), required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = ThirdParty
        fields = ["name", "kind", "website", "notes"]


ContactFormSet = inlineformset_factory(
    ThirdParty, Contact, fields=["name", "position", "email", "phone"], extra=1, can_delete=True
)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"), required=False)
    text = forms.CharField(
        label=_("Or paste the contents"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    format = forms.ChoiceField(label=_("Format"), choices=TransferFormat.choices, initial=TransferFormat.CSV)
    dry_run = forms.BooleanField(
        label=_("Dry run: only show what would change"), required=False, initial=True
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload, text = cleaned.get("file"), cleaned.get("text", "")
        if upload and text:
            raise ValidationError(_("Upload a file or paste the contents, not both."))
        if upload:
            cleaned["text"], cleaned["source"] = self.read_upload(upload), upload.name
        elif text:
            cleaned["source"] = str(_("pasted text"))
        elif not self.errors:
            raise ValidationError(_("Upload a file or paste the contents."))
        return cleaned

    @staticmethod
    def read_upload(upload: Any) -> str:
        if upload.size > IMPORT_LIMIT_BYTES:
            raise ValidationError(_("The file is larger than 5 MB."))
        try:
            return str(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise ValidationError(_("The file is not UTF-8 text.")) from exc
