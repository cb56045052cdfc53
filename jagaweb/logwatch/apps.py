from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogwatchConfig(AppConfig):
    name = "jagaweb.logwatch"
    verbose_name = _("Visitor activity")

    def ready(self) -> None:
        from jagaweb.logwatch import jobs, panels, slots, verbs  # noqa: F401  (schedule, site panel, dashboard, verbs)
