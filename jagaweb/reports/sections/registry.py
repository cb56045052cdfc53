"""Which sections make up each kind of report, in the order they are printed."""

from __future__ import annotations

from django.utils.module_loading import import_string

from jagaweb.reports.choices import ReportKind
from jagaweb.reports.sections.base import Section

PACKAGE = "jagaweb.reports.sections"
SECTIONS: dict[str, list[str]] = {
    ReportKind.SITUATION: [
        f"{PACKAGE}.current_status.CurrentStatusSection",
        f"{PACKAGE}.problems.OpenProblemsSection",
        f"{PACKAGE}.guard_state.GuardStateSection",
        f"{PACKAGE}.backups.BackupStateSection",
        f"{PACKAGE}.attacks.AttacksSection",
        f"{PACKAGE}.renewals.RenewalsSection",
    ],
    ReportKind.MONTHLY: [
        f"{PACKAGE}.availability.AvailabilitySection",
        f"{PACKAGE}.incidents.IncidentsSection",
        f"{PACKAGE}.backups.BackupSection",
        f"{PACKAGE}.guard.GuardSection",
        f"{PACKAGE}.attacks.AttacksSection",
        f"{PACKAGE}.visitors.VisitorsSection",
        f"{PACKAGE}.renewals.RenewalsSection",
        f"{PACKAGE}.service.ServiceSection",
    ],
    ReportKind.DAILY_LOG: [f"{PACKAGE}.activity.DailyActivitySection"],
}
# Printed after the signatures: the monthly report's appendix.
APPENDICES: dict[str, list[str]] = {ReportKind.MONTHLY: [f"{PACKAGE}.activity.MonthlyActivityAppendix"]}


def load(paths: list[str]) -> list[Section]:
    return [import_string(path)() for path in paths]


def sections_for(kind: str) -> list[Section]:
    return load(SECTIONS[kind])


def appendices_for(kind: str) -> list[Section]:
    return load(APPENDICES.get(kind, []))
