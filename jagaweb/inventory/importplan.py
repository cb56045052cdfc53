"""Checking every row of an import before anything is written, and planning what to write.

The planner looks up the sites, organisations and servers a file names in a few queries, checks each
row with `SiteImportForm` and the actor's scope, and collects every error with its line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from jagaweb.activity.log import Actor
from jagaweb.inventory.choices import ImportOutcome
from jagaweb.inventory.forms import OrganisationForm, ServerForm, SiteImportForm
from jagaweb.inventory.models import Organisation, Server, Site
from jagaweb.inventory.sitefiles import Row, at_line
from jagaweb.inventory.visibility import (
    has_perm,
    is_unlimited,
    organisations_for,
    servers_for,
    sites_for,
)

MAX_ERRORS = 200
CHUNK = 500
M = TypeVar("M", bound=Model)


@dataclass
class PlannedRow:
    line: int
    slug: str
    form: SiteImportForm
    outcome: str
    organisation: Organisation | None = None  # an existing organisation to set; None keeps the current one
    new_organisation: str = ""  # or the code of one this import creates
    server_given: bool = False  # False: the file has no server column, keep the current server
    server: Server | None = None
    new_server: str = ""


@dataclass
class Plan:
    rows: list[PlannedRow] = field(default_factory=list)
    new_organisations: dict[str, OrganisationForm] = field(default_factory=dict)
    new_servers: dict[str, ServerForm] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def by_key(queryset: QuerySet[M], key: str, values: Iterable[str]) -> dict[str, M]:
    """Objects whose `key` is one of `values`, fetched in chunks (databases limit query parameters)."""
    wanted = sorted({value for value in values if value})
    found: dict[str, M] = {}
    for start in range(0, len(wanted), CHUNK):
        for obj in queryset.filter(**{f"{key}__in": wanted[start:start + CHUNK]}):
            found[getattr(obj, key)] = obj
    return found


def text(values: dict[str, Any], name: str) -> str:
    value = values.get(name, "")
    return value.strip() if isinstance(value, str) else ""


class Planner:
    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.plan_ = Plan()
        self.error_count = 0
        self.seen: dict[str, int] = {}
        self.org_lines: dict[str, tuple[int, str]] = {}

    def error(self, line: int, message: object, column: str | None = None) -> None:
        self.error_count += 1
        if self.error_count <= MAX_ERRORS:
            self.plan_.errors.append(at_line(line, str(message), column))

    def plan(self, rows: list[Row]) -> Plan:
        self.load(rows)
        for row in rows:
            planned = self.plan_row(row)
            if planned is not None:
                self.plan_.rows.append(planned)
        if self.error_count > MAX_ERRORS:
            self.plan_.errors.append(_("… and %d more errors.") % (self.error_count - MAX_ERRORS))
        return self.plan_

    def load(self, rows: list[Row]) -> None:
        slugs = [text(row.values, "slug") for row in rows]
        codes = [text(row.values, "organisation") for row in rows]
        hostnames = [text(row.values, "server") for row in rows]
        sites = Site.objects.select_related("organisation", "server").prefetch_related("tags")
        sites = sites.defer("db_password")
        self.sites = by_key(sites, "slug", slugs)
        self.organisations = by_key(Organisation.objects.all(), "code", codes)
        self.servers = by_key(Server.objects.all(), "hostname", hostnames)
        self.unlimited = is_unlimited(self.actor)
        actor, unlimited = self.actor, self.unlimited
        self.visible_sites = set() if unlimited else set(by_key(sites_for(actor), "slug", slugs))
        self.visible_orgs = set() if unlimited else set(by_key(organisations_for(actor), "code", codes))
        self.visible_servers = set() if unlimited else set(by_key(servers_for(actor), "hostname", hostnames))

    def plan_row(self, row: Row) -> PlannedRow | None:
        before = self.error_count
        slug = text(row.values, "slug")
        instance = self.site_for(row.line, slug)
        if self.error_count > before:
            return None
        form = SiteImportForm.for_row(instance, row.values)
        if not form.is_valid():
            for name, messages in form.errors.items():
                for message in messages:
                    self.error(row.line, message, None if name == "__all__" else name)
        planned = PlannedRow(row.line, slug, form, ImportOutcome.CREATED)
        self.plan_organisation(row, instance, planned)
        self.plan_server(row, planned)
        if self.error_count > before:
            return None
        planned.outcome = self.outcome(instance, planned)
        return planned

    def site_for(self, line: int, slug: str) -> Site | None:
        if slug in self.seen:
            self.error(line, _("the same short name is already on line %d.") % self.seen[slug], "slug")
            return None
        if slug:
            self.seen[slug] = line
        instance = self.sites.get(slug)
        if instance is None:
            if not has_perm(self.actor, "add_site"):
                self.error(line, _("you may not add sites."), "slug")
        elif not self.unlimited and slug not in self.visible_sites:
            message = _("a site with this short name already exists and you may not change it.")
            self.error(line, message, "slug")
        elif not has_perm(self.actor, "change_site"):
            self.error(line, _("you may not change sites."), "slug")
        return instance

    def plan_organisation(self, row: Row, instance: Site | None, planned: PlannedRow) -> None:
        code = text(row.values, "organisation")
        if not code:
            if instance is None:
                self.error(row.line, _("This field is required."), "organisation")
            return
        existing = self.organisations.get(code)
        if existing is not None and (self.unlimited or code in self.visible_orgs):
            planned.organisation = existing
            return
        name = text(row.values, "organisation_name")
        if existing is None and self.unlimited and name:
            self.new_organisation(row.line, code, name)
            planned.new_organisation = code
            return
        # Someone with a narrower view may neither learn of other organisations nor add one outside it.
        message = _("unknown organisation code “%s”.")
        if existing is None and self.unlimited:
            message = _("unknown organisation code “%s”; name it in an organisation_name column to add it.")
        self.error(row.line, message % code, "organisation")

    def new_organisation(self, line: int, code: str, name: str) -> None:
        if code in self.org_lines:
            first_line, first_name = self.org_lines[code]
            if first_name != name:
                self.error(line, _("differs from the name on line %d.") % first_line, "organisation_name")
            return
        self.org_lines[code] = (line, name)
        if not has_perm(self.actor, "add_organisation"):
            self.error(line, _("you may not add organisations."), "organisation")
            return
        form = OrganisationForm(data={"name": name, "code": code}, user=self.actor)
        if not form.is_valid():
            for field_name, messages in form.errors.items():
                column = "organisation_name" if field_name == "name" else "organisation"
                for message in messages:
                    self.error(line, message, column)
        self.plan_.new_organisations[code] = form

    def plan_server(self, row: Row, planned: PlannedRow) -> None:
        if "server" not in row.values:
            return
        planned.server_given = True
        hostname = text(row.values, "server")
        if not hostname:
            return
        existing = self.servers.get(hostname)
        if existing is not None:
            if self.unlimited or hostname in self.visible_servers:
                planned.server = existing
            else:
                message = _("the server “%s” is not among the servers you see.")
                self.error(row.line, message % hostname, "server")
            return
        planned.new_server = hostname
        if hostname in self.plan_.new_servers:
            return
        if not has_perm(self.actor, "add_server"):
            self.error(row.line, _("you may not add servers."), "server")
            return
        form = ServerForm(data={"hostname": hostname}, user=self.actor)
        for messages in form.errors.values():
            for problem in messages:
                self.error(row.line, problem, "server")
        self.plan_.new_servers[hostname] = form

    @staticmethod
    def outcome(instance: Site | None, planned: PlannedRow) -> str:
        if instance is None:
            return ImportOutcome.CREATED
        moved = planned.new_organisation or (
            planned.organisation is not None and planned.organisation.pk != instance.organisation_id
        )
        rehosted = planned.server_given and (
            planned.new_server or (planned.server.pk if planned.server else None) != instance.server_id
        )
        changed = planned.form.has_changed() or moved or rehosted
        return ImportOutcome.UPDATED if changed else ImportOutcome.UNCHANGED
