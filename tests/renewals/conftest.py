"""Renewals fixtures: providers, services of both organisations, invoices from tests/fixtures/renewals, and a
media folder of each test's own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from jagaweb.inventory.models import Organisation, Site, ThirdParty
from jagaweb.renewals.choices import BillingCycle, ServiceKind
from jagaweb.renewals.models import Service

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "renewals"


@pytest.fixture(autouse=True)
def english(settings: Any) -> Iterator[None]:
    """Assertions read the English source strings, on pages (LANGUAGE_CODE) and in jobs (the override)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def registrar(db: Any) -> ThirdParty:
    return ThirdParty.objects.create(name="PANDI", kind="registrar")


@pytest.fixture
def make_service(db: Any) -> Callable[..., Service]:
    def make(organisation: Organisation | None = None, site: Site | None = None, **fields: Any) -> Service:
        owner = site.organisation if site is not None else organisation
        assert owner is not None
        values: dict[str, Any] = {"kind": ServiceKind.HOSTING, "name": "Hosting portal",
                                  "period_start": date(2025, 7, 1), "period_end": date(2026, 7, 1),
                                  "cost": Decimal("1500000"), "billing_cycle": BillingCycle.YEARLY}
        values.update(fields)
        return Service.objects.create(organisation=owner, site=site, **values)

    return make


def upload(name: str, content: bytes | None = None, fixture: str | None = None) -> SimpleUploadedFile:
    body = content if content is not None else (FIXTURES / (fixture or name)).read_bytes()
    return SimpleUploadedFile(name, body)


@pytest.fixture
def invoice_pdf() -> SimpleUploadedFile:
    return upload("Invoice INV-2026-0042.pdf", fixture="invoice.pdf")
