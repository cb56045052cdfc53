from __future__ import annotations

import os
from importlib import import_module

from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from jagaweb.env import env_list

# Comma-separated modules that declare more periodic jobs, imported at start-up like an app's jobs.py.
# Meant for site-specific additions and for tests that need a job in worker subprocesses.
EXTRA_MODULES_VARIABLE = "JAGAWEB_EXTRA_JOB_MODULES"


class JobsConfig(AppConfig):
    name = "jagaweb.jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        from jagaweb.jobs import jobs, verbs  # noqa: F401  (registers the verbs and the built-in jobs)

        import_extra_job_modules()


def import_extra_job_modules() -> None:
    for name in env_list(EXTRA_MODULES_VARIABLE, environ=os.environ):
        try:
            import_module(name)
        except ImportError as exc:
            raise ImproperlyConfigured(f"{EXTRA_MODULES_VARIABLE}: cannot import {name!r}: {exc}") from exc
