from django.utils.translation import gettext_lazy as _

from jagaweb.activity.verbs import register

CHANNEL_CREATED = register("notify.channel_created", _("Created notification channel {object}"))
CHANNEL_CHANGED = register("notify.channel_changed", _("Changed notification channel {object}: {fields}"))
CHANNEL_DELETED = register("notify.channel_deleted", _("Deleted notification channel {object}"))
TEST_SENT = register("notify.test_sent", _("Sent a test message through {channel}: {result}"))
MESSAGE_SENT = register("notify.message_sent", _("Sent “{object}” through {channel}"))
DELIVERY_FAILED = register(
    "notify.delivery_failed",
    _("Could not send “{object}” through {channel} after {attempts} attempt(s): {error}"),
)
