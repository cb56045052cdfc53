from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jagaweb.jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        from jagaweb.jobs import verbs  # noqa: F401  (registers the verbs)
