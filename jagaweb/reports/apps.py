from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "jagaweb.reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from jagaweb.reports import jobs, verbs  # noqa: F401  (periodic jobs, activity verbs)
