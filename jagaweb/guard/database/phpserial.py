"""A tolerant reader of PHP `serialize()` output: WordPress options, user capabilities, Drupal config.

Only reading, never PHP objects: arrays become dicts (keys as PHP had them), objects dicts of their
properties, scalars Python scalars. String lengths count UTF-8 bytes, so the text is read as bytes.

Tolerant because the values that matter are the ones attackers touched: spam pasted into a serialized
widget by hand or by an SQL injection rarely fixes the byte counts (PHP itself then refuses the whole
value; the spam may still show through a plugin's own parser, or come back after a "repair"). A string whose
length is wrong ends at the first `";` after which the serialization goes on; a broken array keeps the
entries read so far, and `Decoded.complete` says whether the whole value was understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 64
MAX_NODES = 200_000  # values read per input: a hostile "a:99999999:{" must not make us loop for long

_LOOKS = re.compile(r"^(?:[aO]:\d+:[{\"]|[sS]:\d+:\"|[id]:-?[\d.Ee+-]+;|b:[01];|N;|C:\d+:\"|E:\d+:\")")
_STRING = re.compile(rb"[sS]:(\d+):\"")
_NUMBER = re.compile(rb"([id]):([^;]{0,40});")
_ARRAY = re.compile(rb"a:(\d+):\{")
_OBJECT = re.compile(rb"O:\d+:\"([^\"]{0,400})\":(\d+):\{")
_CUSTOM = re.compile(rb"C:\d+:\"([^\"]{0,400})\":(\d+):\{")
_ENUM = re.compile(rb"E:(\d+):\"")
_REFERENCE = re.compile(rb"[rR]:\d+;")
# What may follow the end of a value: another value, a closing brace, or the end.
_NEXT = re.compile(rb"(?:[sSaOCE]:\d+:|[idbrR]:[^;]{0,40};|N;|\})")


class PhpSerialError(ValueError):
    pass


@dataclass
class Decoded:
    value: Any
    complete: bool  # False when part of the input could not be read (the value holds what could)


def looks_serialized(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and stripped[-1] in ";}" and _LOOKS.match(stripped) is not None


def unserialize(text: str | bytes) -> Decoded:
    """Read a serialized value; raises PhpSerialError only when not even its start is one."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    reader = _Reader(data.strip())
    value = reader.value(0)
    return Decoded(value, reader.complete and reader.pos == len(reader.data))


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.nodes = 0
        self.complete = True

    def value(self, depth: int) -> Any:
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            raise PhpSerialError("too deep or too many values")
        data, pos = self.data, self.pos
        tag = data[pos:pos + 1]
        if tag in (b"s", b"S"):
            return self._string()
        if tag == b"a":
            return self._array(depth)
        if tag == b"O":
            return self._object(depth)
        if data.startswith(b"N;", pos):
            self.pos += 2
            return None
        if data.startswith((b"b:0;", b"b:1;"), pos):
            self.pos += 4
            return data[pos + 2] == ord("1")
        number = _NUMBER.match(data, pos)
        if number:
            self.pos = number.end()
            return _number(number.group(1), number.group(2))
        reference = _REFERENCE.match(data, pos)
        if reference:
            self.pos = reference.end()
            return None  # a reference repeats a value read before: nothing new to look at
        if tag == b"C":
            return self._custom()
        if tag == b"E":
            return self._quoted(_ENUM)
        raise PhpSerialError(f"unexpected {data[pos:pos + 12]!r} at byte {pos}")

    def _string(self) -> str:
        return self._quoted(_STRING)

    def _quoted(self, head: re.Pattern[bytes]) -> str:
        match = head.match(self.data, self.pos)
        if not match:
            raise PhpSerialError(f"bad string at byte {self.pos}")
        start = match.end()
        end = start + int(match.group(1))
        if self.data.startswith(b'";', end):
            self.pos = end + 2
            return _decode(self.data[start:end])
        self.complete = False
        for candidate in re.finditer(rb'";', self.data[start:]):
            after = start + candidate.end()
            if after == len(self.data) or _NEXT.match(self.data, after):
                self.pos = after
                return _decode(self.data[start:start + candidate.start()])
        raise PhpSerialError(f"unterminated string at byte {start}")

    def _entries(self, count: int, depth: int) -> dict[Any, Any]:
        entries: dict[Any, Any] = {}
        for _ in range(count):
            if self.data.startswith(b"}", self.pos) or self.pos >= len(self.data):
                self.complete = False  # fewer entries than announced
                break
            try:
                key = self.value(depth + 1)
                entries[key if isinstance(key, int | str) else str(key)] = self.value(depth + 1)
            except PhpSerialError:
                self.complete = False
                self._skip_to_close()
                return entries
        if self.data.startswith(b"}", self.pos):
            self.pos += 1
        else:
            self.complete = False
            self._skip_to_close()
        return entries

    def _skip_to_close(self) -> None:
        """After damage, go on after the next closing brace so that later values can still be read."""
        found = self.data.find(b"}", self.pos)
        self.pos = len(self.data) if found < 0 else found + 1

    def _array(self, depth: int) -> dict[Any, Any]:
        match = _ARRAY.match(self.data, self.pos)
        if not match:
            raise PhpSerialError(f"bad array at byte {self.pos}")
        self.pos = match.end()
        return self._entries(int(match.group(1)), depth)

    def _object(self, depth: int) -> dict[Any, Any]:
        match = _OBJECT.match(self.data, self.pos)
        if not match:
            raise PhpSerialError(f"bad object at byte {self.pos}")
        self.pos = match.end()
        entries = self._entries(int(match.group(2)), depth)
        # Private and protected properties are stored as "\0Class\0name" and "\0*\0name".
        return {key.rsplit("\0", 1)[-1] if isinstance(key, str) else key: value for key, value in entries.items()}

    def _custom(self) -> str:
        match = _CUSTOM.match(self.data, self.pos)
        if not match:
            raise PhpSerialError(f"bad custom object at byte {self.pos}")
        start = match.end()
        end = start + int(match.group(2))
        if not self.data.startswith(b"}", end):
            self.complete = False
            end = max(start, self.data.find(b"}", start))
        self.pos = end + 1
        return _decode(self.data[start:end])  # the class's own format: kept as text to look into


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _number(kind: bytes, text: bytes) -> int | float | str:
    try:
        return int(text) if kind == b"i" else float(text)
    except ValueError:
        return text.decode("ascii", "replace")
