"""Undo the encodings attackers hide payloads behind, on whole columns at once (Polars expressions).

Every function takes and returns whole columns (Series); nothing loops over rows in Python, and each step
only touches the values that hold what it undoes (a value without "%" skips percent decoding). The decoding
is table driven
(Aho-Corasick through `str.replace_many`), so it is linear in the text and bounded: `DECODE_ROUNDS` rounds of
percent decoding, two of HTML entities. The text is lower-cased first, which halves the tables (`%3C` and
`%3c` are the same entry) and is the case folding the rules expect anyway.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

# Three rounds reveal double and triple encoding (%25252e); a fourth layer is itself unusual enough that the
# leftover "%25" is what the rules see.
DECODE_ROUNDS = 3

# Characters written in other ways to slip past filters: fullwidth forms (U+FF1C for "<"), typographic quotes
# that some databases fold into ASCII ones, Unicode slashes that some servers fold into path separators.
_LOOKALIKES: dict[int, str] = {
    **{code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)},
    0x2018: "'", 0x2019: "'", 0x201A: "'", 0x201B: "'", 0x2032: "'", 0x02BC: "'",
    0x201C: '"', 0x201D: '"', 0x201E: '"', 0x2033: '"',
    0x2039: "<", 0x203A: ">", 0xFE64: "<", 0xFE65: ">", 0x3008: "<", 0x3009: ">",
    0x2215: "/", 0x2044: "/", 0x2216: "\\", 0xFE68: "\\", 0x29F5: "\\",
    0x00A0: " ", 0x3000: " ", 0x2028: " ", 0x2029: " ",
}  # fmt: skip

# Overlong UTF-8 ("%c0%af" for "/"): invalid, but old decoders accepted them (the IIS traversal bug).
_OVERLONG = {
    "%c0%af": "/", "%e0%80%af": "/", "%f0%80%80%af": "/", "%c0%2f": "/", "%c0%ae": ".", "%e0%80%ae": ".",
    "%c0%2e": ".", "%c1%9c": "\\", "%c1%1c": "\\", "%c0%5c": "\\", "%c0%80": "\x00",
}  # fmt: skip

_NAMED_ENTITIES = {
    "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&amp;": "&", "&colon;": ":", "&lpar;": "(",
    "&rpar;": ")", "&sol;": "/", "&bsol;": "\\", "&semi;": ";", "&comma;": ",", "&period;": ".", "&excl;": "!",
    "&equals;": "=", "&grave;": "`", "&lsqb;": "[", "&rsqb;": "]", "&lcub;": "{", "&rcub;": "}", "&num;": "#",
    "&dollar;": "$", "&percnt;": "%", "&plus;": "+", "&nbsp;": " ",
    # Browsers drop tabs and new lines inside a URL scheme, so "java&tab;script:" still runs.
    "&tab;": "", "&newline;": "",
    # The semicolon is optional for these four in HTML.
    "&lt": "<", "&gt": ">", "&quot": '"', "&amp": "&",
}  # fmt: skip


def _percent_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for code, ascii_form in _LOOKALIKES.items():
        table["".join(f"%{byte:02x}" for byte in chr(code).encode())] = ascii_form
        table[f"%u{code:04x}"] = ascii_form
    table.update(_OVERLONG)
    for byte in range(256):
        table.setdefault(f"%u00{byte:02x}", chr(byte))  # IIS %uXXXX
    for byte in range(256):
        table[f"%{byte:02x}"] = chr(byte)
    return table


def _entity_table() -> dict[str, str]:
    table = dict(_NAMED_ENTITIES)
    for code in range(128):
        for written in (f"&#{code}", f"&#x{code:x}"):
            table[written + ";"] = chr(code)
            table[written] = chr(code)
    return table


def _longest_first(table: dict[str, str]) -> tuple[list[str], list[str]]:
    # replace_many(leftmost=True) takes the first listed pattern among those starting at one place, so
    # "&#100;" must come before "&#10" and "%ef%bc%9c" before nothing shorter can steal its start.
    keys = sorted(table, key=len, reverse=True)
    return keys, [table[key] for key in keys]


def _script_escape_table() -> dict[str, str]:
    # JavaScript and JSON escapes of ASCII ("\u003cscript\u003e", "\u{61}lert"); other characters stay escaped.
    table = {}
    for code in range(128):
        table[f"\\u{code:04x}"] = chr(code)
        table[f"\\u{{{code:x}}}"] = chr(code)
        table[f"\\u{{{code:02x}}}"] = chr(code)
    return table


_PERCENT_KEYS, _PERCENT_VALUES = _longest_first(_percent_table())
# What every entity starts with: a value holding none of these has no entity to decode ("&page=2" has none).
_ENTITY_STARTS = sorted({"&#", *(name.rstrip(";") for name in _NAMED_ENTITIES)})
_ESCAPE_KEYS, _ESCAPE_VALUES = _longest_first(_script_escape_table())
_ENTITY_KEYS, _ENTITY_VALUES = _longest_first(_entity_table())

# Pieces of text whose presence means the value may decode into something else; a value without any of
# them is its own lower-cased normal form (apart from path collapsing and "+" as a space).
ENCODING_MARKERS: tuple[str, ...] = (
    "%", "&#", "&lt", "&gt", "&quot", "&apos", "&amp", "&colon", "&tab", "&newline", "&lpar", "&rpar", "&sol",
    "&bsol", "&semi", "&grave", "\\",
    *sorted({chr(code) for code in _LOOKALIKES if code > 0x7F and chr(code) != "\u00a0"}),
)  # fmt: skip


def only_where(values: pl.Series, needed: pl.Series, step: Callable[[pl.Series], pl.Series]) -> pl.Series:
    """`step` applied to the values that need it; the rest are left as they are (and cost nothing)."""
    if not needed.any():
        return values
    if needed.all():
        return step(values)
    return values.clone().scatter(needed.arg_true(), step(values.filter(needed)))


def logged(values: pl.Series) -> pl.Series:
    """The values as the client sent them: Apache and Nginx write a quote as \\" and a backslash as \\\\."""
    values = values.cast(pl.String).fill_null("")
    return only_where(values, values.str.contains("\\", literal=True),
                       lambda part: part.str.replace_many(['\\"', "\\\\"], ['"', "\\"], leftmost=True))


def _percent_round(values: pl.Series) -> pl.Series:
    return values.str.replace_many(_PERCENT_KEYS, _PERCENT_VALUES, leftmost=True).str.to_lowercase()


def _percent_decoded(text: pl.Series) -> pl.Series:
    # Apache writes bytes it will not print as \xhh; treat them like %hh (JavaScript's \x28 is the same).
    text = only_where(text, text.str.contains("\\x", literal=True),
                       lambda part: part.str.replace_all(r"\\x([0-9a-f]{2})", "%$1"))
    for _round in range(DECODE_ROUNDS):
        text = only_where(text, text.str.contains("%", literal=True), _percent_round)
    return text


def _entities(part: pl.Series) -> pl.Series:
    # "&#0000060" is "&#60" to a browser; drop the padding so the table needs one entry per character.
    part = part.str.replace_all(r"&#(x?)0+([0-9a-f])", "&#${1}${2}")
    for _round in range(2):  # "&amp;lt;" is two layers
        part = part.str.replace_many(_ENTITY_KEYS, _ENTITY_VALUES, leftmost=True)
    return part


def _folded(text: pl.Series) -> pl.Series:
    """Raw non-ASCII characters folded by NFKC (fullwidth forms sent as they are), NUL bytes dropped."""
    text = only_where(text, text.str.len_bytes() != text.str.len_chars(),
                       lambda part: part.str.normalize("NFKC").str.to_lowercase())
    return only_where(text, text.str.contains("\x00", literal=True),
                       lambda part: part.str.replace_all("\x00", "", literal=True))


def normalised_text(values: pl.Series, *, plus_is_space: bool = True) -> pl.Series:
    """Request targets, headers or referers as the application would see them: decoded, folded, lower case.

    `plus_is_space` reads "+" as a space, as form decoding does for a query; it is applied to the whole
    value because SQL and script payloads in paths use it the same way ("1'+or+'1"). Each step only touches
    the values that hold what it undoes.
    """
    text = logged(values).str.to_lowercase()
    if plus_is_space:
        text = text.str.replace_all("+", " ", literal=True)
    text = _percent_decoded(text)
    text = only_where(text, text.str.contains_any(_ENTITY_STARTS), _entities)
    text = only_where(text, text.str.contains("\\u", literal=True),
                       lambda part: part.str.replace_many(_ESCAPE_KEYS, _ESCAPE_VALUES, leftmost=True))
    return _folded(text)


def _collapsed(path: pl.Series) -> pl.Series:
    path = path.str.replace_all("\\", "/", literal=True)
    for _round in range(2):  # "/././" needs two passes: the matches do not overlap
        path = path.str.replace_all("/./", "/", literal=True)
    return path.str.replace_all(r"/{2,}", "/").str.replace_all(r"/\.$", "/")


def normalised_path(values: pl.Series) -> pl.Series:
    """The path part of request targets, decoded and collapsed the way a web server maps it to a file."""
    path = logged(values).str.splitn("?", 2).struct.field("field_0").fill_null("").str.to_lowercase()
    path = _folded(_percent_decoded(path))
    return only_where(path, path.str.contains_any(["\\", "//", "/."]), _collapsed)
