from django.utils.translation import gettext_lazy as _

from jagaweb.activity.verbs import register

CHECKED = register("guard.checked", _("Guard check of {site_name}: {summary}"))
ATTACK = register("guard.attack", _("Attack found on {site_name}: {summary}"))
FAILED = register("guard.failed", _("{operation} of {site_name} failed at {step}: {error}"))
KNOWN_GOOD = register("guard.known_good", _("Marked {site_name} as known-good ({pages} page baselines)"))
APPROVED = register("guard.approved", _("Approved a change on {site_name} as legitimate: {location}"))
QUARANTINED = register("guard.quarantined", _("Quarantined {count} files of {site_name} as evidence"))
RESTORED = register("guard.restored", _("Restored {site_name} to its original state: {summary}"))
VERIFIED = register("guard.verified", _("Appearance of {site_name} verified after the restore: {summary}"))
PROFILE_CHANGED = register("guard.profile_changed", _("Changed the guard settings of {site_name}"))
