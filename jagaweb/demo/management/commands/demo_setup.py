from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from jagaweb.demo.setup import register_demo_sites
from jagaweb.demo.sites import load_sites, state_file


class Command(BaseCommand):
    help = (
        "Used by `jagaweb demo`: initialise the data directory and register the demo sites it lists "
        "(demo/demo.json). Users get the password in JAGAWEB_DEMO_PASSWORD."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sites = load_sites(settings.DATA_DIR)
        if not sites:
            raise CommandError(f"no demo prepared here: {state_file(settings.DATA_DIR)} is missing")
        call_command("init", "--no-input", verbosity=options.get("verbosity", 1))
        password = os.environ.get("JAGAWEB_DEMO_PASSWORD") or None
        register_demo_sites(settings.DATA_DIR, sites, password=password)
        self.stdout.write(f"Registered {len(sites)} demo sites.")
