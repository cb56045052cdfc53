from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def user_url(user: Any) -> str:
    return reverse("people:user_detail", args=[user.pk])


class PeopleConfig(AppConfig):
    name = "jagaweb.people"
    verbose_name = _("People and roles")

    def ready(self) -> None:
        from django.conf import settings

        from jagaweb.activity.targets import register_target_url
        from jagaweb.people import verbs  # noqa: F401  (registers the verbs)
        from jagaweb.people.defaults import seed_roles_after_migrate

        # Seeding the five roles needs the permissions that exist only after every app migrated.
        post_migrate.connect(seed_roles_after_migrate, dispatch_uid="jagaweb.people.seed_roles")
        # Django's user model has no page of its own; events about a user link to people management.
        register_target_url(settings.AUTH_USER_MODEL, user_url)
