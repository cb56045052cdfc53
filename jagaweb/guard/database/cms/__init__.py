"""The registry of CMS scanners: one module per CMS in this package, one class per module."""

from __future__ import annotations

from jagaweb.guard.database.cms.base import CmsScanner
from jagaweb.guard.database.cms.drupal import DrupalScanner
from jagaweb.guard.database.cms.joomla import JoomlaScanner
from jagaweb.guard.database.cms.wordpress import WordPressScanner

SCANNERS: dict[str, type[CmsScanner]] = {
    scanner.cms: scanner for scanner in (WordPressScanner, JoomlaScanner, DrupalScanner)
}


def supports(cms: str) -> bool:
    return cms in SCANNERS


__all__ = ["SCANNERS", "CmsScanner", "supports"]
