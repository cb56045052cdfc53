"""Multi-step operations as explicit, ordered steps with a cleanup that always runs.

Backup, restore, guard checks and log ingest are each a list of small step classes over one context
object. The runner names the step that failed, so a run's error says where it stopped, and calls
every cleanup (release a lock, close a connection, remove temporary files) however it ended.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Context = TypeVar("Context")


class Step(ABC, Generic[Context]):
    """One unit of an operation. `name` is shown to people (progress, errors)."""

    name: str = ""

    @abstractmethod
    def run(self, context: Context) -> None: ...

    def cleanup(self, context: Context) -> None:
        """Undo or release what `run` took; called for every step that started, in reverse order."""


class StepFailed(Exception):
    def __init__(self, step: str, cause: BaseException) -> None:
        super().__init__(f"{step}: {cause}")
        self.step = step
        self.cause = cause


def run_steps(
    steps: Sequence[Step[Context]], context: Context, on_step: Callable[[Step[Context]], None] | None = None
) -> None:
    started: list[Step[Context]] = []
    try:
        for step in steps:
            started.append(step)
            if on_step is not None:
                on_step(step)
            try:
                step.run(context)
            except Exception as exc:
                raise StepFailed(step.name or type(step).__name__, exc) from exc
    finally:
        for step in reversed(started):
            step.cleanup(context)
