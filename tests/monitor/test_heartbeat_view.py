"""The heartbeat endpoint: anonymous GET/POST/HEAD without CSRF, /fail reports a failure, 404 for unknown
or inactive tokens, short plain-text answers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jagaweb.monitor.choices import CheckKind, Status
from jagaweb.monitor.models import Check, Result
from tests.monitor.ui_world import make_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def check(site_a: Any) -> Check:
    return make_check(site_a, CheckKind.HEARTBEAT, Status.UNKNOWN, config={"grace_seconds": 300})


def test_a_ping_by_get_post_or_head(check: Check) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.get(f"/hb/{check.token}")
    assert response.status_code == 200 and response.content == b"OK\n"
    assert response["Content-Type"].startswith("text/plain") and "no-cache" in response["Cache-Control"]
    assert client.post(f"/hb/{check.token}", data="backup selesai", content_type="text/plain").status_code == 200
    assert client.head(f"/hb/{check.token}").status_code == 200
    check.refresh_from_db()
    assert check.last_ping_at is not None and check.status == Status.UP
    assert Result.objects.filter(check_ref=check, status=Status.UP).count() == 3


def test_fail_reports_a_failure(check: Check) -> None:
    response = Client(enforce_csrf_checks=True).post(f"/hb/{check.token}/fail")
    assert response.status_code == 200 and response.content == b"failure recorded\n"
    check.refresh_from_db()
    assert check.status == Status.DOWN and check.consecutive_failures == 1


def test_unknown_and_inactive_tokens_are_404(check: Check) -> None:
    client = Client()
    assert client.get("/hb/tidak-ada").status_code == 404
    assert client.get("/hb/" + "x" * 200).status_code == 404
    Check.objects.filter(pk=check.pk).update(is_active=False)
    response = client.get(f"/hb/{check.token}")
    assert response.status_code == 404 and response.content == b"not found\n"
    assert client.put(f"/hb/{check.token}").status_code == 405
    assert not Result.objects.exists()
