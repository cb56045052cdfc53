from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jagaweb.activity.log import SystemJob, record
from jagaweb.people import verbs as people_verbs
from jagaweb.service import verbs
from jagaweb.service.paths import make_directories

NO_ADMIN = "no administrator: set JAGAWEB_ADMIN_USERNAME and JAGAWEB_ADMIN_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create the data directory, apply migrations and create the first administrator. "
        "Without a terminal, the administrator comes from JAGAWEB_ADMIN_USERNAME, "
        "JAGAWEB_ADMIN_PASSWORD and JAGAWEB_ADMIN_EMAIL."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-input", "--noinput", action="store_false", dest="interactive",
            help="Never prompt; take the administrator from the environment.",
        )

    def handle(self, *args: Any, interactive: bool, **options: Any) -> None:
        make_directories()
        self.stdout.write(f"Data directory: {settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=options.get("verbosity", 1))
        record(verbs.INITIALISED, actor=SystemJob("init"), data_dir=str(settings.DATA_DIR))
        self.create_admin(interactive)

    def create_admin(self, interactive: bool) -> None:
        username = os.environ.get("JAGAWEB_ADMIN_USERNAME", "")
        if username:
            self.admin_from_environment(username)
        elif get_user_model().objects.filter(is_superuser=True).exists():
            self.stdout.write("An administrator exists already.")
        elif interactive and sys.stdin.isatty():
            self.admin_from_prompt()
        elif interactive:
            raise CommandError(f"{NO_ADMIN} (or run `jagaweb init` in a terminal to be asked)")
        else:
            raise CommandError(NO_ADMIN)

    def admin_from_environment(self, username: str) -> None:
        """Create the administrator, or bring an existing one back to these credentials."""
        password = os.environ.get("JAGAWEB_ADMIN_PASSWORD", "")
        if not password:
            raise CommandError("JAGAWEB_ADMIN_PASSWORD must be set together with JAGAWEB_ADMIN_USERNAME")
        users = get_user_model()
        user = users.objects.filter(username=username).first() or users(username=username)
        created = user.pk is None
        user.email = os.environ.get("JAGAWEB_ADMIN_EMAIL", user.email)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("JAGAWEB_ADMIN_PASSWORD: " + " ".join(exc.messages)) from None
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        if created:
            record(people_verbs.USER_CREATED, actor=SystemJob("init"), target=user)
        self.stdout.write(f"Administrator {username!r} {'created' if created else 'updated'}.")

    def admin_from_prompt(self) -> None:
        users = get_user_model()
        before = set(users.objects.filter(is_superuser=True).values_list("pk", flat=True))
        call_command("createsuperuser", interactive=True)
        for user in users.objects.filter(is_superuser=True).exclude(pk__in=before):
            record(people_verbs.USER_CREATED, actor=SystemJob("init"), target=user)
