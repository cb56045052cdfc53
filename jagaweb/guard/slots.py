"""The dashboard column "guard": the verdict of each site's last guard check."""

from __future__ import annotations

from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from jagaweb.dashboard.cells import ago, badge, lines, link, muted, stamp
from jagaweb.dashboard.slots import Slot, register
from jagaweb.guard.choices import RunState, Verdict
from jagaweb.guard.models import GuardRun
from jagaweb.guard.views_index import latest_checks
from jagaweb.inventory.models import Site

VERDICT_LEVELS: dict[str, str] = {Verdict.CLEAN: "ok", Verdict.SUSPICIOUS: "warning"}
STATE_LEVELS: dict[str, str] = {RunState.SUCCEEDED: "ok", RunState.FAILED: "bad"}


def last_checks(site_ids: list[int]) -> dict[int, Any]:
    return dict(latest_checks(site_ids))


def outcome(run: GuardRun) -> SafeString:
    """The verdict of a finished check, else how the run stands (as `guard/_run_outcome.html`)."""
    if run.state == RunState.SUCCEEDED:
        return badge(VERDICT_LEVELS.get(run.verdict, "bad"), run.get_verdict_display())
    return badge(STATE_LEVELS.get(run.state, "warning"), run.get_state_display())


def last_check_cell(run: GuardRun | None, site: Site) -> SafeString:
    if run is None:
        return muted(_("not checked"))
    return lines(link(run.get_absolute_url(), outcome(run), title=stamp(run.started_at)),
                 muted(ago(run.started_at), "muted small"))


register(Slot("guard", _("Guard"), last_checks, last_check_cell, order=150, permission="guard.view_guardrun"))
