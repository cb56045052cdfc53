from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackupConfig(AppConfig):
    name = "jagaweb.backup"
    verbose_name = _("Backups")

    def ready(self) -> None:
        from jagaweb.backup import jobs, panels, slots, verbs  # noqa: F401  (jobs, site panel, dashboard column, verbs)
