"""The few WordPress options that decide how the whole site behaves, read at once and judged as settings.

- siteurl / home: moved to another domain, every visitor and every login goes there;
- blogname / blogdescription: the site's name in every title and in search results;
- users_can_register + default_role: "anyone may register, as an administrator" is a classic backdoor;
- active_plugins: a plugin with a gambling name, a lone PHP file, or one not in the known list;
- <prefix>user_roles: a role other than administrator given the powers of one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from jagaweb.guard.choices import TermTier, Verdict
from jagaweb.guard.database.content import Content
from jagaweb.guard.database.kinds import Exposure
from jagaweb.guard.database.reader import ScanContext
from jagaweb.guard.database.values import as_text, structure
from jagaweb.guard.page.result import Reason, evidence
from jagaweb.guard.page.urls import host_of, is_external, own_sites, site_of
from jagaweb.guard.vocabulary import find_terms, gambling_host, of_tier

ADDRESSES = ("siteurl", "home")
TITLES = ("blogname", "blogdescription")
KEPT = ("template", "stylesheet", "admin_email", "users_can_register", "default_role")
SETTINGS = (*ADDRESSES, *TITLES, *KEPT, "active_plugins")
# Capabilities that let a user take over the site (install code, edit code, make administrators).
TAKEOVER_CAPS = frozenset({
    "activate_plugins", "install_plugins", "edit_plugins", "update_plugins", "delete_plugins", "install_themes",
    "edit_themes", "update_themes", "delete_themes", "switch_themes", "edit_files", "update_core", "promote_users",
    "create_users", "edit_users", "delete_users", "manage_options", "unfiltered_upload", "import",
})
FOREIGN_ADDRESS, ADDRESS_MISMATCH, GAMBLING_ADDRESS = 70, 50, 100
OPEN_ADMIN, DORMANT_ADMIN, OPEN_PUBLISHER = 90, 50, 30
PLUGIN_GAMBLING, PLUGIN_UNKNOWN, PLUGIN_ODD, ROLE_TAKEOVER = 60, 40, 20, 60
PUBLISHING_ROLES = ("editor", "author")


@dataclass(frozen=True)
class Option:
    table: str
    option_id: Any
    name: str
    value: str

    @property
    def key(self) -> dict[str, Any]:
        return {"option_id": self.option_id}

    @property
    def locator(self) -> str:
        return f"{self.table} option_name={self.name}"


def read_settings(ctx: ScanContext, table: str, prefix: str) -> dict[str, Option]:
    names = (*SETTINGS, f"{prefix}user_roles")
    found = ctx.select(table, ("option_id", "option_name", "option_value"), ctx.is_in("option_name", len(names)),
                       names)
    return {str(name): Option(table, option_id, str(name), as_text(value)) for option_id, name, value in found}


def check_settings(ctx: ScanContext, options: dict[str, Option], prefix: str) -> list[str]:
    """Judge the settings, record them in the inventory, and return the site's own hosts by its settings."""
    site = {name: options[name].value for name in (*ADDRESSES, *TITLES, "template", "stylesheet") if name in options}
    ctx.report.inventory.setdefault("wordpress", {})[prefix] = site
    hosts = [host_of(options[name].value) for name in ADDRESSES if name in options]
    _addresses(ctx, options, [host for host in hosts if host])
    for name in TITLES:
        if name in options:
            ctx.judge(Content(title=options[name].value), table=options[name].table, key=options[name].key,
                      column="option_value", exposure=Exposure.SITE_WIDE, locator=options[name].locator,
                      label=name)
    _registration(ctx, options)
    if "active_plugins" in options:
        _plugins(ctx, options["active_plugins"], site)
    roles = options.get(f"{prefix}user_roles")
    if roles is not None:
        _roles(ctx, roles)
    # The visitors' address (home) stands for the site: when the two differ, siteurl is the likelier forgery.
    home = host_of(options["home"].value) if "home" in options else ""
    own = home or next((host for host in hosts if host), "")
    return [own] if own and not gambling_host(own) else []


def _addresses(ctx: ScanContext, options: dict[str, Option], hosts: list[str]) -> None:
    own = own_sites(ctx.site_hosts)
    for name in ADDRESSES:
        option = options.get(name)
        if option is None:
            continue
        host = host_of(option.value)
        if not host:
            continue
        reasons = []
        if gambling_host(host) or of_tier(find_terms(option.value), TermTier.PROMO):
            reasons.append(Reason("db.site_address_gambling", _("The site's address points to a gambling site"),
                                  Verdict.JUDOL, GAMBLING_ADDRESS, evidence([option.value])))
        elif own and is_external(host, own):
            reasons.append(Reason("db.site_address_foreign", _("The site's address was changed to another domain"),
                                  Verdict.SUSPICIOUS, FOREIGN_ADDRESS, evidence([option.value])))
        elif not own and len({site_of(other) for other in hosts}) > 1:
            reasons.append(Reason("db.site_address_mismatch",
                                  _("The site address and the WordPress address are on different domains"),
                                  Verdict.SUSPICIOUS, ADDRESS_MISMATCH, evidence([option.value])))
        if reasons:
            ctx.judge(Content(), table=option.table, key=option.key, column="option_value", extra=reasons,
                      exposure=Exposure.SITE_WIDE, locator=option.locator, label=name)


def _registration(ctx: ScanContext, options: dict[str, Option]) -> None:
    role_option = options.get("default_role")
    if role_option is None:
        return
    role = role_option.value.strip().lower()
    open_registration = options.get("users_can_register") is not None and \
        options["users_can_register"].value.strip() not in ("", "0")
    if role == "administrator":
        weight = OPEN_ADMIN if open_registration else DORMANT_ADMIN
        message = (_("Anyone can register, and new accounts become administrators") if open_registration
                   else _("New accounts become administrators (registration is closed for now)"))
    elif role in PUBLISHING_ROLES and open_registration:
        weight = OPEN_PUBLISHER
        message = _("Anyone can register and publish (new accounts get the %(role)s role)") % {"role": role}
    else:
        return
    reason = Reason("db.registration_role", message, Verdict.SUSPICIOUS, weight, (f"default_role={role}",))
    ctx.judge(Content(), table=role_option.table, key=role_option.key, column="option_value", extra=[reason],
              exposure=Exposure.SITE_WIDE, locator=role_option.locator, label="default_role")


def plugin_reasons(plugins: list[str], known: frozenset[str] | None) -> list[Reason]:
    # Promotion words only: host stems would take a booking plugin's "slots" for gambling.
    gambling = [p for p in plugins if of_tier(find_terms(p), TermTier.PROMO)]
    odd = [p for p in plugins if p not in gambling and ("/" not in p or not p.endswith(".php") or ".." in p)]
    reasons = []
    if gambling:
        reasons.append(Reason("db.plugin_gambling", _("An active plugin has a gambling name"), Verdict.JUDOL,
                              PLUGIN_GAMBLING, evidence(gambling)))
    if odd:
        reasons.append(Reason("db.plugin_odd", _("An active plugin is a lone file or an odd path"),
                              Verdict.SUSPICIOUS, PLUGIN_ODD, evidence(odd)))
    if known is not None:
        unknown = [p for p in plugins if p not in known and p not in gambling]
        if unknown:
            reasons.append(Reason("db.plugin_unknown", _("Active plugins that are not in the known list"),
                                  Verdict.SUSPICIOUS, PLUGIN_UNKNOWN, evidence(unknown)))
    return reasons


def _plugins(ctx: ScanContext, option: Option, site: dict[str, Any]) -> None:
    found = structure(option.value)
    values = found.values() if isinstance(found, dict) else found if isinstance(found, list) else []
    plugins = [str(value) for value in values if isinstance(value, str)]
    site["active_plugins"] = plugins
    reasons = plugin_reasons(plugins, ctx.known_plugins)
    if reasons:
        ctx.judge(Content(), table=option.table, key=option.key, column="option_value", extra=reasons,
                  exposure=Exposure.SITE_WIDE, locator=option.locator, label="active_plugins")


def _roles(ctx: ScanContext, option: Option) -> None:
    roles = structure(option.value)
    if not isinstance(roles, dict):
        return
    risky = []
    for role, definition in roles.items():
        capabilities = definition.get("capabilities") if isinstance(definition, dict) else None
        if role == "administrator" or not isinstance(capabilities, dict):
            continue
        granted = sorted(cap for cap, on in capabilities.items() if on and cap in TAKEOVER_CAPS)
        if granted:
            risky.append(f"{role}: {', '.join(granted[:6])}")
    if risky:
        reason = Reason("db.role_takeover", _("A role other than administrator can install code or manage users"),
                        Verdict.SUSPICIOUS, ROLE_TAKEOVER, evidence(risky))
        ctx.judge(Content(), table=option.table, key=option.key, column="option_value", extra=[reason],
                  exposure=Exposure.SITE_WIDE, locator=option.locator, label=option.name)
