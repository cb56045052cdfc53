"""The visual check inside a guard check: the home page and the configured pages, as a desktop browser and
as a phone, photographed and compared with the screenshots taken when the site was marked known-good.

Files live in the guard media folder under the site's short name: `<slug>/baseline/...` for the known-good
screenshots, `<slug>/runs/<run id>/...` for a check's screenshots and the marked side-by-side images.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from jagaweb.guard.choices import Identity, Severity, Source, Verdict
from jagaweb.guard.findings import Draft
from jagaweb.guard.images import media_root
from jagaweb.guard.models import GuardProfile, PageBaseline
from jagaweb.guard.visual import Shot, ShotRequest, capture, compare_images, screenshot_hash, side_by_side

IDENTITIES = (Identity.NORMAL, Identity.MOBILE)
REPLACED_RATIO = 0.5  # at least half of the picture changed: a new design, or a defacement


def photographed_pages(profile: GuardProfile, pages: Sequence[str]) -> list[str]:
    """The home page and the configured pages; the daily sitemap sample would have no baseline to compare with."""
    return list(pages[: 1 + len(profile.pages)])


def relative(path: Path) -> str:
    return path.relative_to(media_root()).as_posix()


def shoot(profile: GuardProfile, urls: Sequence[str], folder: Path) -> list[Shot]:
    folder.mkdir(parents=True, exist_ok=True)
    requests = [ShotRequest(url, identity) for url in urls for identity in IDENTITIES]
    return capture(requests, folder, allow_private=profile.allow_private)


def record_baseline_screenshots(profile: GuardProfile, urls: Sequence[str], who: str) -> list[str]:
    """Take the known-good screenshots; returns the problems (pages that could not be photographed)."""
    site = profile.site
    folder = media_root() / site.slug / "baseline"
    problems = []
    for shot in shoot(profile, urls, folder):
        if shot.path is None or not shot.ok:
            problems.append(f"{shot.url} ({shot.identity}): {shot.error}")
            continue
        name = hashlib.blake2b(f"{shot.url} {shot.identity}".encode(), digest_size=8).hexdigest()
        stored = shot.path.replace(shot.path.with_name(f"{name}-{shot.identity}.png"))
        PageBaseline.objects.update_or_create(
            site=site, url=shot.url, identity=shot.identity,
            defaults={"screenshot": relative(stored), "image_hash": screenshot_hash(stored),
                      "recorded_by": who},
        )
    return problems


@dataclass
class AppearanceView:
    drafts: list[Draft] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    compared: list[dict[str, Any]] = field(default_factory=list)  # every screenshot against its baseline


def appearance_drafts(profile: GuardProfile, urls: Sequence[str], run_id: int) -> AppearanceView:
    """Findings for pages that look different from their known-good screenshot, what was compared, and notes on
    what could not run."""
    site = profile.site
    folder = media_root() / site.slug / "runs" / str(run_id)
    baselines = {(b.url, b.identity): b for b in PageBaseline.objects.filter(site=site).exclude(screenshot="")}
    view = AppearanceView()
    for shot in shoot(profile, urls, folder):
        baseline = baselines.get((shot.url, shot.identity))
        if shot.path is None or not shot.ok:
            view.notes.append(f"screenshot {shot.url} ({shot.identity}): {shot.error}")
            continue
        if baseline is None or not (media_root() / baseline.screenshot).is_file():
            continue
        current = shot.path
        diff = compare_images(media_root() / baseline.screenshot, current)
        view.compared.append({"url": shot.url, "identity": shot.identity, "ratio": round(diff.ratio, 4),
                              "changed": diff.changed, "image": relative(current)})
        if not diff.changed:
            continue
        marked = side_by_side(media_root() / baseline.screenshot, current, diff,
                              current.with_name(current.stem + "-diff.png"),
                              baseline_label=_("Baseline"), current_label=_("Current"))
        replaced = diff.ratio >= REPLACED_RATIO
        weight = 40 if replaced else 20
        reason = {"code": "visual.changed", "weight": weight,
                  "message": _("The page looks different from its known-good screenshot (%(percent).0f%% changed)")
                  % {"percent": diff.ratio * 100}, "evidence": [f"{diff.ratio:.3f}", f"hash {diff.hash_distance}"]}
        view.compared[-1]["image"] = relative(marked)
        view.drafts.append(Draft(
            Source.VISUAL, shot.url, str(Verdict.SUSPICIOUS), str(Severity.HIGH if replaced else Severity.MEDIUM),
            weight, [reason], shot.identity,
            {"baseline": baseline.screenshot, "current": relative(current), "diff": relative(marked),
             "ratio": round(diff.ratio, 4), "hash_distance": diff.hash_distance,
             "current_hash": diff.current_hash},
        ))
    return view
