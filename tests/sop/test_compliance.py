"""Compliance figures per SOP and period: runs started, the share of steps done within their Waktu, the
average working time per step against the time allowed, and the steps open past their due time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jagaweb.activity.log import SystemJob
from jagaweb.sop.compliance import compliance, compliance_all
from jagaweb.sop.models import Run
from jagaweb.sop.runs import complete_step, start_run
from tests.sop.world import COMPLAINT_SOP, REQUEST_SOP, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
STAFF = SystemJob("test")


def run_with(site, start, minutes_per_step):
    """A complaint run from step 3, each step completed after the given minutes."""
    run = start_run(COMPLAINT_SOP, STAFF, site=site, at_step=3, now=start)
    moment, step = start, run.current_step()
    for minutes in minutes_per_step:
        moment += timedelta(minutes=minutes)
        step = complete_step(step, STAFF, now=moment)
    return run


def test_figures_of_one_sop_in_one_period(site_a, site_b):
    run_with(site_a, at(2026, 3, 2, 9), [2, 15])  # step 3 within its 3 minutes, step 4 over its 10
    run_with(site_a, at(2026, 3, 3, 9), [5])  # step 3 over
    run_with(site_b, at(2026, 3, 3, 15, 58), [4])  # 2 working minutes on Tuesday, 2 on Wednesday: within
    run_with(site_a, at(2026, 4, 6, 9), [1])  # another period
    report = compliance(COMPLAINT_SOP, at(2026, 3, 1), at(2026, 4, 1), now=at(2026, 3, 31))
    assert report.runs == 3 and report.finished == 0
    step3 = next(figures for figures in report.steps if figures.number == 3)
    assert (step3.done, step3.timed, step3.within) == (3, 3, 2)
    assert step3.average_taken == timedelta(minutes=3) and step3.average_allowed == timedelta(minutes=3)
    assert step3.waktu == "3 minutes" and step3.performer == "Kasubdit Perencanaan"
    step4 = next(figures for figures in report.steps if figures.number == 4)
    assert (step4.done, step4.within, step4.share_within) == (1, 0, 0.0)
    assert report.steps_done == 4 and report.within == 2 and report.share_within == 0.5
    # Every run's open step (4 or 5) is past its due time on the 31st.
    assert len(report.overdue) == 3
    only_b = compliance(COMPLAINT_SOP, at(2026, 3, 1), at(2026, 4, 1), runs=Run.objects.filter(site=site_b),
                        now=at(2026, 3, 31))
    assert (only_b.runs, only_b.steps_done, only_b.within) == (1, 1, 1)


def test_every_sop_in_use_is_reported(site_a):
    reports = compliance_all(at(2026, 3, 1), at(2026, 4, 1), now=at(2026, 3, 2))
    names = [report.definition for report in reports]
    assert COMPLAINT_SOP in names and REQUEST_SOP in names
    assert all(report.runs == 0 and report.share_within is None for report in reports)
