"""`jagaweb reports issue KIND [--month YYYY-MM] [--day YYYY-MM-DD] [--organisation CODE] [--language en]
[--as USER] [--notes TEXT] [--out DIR]`, `jagaweb reports list`, `jagaweb reports due`.

`issue` makes a report now (a progress bar on stderr), archives it like the page does, and copies its files
to --out; `due` issues the scheduled reports that are due and sends them, as the periodic job does.
"""

from __future__ import annotations

import argparse
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from jagaweb.activity.log import Actor, SystemJob
from jagaweb.inventory.models import Organisation
from jagaweb.progress import ProgressBar
from jagaweb.reports.choices import ReportKind, ReportState
from jagaweb.reports.documents import FORMATS, download_name
from jagaweb.reports.issue import issue_report
from jagaweb.reports.models import Report
from jagaweb.reports.schedules import issue_due


def month_argument(text: str) -> date:
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(_("expected a month as YYYY-MM, got %(text)r") % {"text": text}) from exc


def day_argument(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(_("expected a day as YYYY-MM-DD, got %(text)r") % {"text": text}) from exc


class Command(BaseCommand):
    help = "Reports: issue one now, list the archive, issue the scheduled ones that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=argparse.ArgumentParser)
        issue = sub.add_parser("issue", help="make a report now and archive it")
        issue.add_argument("kind", choices=ReportKind.values)
        issue.add_argument("--month", type=month_argument, help="the monthly report's month, YYYY-MM "
                           "(default: last month)")
        issue.add_argument("--day", type=day_argument, help="the daily log's day, YYYY-MM-DD (default: yesterday)")
        issue.add_argument("--organisation", metavar="CODE", help="one organisation and its units (default: all)")
        issue.add_argument("--language", choices=["id", "en"], default="id")
        issue.add_argument("--as", dest="username", metavar="USER", help="prepare it in this user's name and scope")
        issue.add_argument("--notes", default="", help="the preparer's notes, printed in the report")
        issue.add_argument("--out", type=Path, metavar="DIR", help="also copy the PDF, HTML, XLSX and CSV here")
        listing = sub.add_parser("list", help="the newest reports in the archive")
        listing.add_argument("--limit", type=int, default=20)
        sub.add_parser("due", help="issue and send the scheduled reports that are due")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"do_{action}")(options)

    def actor(self, username: str | None) -> Actor:
        if not username:
            return SystemJob("reports.command")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user named %(name)s.") % {"name": username})
        return user

    def organisation(self, code: str | None) -> Organisation | None:
        if not code:
            return None
        organisation = Organisation.objects.filter(code=code).first()
        if organisation is None:
            raise CommandError(_("No organisation with the code %(code)s.") % {"code": code})
        return organisation

    def do_issue(self, options: dict[str, Any]) -> None:
        today = timezone.localdate()
        month = options["month"] or (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        day = options["day"] or today - timedelta(days=1)
        bar = ProgressBar(_("Preparing"), as_bytes=False)
        report = issue_report(options["kind"], actor=self.actor(options["username"]),
                              organisation=self.organisation(options["organisation"]),
                              language=options["language"], month=month, day=day, notes=options["notes"],
                              progress=bar)
        bar.close()
        if report.state == ReportState.FAILED:
            raise CommandError(_("The report could not be prepared: %(error)s") % {"error": report.error})
        self.stdout.write(_("%(number)s: %(title)s, %(pages)s pages, %(sites)s sites, %(seconds).1f s") % {
            "number": report.number, "title": report.title, "pages": report.pages, "sites": report.site_count,
            "seconds": report.render_seconds})
        if options["out"]:
            self.copy_files(report, options["out"])

    def copy_files(self, report: Report, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for fmt, (attribute, _type, _extension) in FORMATS.items():
            target = folder / download_name(report, fmt)
            with getattr(report, attribute).open("rb") as stored, target.open("wb") as copy:
                shutil.copyfileobj(stored, copy)
            self.stdout.write(str(target))

    def do_list(self, options: dict[str, Any]) -> None:
        for report in Report.objects.select_related("organisation")[: options["limit"]]:
            self.stdout.write(f"{report.number:<22} {report.get_state_display():<40} {report.title}")

    def do_due(self, options: dict[str, Any]) -> None:
        for report in issue_due():
            self.stdout.write(f"{report.number}: {report.title} ({report.get_state_display()})")
