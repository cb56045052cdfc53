from django.utils.translation import gettext_lazy as _

from jagaweb.activity.verbs import register

LOGGED_IN = register("people.logged_in", _("Logged in"))
LOGGED_OUT = register("people.logged_out", _("Logged out"))
LOGIN_FAILED = register("people.login_failed", _("Failed login for {username}"))
USER_CREATED = register("people.user_created", _("Created user {object}"))
USER_CHANGED = register("people.user_changed", _("Changed user {object}"))
PASSWORD_SET = register("people.password_set", _("Set a new password for {object}"))
PASSWORD_CHANGED = register("people.password_changed", _("Changed own password"))
PROFILE_CHANGED = register("people.profile_changed", _("Changed own profile"))
ROLE_CREATED = register("people.role_created", _("Created role {object}"))
ROLE_CHANGED = register("people.role_changed", _("Changed role {object}"))
TOKEN_CREATED = register("people.token_created", _("Created an API token"))
TOKEN_REVOKED = register("people.token_revoked", _("Revoked an API token"))
