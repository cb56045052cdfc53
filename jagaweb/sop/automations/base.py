"""What every automation is: a class per AutomationKind that runs one capability's domain function for a
step's site and says what came of it (the record it made becomes the step's system evidence)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import models

from jagaweb.activity.log import Actor
from jagaweb.inventory.models import Site
from jagaweb.sop.choices import AutomationKind


@dataclass(frozen=True)
class Result:
    """One piece of evidence: `ok` False leaves the step to a person."""

    ok: bool
    label: str
    target: models.Model | None = None
    data: dict[str, Any] = field(default_factory=dict)


class Automation(ABC):
    kind: ClassVar[AutomationKind]

    @abstractmethod
    def run(self, site: Site, actor: Actor) -> list[Result]:
        """Do the work for `site` as `actor`; a failure the capability recorded is a Result, not an exception."""
