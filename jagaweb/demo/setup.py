"""Puts the demo's organisations, server, hosting provider, sites and users into the inventory."""

from __future__ import annotations

import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db import models, transaction

from jagaweb.activity.log import SystemJob, record
from jagaweb.demo import verbs
from jagaweb.demo.backups import set_up_backups
from jagaweb.demo.catalog import EMAIL_DOMAIN, ORG_MEMBER_SITE, SiteSpec
from jagaweb.demo.guarding import queue_preparation, set_up_guard
from jagaweb.demo.monitoring import set_up_monitoring
from jagaweb.demo.sites import DemoSite
from jagaweb.inventory import verbs as inventory_verbs
from jagaweb.inventory.choices import CMS, ThirdPartyKind, WebServer
from jagaweb.inventory.models import Organisation, Server, Site, Tag, ThirdParty
from jagaweb.people import verbs as people_verbs
from jagaweb.people.choices import RoleKind
from jagaweb.people.models import Membership, Role

ACTOR = SystemJob("demo")
SERVER_NAME = "demo-host"
HOSTING_NAME = "PT Awan Contoh Nusantara"
TAG = "demo"
OPERATOR = "operator"
ORG_MEMBER = "opd"

M = TypeVar("M", bound=models.Model)


def upsert(model: type[M], kind: str, lookup: dict[str, Any], values: dict[str, Any]) -> M:
    """Create or bring up to date one row, recording what was done in the activity log."""
    obj, created = model._default_manager.get_or_create(**lookup, defaults=values)
    where: dict[str, Any] = {"site": obj} if isinstance(obj, Site) else {}
    if isinstance(obj, Organisation):
        where = {"organisation": obj}
    if created:
        record(inventory_verbs.CREATED, actor=ACTOR, target=obj, kind=kind, object=str(obj), **where)
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        record(
            inventory_verbs.CHANGED, actor=ACTOR, target=obj,
            kind=kind, object=str(obj), fields=", ".join(changed), **where,
        )
    return obj


def organisation(spec: SiteSpec) -> Organisation:
    return upsert(Organisation, "organisation", {"code": spec.organisation_code}, {
        "name": spec.organisation_name, "address": spec.address, "email": spec.email, "phone": spec.phone,
    })


def hosting_provider() -> ThirdParty:
    return upsert(ThirdParty, "third party", {"name": HOSTING_NAME}, {
        "kind": ThirdPartyKind.HOSTING, "website": "https://awan-contoh.example/",
        "notes": "Penyedia hosting fiktif untuk demo JagaWeb.",
    })


def demo_server(hosting: ThirdParty, data_dir: Path) -> Server:
    return upsert(Server, "server", {"hostname": SERVER_NAME}, {
        "public_ip": "127.0.0.1", "web_server": WebServer.OTHER, "hosting": hosting,
        "operating_system": f"{platform.system()} {platform.release()}".strip(),
        "location": "Mesin lokal (demo)", "notes": f"Demo JagaWeb; data di {data_dir}",
    })


def demo_site(demo: DemoSite, server: Server, hosting: ThirdParty, tag: Tag) -> Site:
    site = upsert(Site, "site", {"slug": demo.slug}, {
        "name": demo.name, "url": demo.url, "organisation": organisation(demo.spec), "server": server,
        "cms": CMS.STATIC, "web_root": str(demo.web_root), "access_logs": [str(demo.access_log)],
    })
    site.third_parties.add(hosting)
    site.tags.add(tag)
    return site


def role(kind: RoleKind) -> Role:
    found = Role.objects.filter(kind=kind).order_by("pk").first()
    if found is None:
        raise LookupError(f"no {kind} role: run `jagaweb init` (migrate seeds the roles) first")
    return found


def demo_user(username: str, full_name: str, password: str | None, membership: dict[str, Any]) -> Any:
    first, _, last = full_name.partition(" ")
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={"email": f"{username}@{EMAIL_DOMAIN}", "first_name": first, "last_name": last},
    )
    if password:
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    user.save()
    Membership.objects.get_or_create(user=user, **membership)
    if created:
        record(people_verbs.USER_CREATED, actor=ACTOR, target=user, object=username)
    return user


@transaction.atomic
def register_demo_sites(
    data_dir: Path, sites: Sequence[DemoSite], *, password: str | None = None
) -> list[Site]:
    """Register the demo in the inventory; safe to run again (rows are updated, not duplicated).

    Besides the sites, this makes an operator ("operator", all sites) and a staff member of the
    education office ("opd", its site only), backs every site up to a folder of the data
    directory every ten minutes, monitors each (see `demo.monitoring`) and guards each (see
    `demo.guarding`: the trusted backup and known-good state are queued for the worker). Without a
    password the users cannot log in.
    """
    hosting = hosting_provider()
    server = demo_server(hosting, data_dir)
    tag = Tag.objects.get_or_create(name=TAG)[0]
    registered = [demo_site(demo, server, hosting, tag) for demo in sites]
    demo_user(OPERATOR, "Operator Demo", password, {"role": role(RoleKind.OPERATOR), "organisation": None})
    member_site = next((s for s in registered if s.slug == ORG_MEMBER_SITE), None)
    if member_site is not None:
        demo_user(ORG_MEMBER, "Staf Dinas Pendidikan", password, {
            "role": role(RoleKind.ORG_MEMBER), "organisation": member_site.organisation,
        })
    set_up_backups(data_dir, registered, ACTOR)
    set_up_monitoring(registered, ACTOR)
    queue_preparation(set_up_guard(registered, ACTOR))
    record(verbs.PREPARED, actor=ACTOR, count=len(registered), data_dir=str(data_dir))
    return registered
