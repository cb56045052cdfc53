"""The five built-in roles, their default labels (as the seed SOPs name them) and permission sets."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatch
from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.models import Permission

from jagaweb.people.choices import RoleKind

JAGAWEB_APP_PREFIX = "jagaweb."


@dataclass(frozen=True)
class DefaultRole:
    kind: RoleKind
    label: str
    rank: int
    patterns: tuple[str, ...]  # "app_label.codename" globs over JagaWeb's own apps


READ_ALL = ("*.view_*", "activity.export_event")
# Doing the SOP steps one's role is assigned (the engine checks the role; this only opens the door).
SOP_PERFORM = ("sop.change_runstep", "sop.add_evidence", "sop.add_involvement", "sop.change_involvement")
WORK = (
    "inventory.add_*", "inventory.change_*", "jobs.run_scheduleentry", "notify.send_channel",
    "backup.add_backuprun", "backup.add_backupplan", "backup.change_backupplan", "backup.change_snapshot",
    "monitor.add_check", "monitor.change_check", "monitor.change_incident", "monitor.add_maintenancewindow",
    "monitor.change_maintenancewindow", "monitor.change_monitorprofile",
    "guard.add_guardrun", "guard.change_finding", "guard.change_guardprofile", "guard.restore_site",
    "guard.approve_finding",
    "logwatch.change_incident", "logwatch.export_blocklist", "logwatch.ingest_logs",
    "renewals.add_service", "renewals.change_service", "renewals.add_renewal",
    "sop.add_run", "sop.add_case", "sop.change_case", "sop.add_websiterequest", *SOP_PERFORM,
    "reports.issue_report",
)

DEFAULT_ROLES = (
    DefaultRole(RoleKind.OPERATOR, "Admin Website", 10, (*READ_ALL, *WORK)),
    DefaultRole(
        RoleKind.SUPERVISOR, "Kepala Sub Bagian", 20,
        (*READ_ALL, *WORK, "inventory.delete_*", "notify.*", "jobs.change_scheduleentry", "backup.*",
         "monitor.*", "guard.*", "logwatch.*", "renewals.*", "sop.*", "reports.*"),
    ),
    DefaultRole(RoleKind.EXECUTIVE, "Kepala Bagian / Sekretaris", 30,
                (*READ_ALL, *SOP_PERFORM, "reports.acknowledge_report")),
    DefaultRole(RoleKind.THIRD_PARTY, "Pihak Ketiga", 5,
                ("inventory.view_site", "activity.view_event", "sop.view_run", "sop.view_runstep")),
    DefaultRole(
        RoleKind.ORG_MEMBER, "Staf OPD", 1,
        ("inventory.view_site", "inventory.view_organisation", "activity.view_event", "monitor.view_check",
         "monitor.view_incident", "guard.view_guardrun", "guard.view_finding", "logwatch.view_dailyvisitors",
         "logwatch.view_incident", "logwatch.view_logfinding", "renewals.view_service",
         "renewals.view_renewal", "sop.view_run", "sop.view_runstep", "sop.view_case", "sop.view_websiterequest",
         "sop.add_websiterequest", "reports.view_report"),
    ),
)

# People administration stays with superusers: no built-in role can change who may do what.
NEVER_GRANTED = ("people.*",)


def jagaweb_permissions() -> list[Permission]:
    labels = [c.label for c in global_apps.get_app_configs() if c.name.startswith(JAGAWEB_APP_PREFIX)]
    return list(Permission.objects.filter(content_type__app_label__in=labels).select_related("content_type"))


def permission_key(p: Permission) -> str:
    return f"{p.content_type.app_label}.{p.codename}"


def matching(permissions: list[Permission], patterns: tuple[str, ...]) -> list[Permission]:
    def grantable(key: str) -> bool:
        return any(fnmatch(key, pat) for pat in patterns) and not any(fnmatch(key, n) for n in NEVER_GRANTED)

    return [p for p in permissions if grantable(permission_key(p))]


def seed_roles() -> None:
    """Create missing built-in roles and grant defaults that were never offered before."""
    from jagaweb.people.models import Role

    permissions = jagaweb_permissions()
    for default in DEFAULT_ROLES:
        role = Role.objects.filter(kind=default.kind).order_by("pk").first()
        if role is None:
            role = Role.objects.create(kind=default.kind, label=default.label, rank=default.rank)
        offered = set(role.offered_permissions)
        new = [p for p in matching(permissions, default.patterns) if permission_key(p) not in offered]
        if new:
            role.permissions.add(*new)
            role.offered_permissions = sorted(offered | {permission_key(p) for p in new})
            role.save(update_fields=["offered_permissions"])


def seed_roles_after_migrate(sender: Any, **kwargs: Any) -> None:
    if getattr(sender, "name", "").startswith(JAGAWEB_APP_PREFIX):
        seed_roles()
