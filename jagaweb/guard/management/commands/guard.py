"""`jagaweb guard scan-page FILE_OR_URL [--as IDENTITY] [--json]`, `jagaweb guard scan-files DIR [--json]`, a
site's `check`, `known-good` and `restore` (in jagaweb.guard.cli_site), and `watch [SITE ...]` (real-time mode)."""

from __future__ import annotations

import argparse
import json
import signal
import threading
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jagaweb import net
from jagaweb.guard import cli_site
from jagaweb.guard.choices import Identity, Verdict
from jagaweb.guard.files import scan_directory
from jagaweb.guard.page import PageVerdict, Reason, analyse_page
from jagaweb.guard.page.decode import MAX_BYTES
from jagaweb.guard.page.fetch import fetch_page
from jagaweb.inventory.models import Site


class Command(BaseCommand):
    help = "Check a page or a web root for online-gambling spam, defacement, cloaking and webshells."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=argparse.ArgumentParser)
        page = sub.add_parser("scan-page", help="analyse one page: a file, or a URL fetched as one identity")
        page.add_argument("target", metavar="FILE_OR_URL")
        page.add_argument("--as", dest="identity", choices=list(Identity.values), default=Identity.NORMAL,
                          help="who to pretend to be when fetching a URL (ignored for files)")
        page.add_argument("--json", action="store_true", help="print {verdict, score, reasons} as JSON")
        page.add_argument("--allow-private", action="store_true",
                          help="let the URL be on loopback or an internal network (an intranet site)")
        page.add_argument("--site-host", action="append", default=[],
                          help="a host name that belongs to the site (repeatable; a file has no address)")
        files = sub.add_parser("scan-files", help="scan a web root for webshells, cloaking code and spam")
        files.add_argument("directory", type=Path, metavar="DIR")
        files.add_argument("--site", help="the site's short name (its guard settings apply)")
        files.add_argument("--json", action="store_true", help="print {scanned, files} as JSON")
        check = sub.add_parser("check", help="check a site now: pages, appearance, files, database")
        check.add_argument("site")
        check.add_argument("--json", action="store_true", help="print the run and its findings as JSON")
        known = sub.add_parser("known-good", help="record the site's pages as they are now as its baseline")
        known.add_argument("site")
        known.add_argument("--force", action="store_true", help="even when a page looks attacked")
        restore = sub.add_parser("restore", help="restore the site's files from its trusted backup, then verify")
        restore.add_argument("site")
        restore.add_argument("--json", action="store_true", help="print the repair report as JSON")
        watch = sub.add_parser("watch", help="real-time mode: check a site's files as soon as they change")
        watch.add_argument("sites", nargs="*", metavar="SITE",
                           help="short names (default: every active site whose guard checks its web root here)")
        watch.add_argument("--debounce", type=float, default=2.0,
                           help="seconds without a change before the check runs (default 2)")
        watch.add_argument("--max-delay", type=float, default=30.0,
                           help="check at most this long after the first change of steady writing (default 30)")
        watch.add_argument("--rescan-every", type=float, default=300.0,
                           help="seconds between rescans where inotify cannot be used (default 300)")
        watch.add_argument("--periodic", action="store_true",
                           help="rescan every --rescan-every seconds instead of watching (a web root on NFS)")
        watch.add_argument("--json", action="store_true", help="print each run and its findings as one JSON line")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "scan-page":
            self.scan_page(options)
        elif action == "scan-files":
            self.scan_files(options)
        elif action == "watch":
            self.watch(options)
        else:
            self.stdout.write(cli_site.ACTIONS[action](self.site(options["site"]), options))

    def scan_page(self, options: dict[str, Any]) -> None:
        target: str = options["target"]
        if target.lower().startswith(("http://", "https://")):
            verdict = self.fetch_and_analyse(target, options)
        else:
            verdict = self.analyse_file(Path(target), options["site_host"])
        if options["json"]:
            self.stdout.write(json.dumps(verdict.to_dict(), ensure_ascii=False))
        else:
            self.stdout.write(self.describe(verdict))

    def fetch_and_analyse(self, url: str, options: dict[str, Any]) -> PageVerdict:
        try:
            fetched = fetch_page(url, options["identity"], allow_private=options["allow_private"])
        except net.NetError as exc:
            raise CommandError(str(exc)) from exc
        verdict = analyse_page(fetched.body, url=fetched.url, site_hosts=options["site_host"],
                               location=fetched.location, content_type=fetched.content_type)
        if fetched.status >= 400:
            verdict.reasons.append(Reason("page.http_status", _("The server answered with an error status"),
                                          Verdict.CLEAN, 0, (str(fetched.status),)))
        return verdict

    def analyse_file(self, path: Path, site_hosts: list[str]) -> PageVerdict:
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)  # one byte more, so the analysis knows it was cut
        except OSError as exc:
            message = _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror or exc}
            raise CommandError(message) from exc
        return analyse_page(data, filename=path.name, site_hosts=site_hosts)

    def site(self, slug: str) -> Site:
        site = Site.objects.filter(slug=slug).first()
        if site is None:
            raise CommandError(_("No site with the short name %(slug)r") % {"slug": slug})
        return site

    def describe(self, verdict: PageVerdict) -> str:
        lines = [f"{verdict.verdict.label}: {verdict.verdict} (score {verdict.score})"]
        for reason in verdict.reasons:
            shown = f" [{', '.join(reason.evidence)}]" if reason.evidence else ""
            lines.append(f"  {reason.weight:>3}  {reason.code}: {reason.message}{shown}")
        return "\n".join(lines)

    def scan_files(self, options: dict[str, Any]) -> None:
        directory: Path = options["directory"]
        if not directory.is_dir():
            raise CommandError(_("%(path)s is not a directory") % {"path": directory})
        site = self.site(options["site"]) if options["site"] else None
        report = scan_directory(directory, site=site)
        files = [finding.as_dict() for finding in report.files]
        for skipped in report.skipped:
            self.stderr.write(_("skipped %(path)s: %(reason)s") % {"path": skipped.path, "reason": skipped.reason})
        if options["json"]:
            self.stdout.write(json.dumps({"scanned": report.scanned, "files": files}, ensure_ascii=False))
            return
        self.stdout.write(_("%(scanned)d files scanned, %(flagged)d flagged") % {
            "scanned": report.scanned, "flagged": len(files)})
        for item in files:
            self.stdout.write(f"  {item['severity']:<8} {item['verdict']:<10} {item['path']}")
            for reason in item["reasons"]:
                self.stdout.write(f"           {reason}")

    def watch(self, options: dict[str, Any]) -> None:
        from jagaweb.guard.checking import check_summary_of
        from jagaweb.guard.models import GuardRun
        from jagaweb.guard.watching import WatchError, WatchOptions, sites_to_watch, watch_sites

        try:
            sites = sites_to_watch(options["sites"])
        except WatchError as exc:
            raise CommandError(str(exc)) from exc
        if not sites:
            raise CommandError(_("No site to watch: none is active with a web root here whose guard checks files"))
        settings = WatchOptions(debounce=options["debounce"], max_delay=options["max_delay"],
                                rescan_every=options["rescan_every"], periodic=options["periodic"])
        writing = threading.Lock()  # lines of several sites' threads are not interleaved

        def say(message: str) -> None:
            with writing:
                self.stderr.write(message)

        def on_run(site: Site, run: GuardRun) -> None:
            line = json.dumps(cli_site.run_dict(run), ensure_ascii=False) if options["json"] else _(
                "%(site)s: %(verdict)s (%(summary)s)") % {
                "site": site.slug, "verdict": run.get_verdict_display(), "summary": check_summary_of(run)}
            with writing:
                self.stdout.write(line)
                self.stdout.flush()

        stop = threading.Event()
        previous = {number: signal.signal(number, lambda _number, _frame: stop.set())
                    for number in (signal.SIGTERM, signal.SIGINT)}
        try:
            say(_("Watching %(sites)s; stop with Ctrl-C or SIGTERM") % {"sites": ", ".join(s.slug for s in sites)})
            watch_sites(sites, stop=stop, options=settings, say=say, on_run=on_run)
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
