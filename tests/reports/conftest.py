"""Report tests: English sentences, files in a throwaway media folder, and a tiny report for pipeline tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from jagaweb.reports import charts
from jagaweb.reports.choices import ColumnKind, ReportKind
from jagaweb.reports.sections import registry
from jagaweb.reports.sections.base import Chart, Column, Part, Problem, Scope, Section, Table
from tests.services import require_weasyprint


@pytest.fixture(autouse=True)
def english(settings: Any) -> Iterator[None]:
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def report_media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


class SitesSection(Section):
    """A small section that lists the sites in scope: enough for the pipeline, the pages and the API."""

    key = "sites"
    title = "Websites in this report"

    def collect(self, scope: Scope) -> Part:
        part = self.part()
        sites = list(scope.sites())
        part.paragraphs = [f"The report covers {len(sites)} websites."]
        part.summary = [f"{len(sites)} websites were looked after."]
        part.figures = {"sites": len(sites)}
        part.charts = [Chart("Name lengths", charts.hbar_chart([s.name for s in sites], [len(s.name) for s in sites]))]
        part.tables = [Table("sites", "Websites", [Column("Name"), Column("Name length", ColumnKind.INTEGER),
                                                  Column("Since", ColumnKind.DATETIME)],
                             [(site.name, len(site.name), scope.start) for site in sites])]
        part.problems = [Problem(f"{site.name} needs care.", "Look after it.") for site in sites[:1]]
        return part


class BrokenSection(Section):
    key = "broken"
    title = "Broken"

    def collect(self, scope: Scope) -> Part:
        raise RuntimeError("the data source is gone")


@pytest.fixture
def tiny_report(monkeypatch: pytest.MonkeyPatch) -> None:
    require_weasyprint()
    monkeypatch.setattr(registry, "SECTIONS", {kind: ["tests.reports.conftest.SitesSection"]
                                               for kind in ReportKind.values})
    monkeypatch.setattr(registry, "APPENDICES", {})


@pytest.fixture
def broken_report(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "SECTIONS", {kind: ["tests.reports.conftest.BrokenSection"]
                                               for kind in ReportKind.values})
    monkeypatch.setattr(registry, "APPENDICES", {})
