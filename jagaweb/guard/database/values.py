"""The texts inside a stored value: plain text, PHP-serialized arrays, JSON (Elementor data, Joomla params,
customizer changesets), and such encodings nested in one another.

`leaves(value)` gives every string with its path ("[2][text]"), so that an option holding all text
widgets can be judged widget by widget and a finding can say where in the value the spam is.
"""

from __future__ import annotations

import datetime
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jagaweb.guard.database.phpserial import PhpSerialError, looks_serialized, unserialize

MAX_TEXT = 2_000_000  # characters of one stored value looked at (a page analysis reads its first megabytes too)
MAX_LEAVES = 20_000
MAX_NESTING = 4  # a serialized string inside JSON inside a serialized array...
MAX_JSON = 5_000_000
MAX_DEPTH = 64  # arrays in arrays: deeper is a trap, not settings


@dataclass(frozen=True, slots=True)
class Leaf:
    path: str  # "" for the value itself, "[key][key]" inside arrays and objects
    text: str

    @property
    def top(self) -> str:
        """The first step of the path ("[2]" of "[2][text]"): one widget of a widget option."""
        end = self.path.find("]")
        return self.path[: end + 1] if self.path.startswith("[") and end > 0 else self.path


def as_text(value: Any) -> str:
    """A column's value as text ('' for numbers, dates and NULL: nothing to read there)."""
    if value is None or isinstance(value, bool | int | float | datetime.date | datetime.datetime):
        return ""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)[: MAX_TEXT * 4].decode("utf-8", "replace")[:MAX_TEXT]
    return str(value)[:MAX_TEXT]


def structure(value: Any) -> Any:
    """A stored value decoded: PHP-serialized and JSON text become dicts and lists; anything else as is."""
    text = as_text(value)
    if looks_serialized(text):
        try:
            return unserialize(text).value
        except PhpSerialError:
            return text
    if _looks_json(text):
        try:
            return json.loads(text)
        except (ValueError, RecursionError):  # JSON nested thousands deep is a trap, read as text
            return text
    return text


def leaves(value: Any) -> list[Leaf]:
    found: list[Leaf] = []
    for leaf in _walk(structure(value), "", 0, 0):
        found.append(leaf)
        if len(found) >= MAX_LEAVES:
            break
    return found


def _walk(value: Any, path: str, nesting: int, depth: int) -> Iterator[Leaf]:
    if depth > MAX_DEPTH:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}[{key}]", nesting, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]", nesting, depth + 1)
    elif isinstance(value, str):
        if not value.strip():
            return
        if nesting < MAX_NESTING and (looks_serialized(value) or _looks_json(value)):
            inner = structure(value)
            if not isinstance(inner, str):
                yield from _walk(inner, path, nesting + 1, depth)
                return
        yield Leaf(path, value)


def _looks_json(text: str) -> bool:
    stripped = text.strip()
    return len(stripped) <= MAX_JSON and len(stripped) >= 2 and stripped[0] + stripped[-1] in ("{}", "[]")


def joined(items: list[Leaf]) -> str:
    """The texts as one HTML fragment, each its own block so that words of two values never run together."""
    return "\n".join(f"<div>{leaf.text}</div>" for leaf in items)


def readable(value: Any) -> str:
    """A stored value as one HTML fragment: its texts when it is serialized or JSON, else the text itself."""
    found = structure(value)
    if isinstance(found, str):
        return found
    return joined(list(itertools.islice(_walk(found, "", 0, 0), MAX_LEAVES)))
