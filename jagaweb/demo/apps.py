from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "jagaweb.demo"
    verbose_name = _("Demo")

    def ready(self) -> None:
        from jagaweb.demo import verbs  # noqa: F401  (registers the verbs)
        from jagaweb.demo.panels import register_if_demo

        register_if_demo()
