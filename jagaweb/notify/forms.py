"""The channel form: common fields, plus the fields the channel's transport declares (one definition)."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jagaweb.notify.models import Channel
from jagaweb.notify.transports import TRANSPORTS
from jagaweb.people.scope import sees_everything, visible_organisations


class ChannelForm(forms.ModelForm):
    class Meta:
        model = Channel
        fields = ["name", "enabled", "min_severity", "roles", "organisations", "allow_private"]
        widgets = {
            "roles": forms.CheckboxSelectMultiple,
            "organisations": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args: Any, kind: str, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = self.instance.kind if self.instance.pk else kind
        self.transport_class = TRANSPORTS[self.kind]
        self.stored_secrets = self.instance.secrets if self.instance.pk else {}
        self.config: dict[str, Any] = {}
        self.secrets: dict[str, str] = {}
        self.add_transport_fields()
        if not sees_everything(user):
            # Someone limited to some organisations routes channels to those alone (see Channel.visible_to).
            organisations = self.fields["organisations"]
            organisations.queryset = visible_organisations(user)  # type: ignore[attr-defined]
            organisations.required = True
        if not user.is_superuser:
            # A disabled field keeps its stored value whatever is posted.
            self.fields["allow_private"].disabled = True
            self.fields["allow_private"].help_text = _("Only a superuser can change this.")

    def add_transport_fields(self) -> None:
        for name, declared in self.transport_class.config_fields.items():
            self.fields[name] = copy.deepcopy(declared)
            if self.instance.pk and name in self.instance.config:
                self.initial[name] = self.instance.config[name]
        for name, declared in self.transport_class.secret_fields.items():
            field = self.fields[name] = copy.deepcopy(declared)
            if name in self.stored_secrets:
                field.required = False
                field.help_text = " ".join(
                    str(text) for text in (_("Stored; leave empty to keep it."), declared.help_text) if text
                )

    def transport_settings(self) -> list[forms.BoundField]:
        """The kind's own fields, plain ones first, for the template."""
        names = [*self.transport_class.config_fields, *self.transport_class.secret_fields]
        return [self[name] for name in names]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        config = {name: cleaned.get(name) for name in self.transport_class.config_fields}
        secrets = {
            name: cleaned.get(name) or self.stored_secrets.get(name, "")
            for name in self.transport_class.secret_fields
        }
        names = set(config) | set(secrets)
        if not names & set(self.errors):
            try:
                self.transport_class.check(config, secrets)
            except ValidationError as exc:
                self.add_error(None, exc)
        self.config, self.secrets = config, {key: value for key, value in secrets.items() if value}
        return cleaned

    def save(self, commit: bool = True) -> Channel:
        channel: Channel = super().save(commit=False)
        channel.kind = self.kind
        channel.config = self.config
        channel.secrets = self.secrets
        if commit:
            channel.save()
            self.save_m2m()
        return channel
