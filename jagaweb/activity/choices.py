from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    INFO = "info", _("Info")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")

    @classmethod
    def rank(cls, value: str) -> int:
        return [cls.INFO, cls.WARNING, cls.CRITICAL].index(cls(value))


class ActorKind(models.TextChoices):
    PERSON = "person", _("People")
    SYSTEM = "system", _("System")
