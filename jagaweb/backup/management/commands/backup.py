"""`jagaweb backup run|list|verify|restore|export|prune|plan|target-add SITE ...`"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jagaweb.activity.log import SystemJob
from jagaweb.backup import cli_actions
from jagaweb.inventory.models import Site

ACTOR = SystemJob("cli")


class Command(BaseCommand):
    help = "Back up, list, verify, restore, export and prune a site's backups."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=argparse.ArgumentParser)
        sub.add_parser("run", help="back up a site now").add_argument("site")
        listing = sub.add_parser("list", help="list a site's snapshots")
        listing.add_argument("site")
        listing.add_argument("--json", action="store_true")
        verify = sub.add_parser("verify", help="check a site's backups")
        verify.add_argument("site")
        verify.add_argument("--read-data", action="store_true", help="re-read and re-hash every chunk")
        verify.add_argument("--sample", type=cli_actions.percentage, default=1.0,
                            help="with --read-data, the share of packs to read, e.g. 10%%")
        restore = sub.add_parser("restore", help="restore a snapshot (the web root in place, or into --to DIR)")
        restore.add_argument("site")
        restore.add_argument("snapshot")
        restore.add_argument("--to", type=Path, help="a directory; without it the web root is restored in place")
        restore.add_argument("--path", action="append", dest="paths", help="only this path (repeatable)")
        restore.add_argument("--dry-run", action="store_true", help="list what would change, change nothing")
        restore.add_argument("--delete", action="store_true",
                             help="also remove files the snapshot does not have (back to the original state)")
        restore.add_argument("--database", help="restore the snapshot's database dump into this database")
        export = sub.add_parser("export", help="write a snapshot as a standard archive (CD/DVD, offline)")
        export.add_argument("site")
        export.add_argument("snapshot")
        export.add_argument("out", type=Path)
        export.add_argument("--format", choices=["tar.zst", "zip"], default="tar.zst")
        export.add_argument("--volume-size", help="split into volumes, e.g. 650M (CD) or 4480M (DVD)")
        prune = sub.add_parser("prune", help="apply retention and remove unreferenced data")
        prune.add_argument("site")
        prune.add_argument("--dry-run", action="store_true")
        plan = sub.add_parser("plan", help="create or change a site's backup plan")
        plan.add_argument("site")
        plan.add_argument("--target", required=True, help="name of the backup medium")
        plan.add_argument("--exclude", action="append", default=None, help="pattern below the web root")
        plan.add_argument("--extra-path", action="append", default=None, help="e.g. /etc/apache2/sites-enabled")
        plan.add_argument("--no-database", action="store_true")
        target = sub.add_parser("target-add", help="register a backup medium")
        target.add_argument("name")
        target.add_argument("--kind", choices=["local", "sftp"], default="local")
        target.add_argument("--path", required=True)
        target.add_argument("--host", default="")
        target.add_argument("--port", type=int, default=22)
        target.add_argument("--user", default="")
        target.add_argument("--key-file", type=Path, help="SFTP private key file")
        target.add_argument("--passphrase-env", help="encrypt with the passphrase in this environment variable")
        target.add_argument("--host-key", default="", help="the SFTP server's key or SHA256 fingerprint")
        target.add_argument("--trust-host-key", action="store_true",
                            help="connect once and keep the key the SFTP server shows (trust on first use)")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            result = getattr(cli_actions, action.replace("-", "_"))(self.site(options), ACTOR, options)
        except cli_actions.ActionError as exc:
            raise CommandError(str(exc)) from exc
        if isinstance(result, str):
            self.stdout.write(result)
        elif result is not None:
            self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False, default=str))

    def site(self, options: dict[str, Any]) -> Site | None:
        slug = options.get("site")
        if slug is None:
            return None
        try:
            return Site.objects.get(slug=slug)
        except Site.DoesNotExist:
            raise CommandError(f"no site with the short name {slug!r}") from None
