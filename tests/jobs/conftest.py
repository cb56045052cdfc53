"""Fixtures for the jobs tests: declared test jobs (removed afterwards), users with job roles."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import translation

from jagaweb.jobs.registry import JOBS, PeriodicJob
from jagaweb.people.choices import RoleKind


@pytest.fixture(autouse=True)
def english(settings: Any) -> Iterator[None]:
    """Assert on the English source strings, whatever the Indonesian catalogue says by then."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def declare() -> Iterator[Callable[..., PeriodicJob]]:
    """declare(name, function, every=timedelta(minutes=5), per_site=False): a job for this test only."""
    saved = dict(JOBS)

    def add(name: str, function: Callable[..., Any], every: timedelta = timedelta(minutes=5),
            per_site: bool = False) -> PeriodicJob:
        JOBS[name] = PeriodicJob(name, function, every, per_site, "")
        return JOBS[name]

    yield add
    JOBS.clear()
    JOBS.update(saved)


@pytest.fixture
def only_test_jobs(declare: Any) -> None:
    """Hide the built-in jobs, so counts are about the test's own jobs."""
    JOBS.clear()


@pytest.fixture
def supervisor(make_user: Callable[..., Any]) -> Any:
    return make_user(RoleKind.SUPERVISOR, username="supervisor")


@pytest.fixture
def org_operator(make_user: Callable[..., Any], org_a: Any) -> Any:
    """An operator limited to organisation A (sees site_a, not site_b, not global entries)."""
    return make_user(RoleKind.OPERATOR, organisation=org_a, username="operator-a")
