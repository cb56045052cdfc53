from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleKind(models.TextChoices):
    OPERATOR = "operator", _("Operator (does the work)")
    SUPERVISOR = "supervisor", _("Supervisor (assigns, verifies)")
    EXECUTIVE = "executive", _("Executive (reads, approves)")
    THIRD_PARTY = "third_party", _("Third party (sees what is assigned to it)")
    ORG_MEMBER = "org_member", _("Organisation member (sees its own organisation)")


# Kinds whose scope is every site unless a membership narrows it to one organisation.
STAFF_KINDS = {RoleKind.OPERATOR, RoleKind.SUPERVISOR, RoleKind.EXECUTIVE}
