"""What every page detector provides: a kind name and `detect(page) -> reasons`.

Detectors read the parsed `Page` only (no network, no database), never raise on odd pages, and return
reasons with weights; `result.judge` turns all reasons into the verdict.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from jagaweb.guard.choices import TermTier
from jagaweb.guard.page.document import Page
from jagaweb.guard.page.result import Reason
from jagaweb.guard.vocabulary import of_tier

NEWS_CONTEXT = 2  # distinct enforcement/awareness words that make a page one that talks ABOUT gambling


class Detector(ABC):
    kind: ClassVar[str]

    @abstractmethod
    def detect(self, page: Page) -> list[Reason]: ...


def news_context(page: Page) -> bool:
    """Whether the page reads as reporting on, or campaigning against, gambling (police raids, blocking)."""
    words = of_tier(page.terms("body"), TermTier.NEWS) | of_tier(page.terms("title"), TermTier.NEWS)
    return len(words) >= NEWS_CONTEXT
