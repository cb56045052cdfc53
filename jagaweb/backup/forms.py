"""Forms of the backup pages: a site's plan, a medium (secrets write-only), restores and verify."""

from __future__ import annotations

import json
import os
import re
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jagaweb.backup.choices import TargetKind
from jagaweb.backup.models import BackupPlan, BackupTarget, Snapshot
from jagaweb.backup.ssh import SshError, load_private_key, parse_host_key
from jagaweb.backup.views import visible_targets
from jagaweb.inventory.models import Site
from jagaweb.people.scope import sees_everything, visible_sites

SECRET_NAMES = ("password", "private_key", "key_passphrase")
DATABASE_NAME = re.compile(r"^[A-Za-z0-9_]{1,63}$")
# Restoring into these (or below them) from a web page would overwrite the system itself.
SYSTEM_DIRECTORIES = ("/", "/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/run", "/sbin", "/sys",
                      "/usr", "/var/lib")


def check_excludes(patterns: list[str]) -> list[str]:
    for pattern in patterns:
        if pattern.startswith("/") or ".." in pattern.split("/"):
            raise ValidationError(_("%(pattern)s: patterns are relative to the web root.") % {"pattern": pattern})
    return patterns


def check_extra_paths(paths: list[str]) -> list[str]:
    for path in paths:
        if not path.startswith("/"):
            raise ValidationError(_("%(path)s: give an absolute path.") % {"path": path})
    return paths


def check_keep_last(keep: int) -> int:
    if keep < 1:
        raise ValidationError(_("Keep at least the last snapshot."))
    return keep


class LinesField(forms.CharField):
    """A list of strings, one per line; blank lines are dropped."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list):
            return [str(line).strip() for line in value if str(line).strip()]
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class SecretTextarea(forms.Textarea):
    """A textarea that never shows a value: a posted secret is not echoed back on a form with errors."""

    def format_value(self, value: Any) -> None:
        return None


class PlanForm(forms.ModelForm):
    excludes = LinesField(label=gettext_lazy("Excluded paths"), required=False,
                          help_text=gettext_lazy("One pattern per line, below the web root, e.g. wp-content/cache/*"))
    extra_paths = LinesField(
        label=gettext_lazy("Extra system paths"), required=False,
        help_text=gettext_lazy("One absolute path per line: web server vhost, PHP configuration and the like."),
    )
    max_age_hours = forms.IntegerField(
        label=gettext_lazy("Alert when the last good backup is older than (hours)"), min_value=1, max_value=24 * 90,
        initial=36,
    )

    class Meta:
        model = BackupPlan
        fields = ["target", "enabled", "include_database", "excludes", "extra_paths", "keep_last", "keep_daily",
                  "keep_weekly", "keep_monthly", "keep_yearly"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = visible_targets(user)
        if self.instance.pk:
            choices = choices | BackupTarget.objects.filter(pk=self.instance.target_id)
            self.initial["max_age_hours"] = int(self.instance.max_age.total_seconds() // 3600)
        self.fields["target"].queryset = choices.distinct().order_by("name")  # type: ignore[attr-defined]
        if not sees_everything(user):
            # System paths can hold anything of the server, other sites' secrets too: the server's keepers' call.
            self.fields["extra_paths"].disabled = True
            self.fields["extra_paths"].help_text = _("Only someone who sees every site sets system paths.")

    def clean_excludes(self) -> list[str]:
        return check_excludes(self.cleaned_data["excludes"])

    def clean_extra_paths(self) -> list[str]:
        return check_extra_paths(self.cleaned_data["extra_paths"])

    def clean_keep_last(self) -> int:
        return check_keep_last(self.cleaned_data["keep_last"])

    def plan_fields(self) -> dict[str, Any]:
        """The cleaned values as operations.save_plan takes them."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["max_age"] = timedelta(hours=self.cleaned_data["max_age_hours"])
        return data


class TargetForm(forms.ModelForm):
    """A medium; its secrets are write-only: never put back into the form, and left empty they keep."""

    password = forms.CharField(label=gettext_lazy("SFTP password"), required=False,
                               widget=forms.PasswordInput(render_value=False), strip=False)
    private_key = forms.CharField(
        label=gettext_lazy("SFTP private key"), required=False, widget=SecretTextarea(attrs={"rows": 4}),
        help_text=gettext_lazy("ed25519, ECDSA or RSA, in the OpenSSH or the PEM format."),
    )
    key_passphrase = forms.CharField(label=gettext_lazy("Passphrase of the private key"), required=False,
                                     widget=forms.PasswordInput(render_value=False), strip=False)
    passphrase = forms.CharField(
        label=gettext_lazy("Encryption passphrase"), required=False, widget=forms.PasswordInput(render_value=False),
        strip=False, min_length=12,
        help_text=gettext_lazy("Encrypts the backups on this medium. Keep a copy: without it they cannot be read. "
                               "It cannot be changed once backups were made with it."),
    )

    class Meta:
        model = BackupTarget
        fields = ["name", "kind", "path", "host", "port", "username", "host_key", "notes"]
        widgets = {"host_key": forms.Textarea(attrs={"rows": 2}), "notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"host_key": gettext_lazy(
            "A line of the server's /etc/ssh/ssh_host_ed25519_key.pub (or ssh-keyscan), or its SHA256: "
            "fingerprint. Connections to a server showing another key are refused.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stored = self.instance.secrets() if self.instance.pk else {}
        self.has_passphrase = bool(self.instance.pk and self.instance.passphrase)
        self.passphrase_locked = bool(self.instance.pk and Snapshot.objects.filter(target=self.instance).exists())
        for name in SECRET_NAMES:
            if self.stored.get(name):
                self.fields[name].help_text = " ".join(
                    str(text) for text in (_("Stored; leave empty to keep it."), self.fields[name].help_text) if text)
        if self.passphrase_locked:
            self.fields["passphrase"].disabled = True
            self.fields["passphrase"].help_text = _("Backups exist on this medium: its passphrase cannot change.")
        elif self.has_passphrase:
            self.fields["passphrase"].help_text = _("Stored; leave empty to keep it.")

    def secret_stored(self) -> list[tuple[str, bool]]:
        """(label, is stored) for the detail page and the form; the values never reach a page."""
        return [(str(self.fields[name].label), bool(self.stored.get(name))) for name in SECRET_NAMES]

    def clean_path(self) -> str:
        path: str = self.cleaned_data["path"].strip()
        if self.cleaned_data.get("kind") == TargetKind.LOCAL and not path.startswith("/"):
            raise ValidationError(_("Give the absolute path of the folder, e.g. /media/backup/jagaweb."))
        return path

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.credentials = {name: cleaned.get(name) or self.stored.get(name, "") for name in SECRET_NAMES}
        self.credentials = {name: value for name, value in self.credentials.items() if value}
        if cleaned.get("kind") == TargetKind.SFTP:
            self.check_sftp(cleaned)
        return cleaned

    def check_sftp(self, cleaned: dict[str, Any]) -> None:
        if not cleaned.get("host"):
            self.add_error("host", _("An SFTP medium needs the server's host name."))
        if not cleaned.get("username"):
            self.add_error("username", _("An SFTP medium needs the user to log in as."))
        if not self.credentials.get("password") and not self.credentials.get("private_key"):
            self.add_error("password", _("Give a password or a private key."))
        if not cleaned.get("host_key"):
            self.add_error("host_key", _("Give the server's host key, so that JagaWeb knows it talks to your server."))
        else:
            try:
                parse_host_key(cleaned["host_key"])
            except SshError as exc:
                self.add_error("host_key", str(exc))
        if cleaned.get("private_key"):
            try:
                load_private_key(cleaned["private_key"], self.credentials.get("key_passphrase"))
            except SshError as exc:
                self.add_error("private_key", str(exc))

    def save(self, commit: bool = True) -> BackupTarget:
        target: BackupTarget = super().save(commit=False)
        if target.kind == TargetKind.LOCAL:
            target.host, target.username, target.host_key, self.credentials = "", "", "", {}
        target.credentials = json.dumps(self.credentials) if self.credentials else ""
        if self.cleaned_data.get("passphrase") and not self.passphrase_locked:
            target.passphrase = self.cleaned_data["passphrase"]
        if commit:
            target.save()
        return target

    def changed_names(self) -> list[str]:
        """Which settings changed, naming secrets without their values."""
        names = [name for name in self.changed_data if name not in (*SECRET_NAMES, "passphrase")]
        return names + [name for name in (*SECRET_NAMES, "passphrase") if self.cleaned_data.get(name)]


def snapshot_choices(site: Site) -> list[tuple[str, str]]:
    snapshots = Snapshot.objects.filter(site=site).order_by("-taken_at")
    return [(s.snapshot_id, f"{localtime(s.taken_at):%Y-%m-%d %H:%M} · {s.short_id}{' · ✓' if s.trusted else ''}")
            for s in snapshots]


def forbidden(path: PurePosixPath) -> bool:
    data_dir = PurePosixPath(os.path.realpath(settings.DATA_DIR))
    return (str(path) in SYSTEM_DIRECTORIES or any(path.is_relative_to(d) for d in SYSTEM_DIRECTORIES[1:])
            or path.is_relative_to(data_dir))


def others_web_root(user: Any, path: PurePosixPath) -> bool:
    """Whether `path` is, holds or lies in the web root of a site the user does not see."""
    if sees_everything(user):
        return False
    roots = Site.objects.exclude(pk__in=visible_sites(user).values("pk")).exclude(web_root="")
    for root in roots.values_list("web_root", flat=True).iterator():
        other = PurePosixPath(root)
        if path.is_relative_to(other) or other.is_relative_to(path):
            return True
    return False


class RestoreForm(forms.Form):
    IN_PLACE, DIRECTORY = "in_place", "directory"

    snapshot = forms.ChoiceField(label=gettext_lazy("Snapshot"))
    where = forms.ChoiceField(label=gettext_lazy("Restore"), widget=forms.RadioSelect, initial=IN_PLACE, choices=[
        (IN_PLACE, gettext_lazy("In place, into the site's web root")),
        (DIRECTORY, gettext_lazy("Into another directory (the whole snapshot: webroot/, database/, system paths)")),
    ])
    directory = forms.CharField(
        label=gettext_lazy("Directory"), required=False, max_length=500,
        help_text=gettext_lazy("An absolute path on the JagaWeb server, e.g. /srv/restore/portal."),
    )
    paths = LinesField(
        label=gettext_lazy("Only these paths (optional)"), required=False,
        help_text=gettext_lazy("One per line. In place: relative to the web root, e.g. index.php or images. Into a "
                               "directory: as in the snapshot, e.g. webroot/index.php."),
    )
    delete = forms.BooleanField(label=gettext_lazy("Also remove files the snapshot does not have"), required=False,
                                help_text=gettext_lazy("Brings the files back to exactly the snapshot's state."))

    def __init__(self, *args: Any, site: Site, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site, self.user = site, user
        self.fields["snapshot"].choices = snapshot_choices(site)  # type: ignore[attr-defined]

    def clean_directory(self) -> str:
        directory: str = self.cleaned_data["directory"].strip()
        if not directory:
            return ""
        path = PurePosixPath(directory)
        if not path.is_absolute() or ".." in path.parts:
            raise ValidationError(_("Give an absolute path without '..'."))
        # Both as written and as the file system resolves it: a symbolic link must not lead elsewhere.
        for candidate in (path, PurePosixPath(os.path.realpath(path))):
            if forbidden(candidate):
                raise ValidationError(_("JagaWeb does not restore into system directories or its own data "
                                        "directory."))
            if others_web_root(self.user, candidate):
                raise ValidationError(_("That directory belongs to a site outside your scope."))
        return str(path)

    def clean_paths(self) -> list[str]:
        paths: list[str] = self.cleaned_data["paths"]
        for path in paths:
            if path.startswith("/") or ".." in path.split("/"):
                raise ValidationError(_("%(path)s: give paths as in the snapshot, without a leading '/' or '..'.")
                                      % {"path": path})
        return [path.rstrip("/") for path in paths]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("where") == self.DIRECTORY and not cleaned.get("directory"):
            self.add_error("directory", _("Give the directory to restore into."))
        if cleaned.get("where") == self.IN_PLACE and not self.site.web_root:
            self.add_error("where", _("The site has no web root path in its settings; restore into a directory."))
        return cleaned

    def destination(self) -> str | None:
        return self.cleaned_data["directory"] if self.cleaned_data["where"] == self.DIRECTORY else None


class DatabaseRestoreForm(forms.Form):
    snapshot = forms.ChoiceField(label=gettext_lazy("Snapshot"))
    database = forms.CharField(
        label=gettext_lazy("New database name"), max_length=63,
        help_text=gettext_lazy("Created on the site's database server. Check it, then switch the site over."),
    )

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site = site
        self.fields["snapshot"].choices = snapshot_choices(site)  # type: ignore[attr-defined]

    def clean_database(self) -> str:
        name: str = self.cleaned_data["database"].strip()
        if not DATABASE_NAME.match(name):
            raise ValidationError(_("Use letters, digits and underscores only."))
        if name == self.site.db_name:
            raise ValidationError(_("That is the live database; restore into a new one."))
        return name


class VerifyForm(forms.Form):
    STRUCTURE, SAMPLE, FULL = "structure", "sample", "full"

    depth = forms.ChoiceField(label=gettext_lazy("Check"), initial=SAMPLE, required=False, choices=[
        (STRUCTURE, gettext_lazy("structure only (fast)")),
        (SAMPLE, gettext_lazy("structure and a tenth of the data")),
        (FULL, gettext_lazy("structure and all data (slow)")),
    ])

    def options(self) -> tuple[bool, float]:
        """(read_data, sample) for operations.verify_backups."""
        depth = self.cleaned_data.get("depth") or self.SAMPLE
        return depth != self.STRUCTURE, 0.1 if depth == self.SAMPLE else 1.0
