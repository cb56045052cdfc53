"""Importing and exporting sites as CSV or YAML: the one place the UI, the API and the CLI call.

An import is all or nothing: every row is checked first (with the site form the UI uses, so a URL,
a choice or a port is judged the same way), and only a file without a single error is written, in
one transaction. Errors name the line and the column, for example "line 4, url: Enter a valid URL."
The database password is never exported; it may be imported through a `db_password` column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jagaweb.activity.log import Actor, record
from jagaweb.inventory import verbs
from jagaweb.inventory.choices import ImportOutcome, TransferFormat
from jagaweb.inventory.importplan import Plan, Planner
from jagaweb.inventory.models import Site, Tag
from jagaweb.inventory.rules import IMPORT_LIMIT_BYTES
from jagaweb.inventory.sitefiles import COLUMNS, FileProblem, read_rows, write_csv, write_yaml

EXPORT_COLUMNS = tuple(name for name in COLUMNS if name != "db_password")


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    new_organisations: list[str] = field(default_factory=list)
    new_servers: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def site_record(site: Site) -> dict[str, Any]:
    return {
        "slug": site.slug,
        "name": site.name,
        "url": site.url,
        "organisation": site.organisation.code,
        "organisation_name": site.organisation.name,
        "server": site.server.hostname if site.server else "",
        "cms": site.cms,
        "web_root": site.web_root,
        "db_engine": site.db_engine,
        "db_host": site.db_host,
        "db_port": site.db_port,
        "db_name": site.db_name,
        "db_user": site.db_user,
        "access_logs": list(site.access_logs or []),
        "tags": sorted(tag.name for tag in site.tags.all()),
        "is_active": site.is_active,
        "notes": site.notes,
    }


def export_sites(queryset: QuerySet[Site], fmt: str, *, actor: Actor | None = None) -> str:
    """The sites as CSV or YAML text; with an actor, the export is written to the activity log."""
    sites = (
        queryset.select_related("organisation", "server").prefetch_related("tags")
        .defer("db_password").order_by("slug")
    )
    records = [site_record(site) for site in sites.iterator(chunk_size=2000)]
    text = write_yaml(records) if fmt == TransferFormat.YAML else write_csv(records, EXPORT_COLUMNS)
    if actor is not None:
        record(verbs.EXPORTED, actor=actor, count=len(records), format=str(TransferFormat(fmt).label))
    return text


def import_sites(
    text: str, fmt: str, actor: Actor, *, dry_run: bool = False, source: str = ""
) -> ImportResult:
    """Create or update (by slug) the sites in `text`; nothing at all is written if any row is wrong."""
    result = ImportResult(dry_run=dry_run)
    if len(text.encode("utf-8")) > IMPORT_LIMIT_BYTES:
        result.errors = [_("The file is larger than 5 MB.")]
        return result
    try:
        rows = read_rows(text, TransferFormat(fmt))
    except FileProblem as problem:
        result.errors = problem.errors
        return result
    plan = Planner(actor).plan(rows)
    summarise(plan, result)
    if result.ok and not dry_run:
        apply(plan)
        record(
            verbs.IMPORTED, actor=actor, source=source or str(TransferFormat(fmt).label),
            created=len(result.created), updated=len(result.updated), format=str(TransferFormat(fmt).label),
            new_organisations=len(result.new_organisations), new_servers=len(result.new_servers),
        )
    return result


def summarise(plan: Plan, result: ImportResult) -> None:
    result.errors = plan.errors
    result.new_organisations = sorted(plan.new_organisations)
    result.new_servers = sorted(plan.new_servers)
    for row in plan.rows:
        getattr(result, row.outcome).append(row.slug)


def apply(plan: Plan) -> None:
    rows = [row for row in plan.rows if row.outcome != ImportOutcome.UNCHANGED]
    with transaction.atomic():
        organisations = {code: form.save() for code, form in plan.new_organisations.items()}
        servers = {hostname: form.save() for hostname, form in plan.new_servers.items()}
        tags = tags_named({name for row in rows for name in row.form.cleaned_data["tags"]})
        for row in rows:
            site: Site = row.form.save(commit=False)
            if row.new_organisation:
                site.organisation = organisations[row.new_organisation]
            elif row.organisation is not None:
                site.organisation = row.organisation
            if row.new_server:
                site.server = servers[row.new_server]
            elif row.server_given:
                site.server = row.server
            site.save()
            if row.outcome == ImportOutcome.CREATED or "tags" in row.form.changed_data:
                site.tags.set([tags[name] for name in row.form.cleaned_data["tags"]])


def tags_named(names: set[str]) -> dict[str, Tag]:
    """Every tag the import uses, created if new, in three queries however many rows there are."""
    found = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    Tag.objects.bulk_create([Tag(name=name) for name in names - set(found)], ignore_conflicts=True)
    return {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
