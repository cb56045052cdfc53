"""The people of a month and what they record besides their SOP work: logging in on working days, changes to
the sites' inventory entries, exports of the activity log. (Their other entries, such as acknowledging
incidents, approving page changes, restoring, renewing or completing SOP steps, come with the records they
change, from the other parts of the generator.)
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.utils import translation

from jagaweb.activity.verbs import EXPORTED
from jagaweb.demo.month.base import Fill, People
from jagaweb.inventory import verbs as inventory_verbs
from jagaweb.inventory.models import Site
from jagaweb.people import verbs as people_verbs
from jagaweb.people.choices import RoleKind
from jagaweb.people.models import Membership, Role
from jagaweb.sop.calendar import is_working_day
from jagaweb.sop.models import calendar_for

# The handful of people a generated month is worked by, when the caller names nobody: username, name, role.
STAFF = (
    ("admin.website", "Rina", "Wulandari", RoleKind.OPERATOR),
    ("operator.konten", "Ayu", "Pratiwi", RoleKind.OPERATOR),
    ("operator.jaringan", "Dedi", "Kurniawan", RoleKind.OPERATOR),
    ("kasubbag.tik", "Hendra", "Saputra", RoleKind.SUPERVISOR),
    ("sekretaris.dinas", "Sri", "Lestari", RoleKind.EXECUTIVE),
)
SITE_FIELDS = ("notes", "cms", "server", "access_logs", "tags", "db_name")
KIND_ORDER = [RoleKind.EXECUTIVE, RoleKind.SUPERVISOR, RoleKind.OPERATOR, RoleKind.THIRD_PARTY, RoleKind.ORG_MEMBER]


def staff() -> list[User]:
    """The default people, made once (a second fill finds them) with a membership of their role's kind."""
    users = []
    for username, first, last, kind in STAFF:
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@example.go.id"})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        role = Role.objects.filter(kind=kind).order_by("rank", "pk").first()
        if role is not None:
            Membership.objects.get_or_create(user=user, role=role, organisation=None, third_party=None)
        users.append(user)
    return users


def people_of(users: Sequence[User]) -> People:
    chosen = list(users) or staff()
    kinds: dict[int, str] = {}
    for user_id, kind in Membership.objects.filter(user__in=chosen).values_list("user_id", "role__kind"):
        current = kinds.get(user_id)
        if current is None or KIND_ORDER.index(RoleKind(kind)) < KIND_ORDER.index(RoleKind(current)):
            kinds[user_id] = kind
    return People(chosen, kinds)


def logins(fill: Fill) -> None:
    rng, month = fill.rng, fill.month
    calendar = calendar_for(None)
    for day in month.days:
        if not is_working_day(day, calendar):
            continue
        for user in fill.people.users:
            if rng.random() < 0.9:
                fill.events.person(people_verbs.LOGGED_IN, month.at(day, rng.uniform(7.3, 9.0)), user,
                                   ip=f"10.10.{rng.randint(1, 20)}.{rng.randint(2, 250)}")
            if rng.random() < 0.4:
                fill.events.person(people_verbs.LOGGED_IN, month.at(day, rng.uniform(12.5, 14.0)), user,
                                   ip=f"10.10.{rng.randint(1, 20)}.{rng.randint(2, 250)}")


def inventory_changes(fill: Fill) -> None:
    """Site entries kept up to date: about one change a month for every twenty sites."""
    rng, month = fill.rng, fill.month
    with translation.override(None):  # the kind is stored untranslated (`inventory.changes.kind_of`)
        kind = str(Site._meta.verbose_name)
    for _change in range(max(1, len(fill.sites) // 20)):
        site = rng.choice(fill.sites)
        day = rng.choice([day for day in month.days if day.weekday() < 5] or month.days)
        fields = sorted(rng.sample(SITE_FIELDS, rng.randint(1, 2)))
        fill.events.person(inventory_verbs.CHANGED, month.at(day, rng.uniform(8, 15.5)), fill.people.pick(rng),
                           site=site, target=site, kind=kind, fields=", ".join(fields))


def exports(fill: Fill) -> None:
    """A supervisor exports the log for the weekly report."""
    rng, month = fill.rng, fill.month
    supervisor = fill.people.pick(rng, RoleKind.SUPERVISOR)
    for day in [day for day in month.days if day.weekday() == 4]:
        fill.events.person(EXPORTED, month.at(day, rng.uniform(14, 16)), supervisor,
                           filters={"since": (day.replace(day=1)).isoformat(), "until": day.isoformat()})


def fill_activity(fill: Fill) -> None:
    logins(fill)
    inventory_changes(fill)
    exports(fill)
