"""The guard settings of a site (its GuardProfile), for the page and the API alike, and the known-good
confirmation."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jagaweb.activity.log import Actor, record
from jagaweb.backup.models import Snapshot
from jagaweb.guard import verbs
from jagaweb.guard.choices import Identity
from jagaweb.guard.models import GuardProfile

MAX_PAGES = 50
MAX_PAGE_LENGTH = 500
MAX_SITEMAP_SAMPLE = 20
PROFILE_FIELDS = ["enabled", "pages", "sitemap_sample", "identities", "visual", "files", "database",
                  "auto_restore", "allow_private", "trusted_snapshot"]


def check_pages(lines: list[str]) -> list[str]:
    """Paths on the site ("/berita/") or full http(s) addresses, each once, in the order given."""
    pages = list(dict.fromkeys(line.strip() for line in lines if line.strip()))
    if len(pages) > MAX_PAGES:
        raise forms.ValidationError(_("At most %(count)s pages.") % {"count": MAX_PAGES})
    for page in pages:
        parts = urlsplit(page)
        is_path = page.startswith("/") and not page.startswith("//")
        is_address = parts.scheme in ("http", "https") and bool(parts.hostname)
        if len(page) > MAX_PAGE_LENGTH or any(char.isspace() for char in page) or not (is_path or is_address):
            raise forms.ValidationError(
                _("%(page)s is neither a path starting with / nor an http(s) address.") % {"page": page[:100]})
    return pages


class ProfileForm(forms.ModelForm):
    pages = forms.CharField(
        label=gettext_lazy("Key pages"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Checked besides the home page: one path (/berita/) or address per line."))
    identities = forms.MultipleChoiceField(
        label=gettext_lazy("Fetch as"), choices=Identity.choices, widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Cloaked spam shows itself only to some visitors: fetch each page as each of these."))

    class Meta:
        model = GuardProfile
        fields = PROFILE_FIELDS

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        profile: GuardProfile = self.instance
        self.initial["pages"] = "\n".join(str(page) for page in profile.pages or [])
        self.fields["sitemap_sample"].widget.attrs.update(min=0, max=MAX_SITEMAP_SAMPLE)
        snapshot_field: forms.ModelChoiceField[Snapshot] = self.fields["trusted_snapshot"]  # type: ignore[assignment]
        snapshot_field.queryset = Snapshot.objects.filter(site_id=profile.site_id, trusted=True).order_by("-taken_at")
        snapshot_field.help_text = _("Files are compared with this backup and restored from it. Only snapshots "
                                     "marked trusted on the backup page are offered; marking the site known-good "
                                     "picks the newest.")
        if not user.is_superuser:
            # Reaching loopback or the internal network from the server is a way into it: a superuser's call.
            self.fields["allow_private"].disabled = True
            self.fields["allow_private"].help_text = _("Only a superuser can allow private addresses.")

    def clean_pages(self) -> list[str]:
        return check_pages(str(self.cleaned_data.get("pages") or "").splitlines())

    def clean_sitemap_sample(self) -> int:
        value = int(self.cleaned_data["sitemap_sample"])
        if value > MAX_SITEMAP_SAMPLE:
            raise forms.ValidationError(_("At most %(count)s pages a check.") % {"count": MAX_SITEMAP_SAMPLE})
        return value

    def clean_identities(self) -> list[str]:
        chosen = set(self.cleaned_data.get("identities") or [])
        return [str(value) for value in Identity.values if value in chosen]  # always in the same order

    def changed_names(self) -> list[str]:
        return [name for name in self.changed_data if name in PROFILE_FIELDS]

    def save_for(self, actor: Actor) -> GuardProfile:
        """Store the settings and write the change to the activity log (nothing when nothing changed)."""
        changed = self.changed_names()
        with transaction.atomic():
            profile: GuardProfile = self.save()
            if changed:
                record(verbs.PROFILE_CHANGED, actor=actor, site=profile.site, target=profile,
                       site_name=profile.site.name, fields=", ".join(changed))
        return profile


class KnownGoodForm(forms.Form):
    force = forms.BooleanField(
        required=False, label=gettext_lazy("Mark it anyway"),
        help_text=gettext_lazy("Only when you are sure the site is clean: a baseline of an infected site hides the "
                               "infection from every later check."))
