from django.utils.translation import gettext_lazy as _

from jagaweb.activity.verbs import register

CREATED = register("inventory.created", _("Created {kind} {object}"))
CHANGED = register("inventory.changed", _("Changed {kind} {object}: {fields}"))
DELETED = register("inventory.deleted", _("Deleted {kind} {object}"))
IMPORTED = register("inventory.imported", _("Imported sites from {source}: {created} new, {updated} updated"))
EXPORTED = register("inventory.exported", _("Exported {count} sites as {format}"))
