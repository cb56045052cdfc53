"""The registry of page detectors: one module per kind in this package, one class per module."""

from __future__ import annotations

from jagaweb.guard.page.detectors.base import Detector
from jagaweb.guard.page.detectors.defacement import DefacementDetector
from jagaweb.guard.page.detectors.gambling import GamblingDetector
from jagaweb.guard.page.detectors.hidden import HiddenLinksDetector
from jagaweb.guard.page.detectors.redirects import RedirectDetector
from jagaweb.guard.page.detectors.scripts import ScriptDetector
from jagaweb.guard.page.detectors.verification import VerificationDetector

DETECTORS: dict[str, type[Detector]] = {
    detector.kind: detector
    for detector in (GamblingDetector, HiddenLinksDetector, DefacementDetector, RedirectDetector, ScriptDetector,
                     VerificationDetector)
}
_INSTANCES = [detector() for detector in DETECTORS.values()]


def all_detectors() -> list[Detector]:
    return list(_INSTANCES)


__all__ = ["DETECTORS", "Detector", "all_detectors"]
