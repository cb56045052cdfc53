"""`jagaweb sites import FILE` and `jagaweb sites export`: the site inventory as CSV or YAML."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jagaweb.activity.log import Actor, SystemJob
from jagaweb.inventory.choices import TransferFormat
from jagaweb.inventory.rules import IMPORT_LIMIT_BYTES
from jagaweb.inventory.transfer import ImportResult, export_sites, import_sites
from jagaweb.inventory.visibility import sites_for


class Command(BaseCommand):
    help = "Import or export the site inventory as CSV or YAML."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{import,export}")
        importing = actions.add_parser("import", help="Create or update sites from a file (all or nothing).")
        importing.add_argument("file", help="The file to read, or - for standard input.")
        importing.add_argument("--dry-run", action="store_true", help="Check and report, but save nothing.")
        exporting = actions.add_parser("export", help="Write every site to a file or to standard output.")
        exporting.add_argument("--output", "-o", help="The file to write (default: standard output).")
        for sub in (importing, exporting):
            sub.add_argument(
                "--format", choices=TransferFormat.values, help="csv or yaml (default: from the file name)."
            )
            sub.add_argument("--user", help="Act as this user, within what they may see (default: system).")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.actor(options.get("user"))
        if options["action"] == "import":
            self.do_import(options["file"], options.get("format"), actor, options["dry_run"])
        else:
            self.do_export(options.get("output"), options.get("format"), actor)

    def actor(self, username: str | None) -> Actor:
        if not username:
            return SystemJob("cli")
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user named %s.") % username)
        return user

    def do_import(self, name: str, fmt: str | None, actor: Actor, dry_run: bool) -> None:
        text = self.read(name)
        fmt = fmt or guess_format(name)
        result = import_sites(text, fmt, actor, dry_run=dry_run, source=name if name != "-" else "stdin")
        if not result.ok:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(_("Nothing was imported: %d problem(s).") % len(result.errors))
        self.stdout.write(summary(result))

    def read(self, name: str) -> str:
        if name == "-":
            return sys.stdin.read()
        path = Path(name)
        if not path.is_file():
            raise CommandError(_("No such file: %s") % name)
        if path.stat().st_size > IMPORT_LIMIT_BYTES:
            raise CommandError(_("The file is larger than 5 MB."))
        try:
            return path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CommandError(_("The file is not UTF-8 text.")) from exc

    def do_export(self, output: str | None, fmt: str | None, actor: Actor) -> None:
        fmt = fmt or (guess_format(output) if output else TransferFormat.CSV)
        text = export_sites(sites_for(actor), fmt, actor=actor)
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")


def guess_format(name: str) -> str:
    return TransferFormat.YAML if name.lower().endswith((".yaml", ".yml")) else TransferFormat.CSV


def summary(result: ImportResult) -> str:
    lines = [
        _("Dry run, nothing saved.") if result.dry_run else _("Imported."),
        _("%(new)d new, %(updated)d updated, %(same)d unchanged sites.") % {
            "new": len(result.created), "updated": len(result.updated), "same": len(result.unchanged),
        },
    ]
    if result.new_organisations:
        lines.append(_("New organisations: %s") % ", ".join(result.new_organisations))
    if result.new_servers:
        lines.append(_("New servers: %s") % ", ".join(result.new_servers))
    return "\n".join(lines)
