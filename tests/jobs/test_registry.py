"""The declared table: the built-in job, and extra job modules named in the environment."""

from __future__ import annotations

import re
import sys
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from jagaweb.jobs.apps import import_extra_job_modules
from jagaweb.jobs.registry import JOBS


def test_prune_history_is_declared_daily_for_all_of_jagaweb():
    job = JOBS["jobs.prune_history"]
    assert job.every == timedelta(days=1) and not job.per_site
    assert "JAGAWEB_JOB_HISTORY_DAYS" in job.description


def test_extra_job_modules_are_imported_from_the_environment(monkeypatch, declare):
    monkeypatch.setenv("JAGAWEB_EXTRA_JOB_MODULES", " tests.jobs.probe_jobs , ")
    sys.modules.pop("tests.jobs.probe_jobs", None)
    import_extra_job_modules()
    assert JOBS["probe.mark"].per_site


def test_a_missing_extra_job_module_is_a_configuration_error(monkeypatch):
    monkeypatch.setenv("JAGAWEB_EXTRA_JOB_MODULES", "tests.jobs.no_such_module")
    expected = re.escape("JAGAWEB_EXTRA_JOB_MODULES: cannot import 'tests.jobs.no_such_module'")
    with pytest.raises(ImproperlyConfigured, match=expected):
        import_extra_job_modules()
