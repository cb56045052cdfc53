from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuardConfig(AppConfig):
    name = "jagaweb.guard"
    verbose_name = _("Guard")

    def ready(self) -> None:
        from jagaweb.guard import jobs, panels, slots, verbs  # noqa: F401  (schedule, site panel, dashboard, verbs)
