from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitorConfig(AppConfig):
    name = "jagaweb.monitor"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        from jagaweb.monitor import jobs, panels, slots, verbs  # noqa: F401  (jobs, site panel, dashboard columns, verbs)
