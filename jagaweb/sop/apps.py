from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SopConfig(AppConfig):
    name = "jagaweb.sop"
    verbose_name = _("Standard operating procedures")

    def ready(self) -> None:
        # jobs: the periodic jobs; verbs: the activity sentences; panels: the site page's section;
        # cases and requests: they follow runs through the engine's step hooks.
        from jagaweb.sop import cases, jobs, panels, requests, verbs  # noqa: F401
