from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RenewalsConfig(AppConfig):
    name = "jagaweb.renewals"
    verbose_name = _("Service renewals")

    def ready(self) -> None:
        from jagaweb.renewals import jobs, panels, verbs  # noqa: F401  (jobs, site panel, verbs)
