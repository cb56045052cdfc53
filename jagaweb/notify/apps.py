from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "jagaweb.notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from jagaweb.notify import jobs, verbs  # noqa: F401  (declares the retry job, registers the verbs)
