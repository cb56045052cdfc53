"""The SOP documents page: every definition in use, as its official document in HTML and PDF."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.services import require_chromium

pytestmark = pytest.mark.django_db


def test_the_list_names_every_built_in_sop_with_its_documents(operator_client) -> None:
    page = operator_client.get(reverse("sop:definition_list"))
    assert page.status_code == 200
    for name in ("pemeliharaan_website", "penjagaan_website", "pemeliharaan_website_pn",
                 "pemeliharaan_portal_keluhan", "permohonan_website_opd"):
        assert f"?name={name}".encode() in page.content


def test_the_html_document_holds_the_steps_and_an_unknown_name_is_404(operator_client) -> None:
    page = operator_client.get(reverse("sop:document_html"), {"name": "pemeliharaan_website_pn"})
    assert page.status_code == 200 and b"<svg" in page.content and b"Pelaksana" in page.content
    assert operator_client.get(reverse("sop:document_html"), {"name": "tidak-ada"}).status_code == 404


@pytest.mark.browser
def test_the_pdf_document_downloads(operator_client, settings) -> None:
    settings.JAGAWEB_CHROMIUM = require_chromium()
    answer = operator_client.get(reverse("sop:document_pdf"), {"name": "permohonan_website_opd"})
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF") and "SOP-permohonan_website_opd.pdf" in answer["Content-Disposition"]

