from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivityConfig(AppConfig):
    name = "jagaweb.activity"
    verbose_name = _("Activity log")

    def ready(self) -> None:
        from jagaweb.activity import slots  # noqa: F401  (adds the dashboard column)
