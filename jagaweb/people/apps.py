from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "jagaweb.people"
    verbose_name = _("People and roles")

    def ready(self) -> None:
        from jagaweb.people import verbs  # noqa: F401  (registers the verbs)
        from jagaweb.people.defaults import seed_roles_after_migrate

        # Seeding the five roles needs the permissions that exist only after every app migrated.
        post_migrate.connect(seed_roles_after_migrate, dispatch_uid="jagaweb.people.seed_roles")
