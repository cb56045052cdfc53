from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "jagaweb.inventory"
    verbose_name = _("Inventory")

    def ready(self) -> None:
        from jagaweb.inventory import verbs  # noqa: F401  (registers the verbs)
