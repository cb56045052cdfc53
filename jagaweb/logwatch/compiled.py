"""The compiled part of log scanning, jagaweb.logwatch._native (from native/*.c), or None when JagaWeb was
installed without a C compiler: Polars then does the same work. Read `native` at call time (tests switch
it off)."""

from __future__ import annotations

from types import ModuleType

native: ModuleType | None
try:
    from jagaweb.logwatch import _native as native
except ImportError:
    native = None
