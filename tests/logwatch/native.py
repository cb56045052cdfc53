"""Tests of the compiled part (jagaweb.logwatch._native): skipped without it, except under CI, and run both
ways where Polars does the same work."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from jagaweb.logwatch import compiled

NOT_BUILT = "jagaweb.logwatch._native is not built (no C compiler when JagaWeb was installed)"


def require_native() -> None:
    """Skip without the compiled part, except under CI, where it must have been built."""
    if compiled.native is None:
        if os.environ.get("CI"):
            pytest.fail(NOT_BUILT, pytrace=False)
        pytest.skip(NOT_BUILT)


def counting_both_ways(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fixture body: `request.param` is "native" or "polars"."""
    if request.param == "native":
        require_native()
    else:
        monkeypatch.setattr(compiled, "native", None)
    yield request.param
