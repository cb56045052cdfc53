from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jagaweb.demo.attack import AttackRefused, attack_site, queue_check
from jagaweb.demo.catalog import ATTACKED_SITE
from jagaweb.demo.setup import ACTOR
from jagaweb.demo.sites import load_sites, state_file
from jagaweb.inventory.models import Site
from jagaweb.notify.models import Message


class Command(BaseCommand):
    help = (
        "Used by `jagaweb demo attack`: plant the demo attack on a sample site of the demo in this data directory "
        "and queue a guard check of it; with --cycle, check, restore and verify here, timed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("site", nargs="?", default=ATTACKED_SITE, help="The sample site's short name.")
        parser.add_argument("--cycle", action="store_true",
                            help="Check, restore and verify now, in this process, and print how long each took.")

    def handle(self, *args: Any, **options: Any) -> None:
        sites = load_sites(settings.DATA_DIR)
        if not sites:
            raise CommandError(f"no demo here: {state_file(settings.DATA_DIR)} is missing")
        demo = next((s for s in sites if s.slug == options["site"]), None)
        if demo is None:
            raise CommandError(f"name one of the demo's sites: {', '.join(s.slug for s in sites)}")
        site = Site.objects.get(slug=demo.slug)
        started = time.monotonic()
        try:
            planted = attack_site(site, demo, ACTOR)
        except AttackRefused as exc:
            raise CommandError(str(exc)) from None
        self.say(f"Planted in {demo.web_root}:")
        self.say("\n".join(f"  {item.path:<32} {item.what}" for item in planted))
        self.say("The demo has no PHP: index.php and the webshell are files on disk, never run; the guard's file "
                 "check finds them.")
        self.say("See the cloaking: a browser gets the usual home page, Googlebot the doorway:")
        self.say(f"  curl -s -A Googlebot {site.url} | head")
        if options["cycle"]:
            self.cycle(site, started)
            return
        run = queue_check(site, ACTOR)
        self.say(f"A guard check of {site.name} is queued (job run {run.pk}); the worker runs it within seconds.")
        self.say(f"Findings and the Restore button: {settings.BASE_URL}/guard/sites/{site.slug}/")

    def cycle(self, site: Site, started: float) -> None:
        from jagaweb.guard.checking import check_summary_of, run_check
        from jagaweb.guard.restoring import run_restore

        alerts = Message.objects.filter(site=site).count()
        planted = time.monotonic()
        check = run_check(site, ACTOR, auto_restore=False)
        detected = time.monotonic()
        alerted = Message.objects.filter(site=site).count() - alerts
        self.say(f"detect:  {check.verdict} / {check.severity}, {check.findings.count()} findings "
                 f"({check_summary_of(check)}), {alerted} alert(s) - {detected - planted:.1f} s")
        restore = run_restore(site, ACTOR, check_run=check)
        done = time.monotonic()
        verification = restore.report.get("verification", {})
        self.say(f"restore: {len(restore.report.get('quarantined', []))} files quarantined in "
                 f"{restore.report.get('quarantine', '')}, verified {verification.get('verdict', '?')} - "
                 f"{done - detected:.1f} s")
        self.say(f"whole cycle (attack, detect, alert, restore, verify): {done - started:.1f} s")

    def say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()
