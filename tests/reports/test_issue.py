"""Issuing a report end to end with a tiny section: files, figures, the archive row, the log and failures."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import zipfile
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook

from jagaweb.activity.log import SystemJob
from jagaweb.activity.models import Event
from jagaweb.inventory.models import Organisation, Site
from jagaweb.notify.models import Message
from jagaweb.reports.choices import ReportKind, ReportState
from jagaweb.reports.issue import issue_report
from jagaweb.reports.models import Report
from tests.services import unavailable

JOB = SystemJob("test")
EN = {"language": "en"}


def pdf_text(report: Report) -> str:
    if shutil.which("pdftotext") is None:
        unavailable("pdftotext", "it is not installed (apt-get install poppler-utils)")
    with report.pdf.open("rb") as stored:
        return subprocess.run(["pdftotext", "-layout", "-", "-"], input=stored.read(), capture_output=True,
                              check=True).stdout.decode()


@pytest.mark.django_db
def test_a_monthly_report_is_archived_with_its_four_files(tiny_report: None, site_a: Site, site_b: Site) -> None:
    report = issue_report(ReportKind.MONTHLY, actor=JOB, month=date(2026, 10, 1), notes="Semua berjalan baik.", **EN)

    assert report.state == ReportState.ISSUED, report.error
    assert report.title == "Monthly website maintenance report, October 2026"
    assert report.number == f"LPB/{report.pk:05}/{report.issued_at:%m/%Y}"
    assert report.site_count == 2 and report.figures == {"sites": {"sites": 2}}
    assert report.pages >= 1 and report.render_seconds > 0
    with report.pdf.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"
    text = pdf_text(report).lower()
    for expected in ("Monthly website maintenance report", "The report covers 2 websites.", "Portal Disdik",
                     "Problems and recommendations", "Semua berjalan baik.", "Prepared by", "sistem:test"):
        assert expected.lower() in text
    assert Report.objects.get().state == ReportState.ISSUED


@pytest.mark.django_db
def test_tables_are_exported_as_csv_and_xlsx_with_raw_values(tiny_report: None, site_a: Site) -> None:
    report = issue_report(ReportKind.MONTHLY, actor=JOB, month=date(2026, 10, 1), **EN)

    with report.csv.open("rb") as stored, zipfile.ZipFile(io.BytesIO(stored.read())) as archive:
        assert archive.namelist() == ["sites.csv"]
        rows = list(csv.reader(io.StringIO(archive.read("sites.csv").decode("utf-8-sig"))))
    assert rows == [["Name", "Name length", "Since"], ["Portal Kominfo", "14", "2026-10-01 00:00:00"]]
    with report.xlsx.open("rb") as stored:
        sheet = load_workbook(io.BytesIO(stored.read()))["sites"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][:2] == ["Portal Kominfo", 14]


@pytest.mark.django_db
def test_an_organisation_report_covers_its_units_and_only_active_sites(tiny_report: None, org_a: Organisation,
                                                                      site_a: Site, site_b: Site) -> None:
    unit = Organisation.objects.create(name="Bidang Aplikasi", code="aptika", parent=org_a)
    Site.objects.create(slug="aptika", name="Aptika", url="http://127.0.0.1:8083/", organisation=unit)
    Site.objects.create(slug="old", name="Lama", url="http://127.0.0.1:8084/", organisation=org_a, is_active=False)

    report = issue_report(ReportKind.SITUATION, actor=JOB, organisation=org_a, **EN)

    assert report.figures["sites"]["sites"] == 2  # Portal Kominfo and Aptika; not Disdik, not the inactive one
    assert report.title.startswith("Website situation report, ")


@pytest.mark.django_db
def test_issuing_is_logged_and_the_supervisors_are_asked_to_acknowledge(tiny_report: None, site_a: Site) -> None:
    report = issue_report(ReportKind.DAILY_LOG, actor=JOB, day=date(2026, 11, 20), **EN)

    event = Event.objects.get(verb="reports.issued")
    assert event.job == "test" and event.target_id == str(report.pk)
    assert "Daily activity log, Nov. 20, 2026 (1 pages, 1 sites)" in event.message
    message = Message.objects.get()
    assert message.kind == "report" and report.title in message.title
    assert list(message.audience_roles.values_list("kind", flat=True)) in ([], ["supervisor"])


@pytest.mark.django_db
def test_a_failing_section_leaves_a_failed_report_that_says_where(broken_report: None, site_a: Site) -> None:
    report = issue_report(ReportKind.MONTHLY, actor=JOB, month=date(2026, 10, 1), **EN)

    assert report.state == ReportState.FAILED
    assert report.error == "collect: the data source is gone"
    assert not report.pdf and not report.html
    assert Event.objects.get(verb="reports.failed").severity == "warning"
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_the_report_is_written_in_the_language_asked_for(tiny_report: None, site_a: Site) -> None:
    report = issue_report(ReportKind.MONTHLY, actor=JOB, month=date(2026, 10, 1), language="id")

    assert report.title == "Laporan pemeliharaan website bulanan, Oktober 2026"
    assert "ringkasan eksekutif" in pdf_text(report).lower()


def test_the_progress_callback_counts_up_to_the_end(tiny_report: None, site_a: Site, db: Any) -> None:
    seen: list[tuple[int, int]] = []
    issue_report(ReportKind.MONTHLY, actor=JOB, month=date(2026, 10, 1), progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (3, 3) and seen[0] == (1, 3)
    report = Report.objects.get()
    assert (report.progress_done, report.progress_total) == (3, 3)  # what the report's page shows while it waits
