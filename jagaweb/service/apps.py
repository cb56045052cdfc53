from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "jagaweb.service"
    verbose_name = _("JagaWeb service")

    def ready(self) -> None:
        from jagaweb.service import verbs  # noqa: F401  (registers the verbs)
