from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jagaweb.activity.log import SystemJob, record
from jagaweb.people import verbs as people_verbs
from jagaweb.service import verbs


class Command(BaseCommand):
    help = (
        "Create the data directory, apply migrations and create the first administrator. "
        "Without a terminal, the administrator comes from JAGAWEB_ADMIN_USERNAME, "
        "JAGAWEB_ADMIN_PASSWORD and JAGAWEB_ADMIN_EMAIL."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-input", action="store_false", dest="interactive")

    def handle(self, *args: Any, interactive: bool, **options: Any) -> None:
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"Data directory: {settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=options.get("verbosity", 1))
        record(verbs.INITIALISED, actor=SystemJob("init"), data_dir=str(settings.DATA_DIR))
        self.create_admin(interactive)

    def create_admin(self, interactive: bool) -> None:
        users = get_user_model()
        username = os.environ.get("JAGAWEB_ADMIN_USERNAME", "")
        if users.objects.filter(is_superuser=True).exists() and not username:
            self.stdout.write("An administrator exists already.")
            return
        if username:
            password = os.environ.get("JAGAWEB_ADMIN_PASSWORD", "")
            if not password:
                raise CommandError("JAGAWEB_ADMIN_PASSWORD must be set together with JAGAWEB_ADMIN_USERNAME")
            user, created = users.objects.get_or_create(username=username)
            user.email = os.environ.get("JAGAWEB_ADMIN_EMAIL", user.email)
            user.is_staff = user.is_superuser = True
            user.set_password(password)
            user.save()
            if created:
                record(people_verbs.USER_CREATED, actor=SystemJob("init"), target=user)
            self.stdout.write(f"Administrator {username!r} {'created' if created else 'updated'}.")
        elif interactive:
            call_command("createsuperuser", interactive=True)
        else:
            raise CommandError("no administrator: set JAGAWEB_ADMIN_USERNAME and JAGAWEB_ADMIN_PASSWORD")
