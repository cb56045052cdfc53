"""Text normalisation before vocabulary matching: one canonical lower-case ASCII-ish form.

Spam writers dress gambling words up so that filters miss them but people still read them: mathematical
bold letters (U+1D5E6 and on), full-width letters, small capitals, Cyrillic and Greek look-alikes ("slot"
with a Cyrillic dze and o), zero-width characters inside words, accents and stacked combining marks, and
digits for letters (g4c0r). All of it is undone here; the vocabulary terms go through the same function,
so both sides always agree.

Speed matters (every page of every site, several identities): ASCII text is only lower-cased, and the
Unicode work runs once per distinct non-ASCII character.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Look-alikes that NFKD leaves alone, as (look-alikes, letters) string pairs written with escapes, so the
# source shows what each one is. Case matters for a few (Greek capital eta is H, small eta looks like n),
# so this runs before case folding.
_LOOKALIKE_PAIRS = (
    # Cyrillic
    ("\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0423\u0425", "ABEKMHOPCTYX"),
    ("\u0405\u0406\u0408\u051a\u051c\u04ba\u04c0\u0430\u0432\u0435\u043a\u043c", "SIJQWHIabekm"),
    ("\u043d\u043e\u0440\u0441\u0442\u0443\u0445\u0455\u0456\u0458\u0501\u051b", "hopctyxsijdq"),
    ("\u051d\u04bb\u04cf\u043f\u0433\u044c\u0451\u0457", "whlnrbei"),
    # Greek
    ("\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4", "ABEZHIKMNOPT"),
    ("\u03a5\u03a7\u03b1\u03b2\u03b3\u03b5\u03b7\u03b9\u03ba\u03bd\u03bf\u03c1", "YXabyenikvop"),
    ("\u03c3\u03c4\u03c5\u03c7\u03c9\u03bc\u03c2", "otuxwus"),
    # Latin letters without a compatibility decomposition
    ("\u0131\u0237\u0142\u0111\u00f8\u0127\u0167\u0185\u0251\u0261\u019a\u0269", "ijldohtbagli"),
    ("\u028b\u025b\u0254", "ueo"),
    # small capitals
    ("\u1d00\u0299\u1d04\u1d05\u1d07\ua730\u0262\u029c\u026a\u1d0a\u1d0b\u029f", "abcdefghijkl"),
    ("\u1d0d\u0274\u1d0f\u1d18\u01eb\u0280\ua731\u1d1b\u1d1c\u1d20\u1d21\u028f", "mnopqrstuvwy"),
    ("\u1d22", "z"),
)
_LOOKALIKES = {source: target for sources, targets in _LOOKALIKE_PAIRS
               for source, target in zip(sources, targets, strict=True)}
# Letters in boxes and flags: negative circled, negative squared and regional indicators have no
# decomposition (plain circled and squared letters do, and NFKD handles those).
for _start in (0x1F150, 0x1F170, 0x1F1E6):
    for _offset in range(26):
        _LOOKALIKES[chr(_start + _offset)] = chr(ord("a") + _offset)

# Removed so that a word split by them joins again: zero-width space/joiners, bidi controls, word joiner,
# soft hyphen, BOM, Mongolian vowel separator, combining grapheme joiner.
# Tag characters and the variation selectors supplement are the only marks past U+2FFFF.
_INVISIBLE = [0x00AD, 0x034F, 0x180E, 0xFEFF, *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2070),
              *range(0xE0000, 0xE0080), *range(0xE0100, 0xE01F0)]


@functools.cache
def _table() -> dict[int, str | None]:
    """Built on first use (about 50 ms), not at import: most commands never normalise anything."""
    table: dict[int, str | None] = {ord(k): v for k, v in _LOOKALIKES.items()}
    for code in _INVISIBLE:
        table[code] = None
    for code in range(0x80, 0x30000):
        if code in table:
            continue
        category = unicodedata.category(chr(code))
        if category in ("Mn", "Me", "Cf"):  # accents, Zalgo marks, other invisible format characters
            table[code] = None
        elif category[0] in "ZPS":  # spaces, dashes, typographic quotes, bullets, emoji: word separators
            table[code] = " "
    return table


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_ASCII_BYTES = bytes(range(128))
_MANY = 48  # distinct non-ASCII characters above which whole runs are folded instead (a page in Thai)
# A digit standing for a letter between two letters ("g4c0r", "sl0t"); "slot88", "depo 10k" and years stay
# as they are. The look-behind comes second so that the regex engine can skip ahead to digits.
_LEET = re.compile(r"[013457](?<=[a-z].)(?=[a-z])")
_HEX_DIGITS = "0123456789abcdef"
_LEET_LONGEST = 24
_LEET_MAP = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t"}
_LEET_ONE = re.compile(r"1(?<=[a-z]1)(?=[a-z])")


def _fold(text: str) -> str:
    # Look-alikes first (NFKD would turn an o-with-ogonek standing for q into o), then again after NFKD
    # (which turns mathematical Greek letters into plain Greek ones).
    table = _table()
    return unicodedata.normalize("NFKD", text.translate(table)).translate(table).casefold()


_fold_char = functools.lru_cache(maxsize=65536)(_fold)


def _fold_run(match: re.Match[str]) -> str:
    return _fold(match.group())


def _fold_non_ascii(text: str) -> str:
    """Fold the non-ASCII characters of a mostly-ASCII text, each distinct character once.

    Finding them is the cost: the UTF-8 bytes minus every ASCII byte (a C-speed translate) are exactly
    the non-ASCII characters, usually a handful (typographic quotes, a copyright sign)."""
    others = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")
    distinct = set(others)
    if len(distinct) > _MANY:
        return _NON_ASCII.sub(_fold_run, text)
    for char in distinct:
        folded = _fold_char(char)
        if folded != char:
            text = text.replace(char, folded)
    return text


def _deleet(match: re.Match[str]) -> str:
    digit = match.group()
    end = match.end()
    text = match.string
    # "4d" is a lottery bet ("toto4d", "klik4d"), not "ad".
    if digit == "4" and text[end] == "d" and (end + 1 == len(text) or not text[end + 1].isalpha()):
        return digit
    return _LEET_MAP[digit]


def _one_as_l(match: re.Match[str]) -> str:
    return "l"


def fold_case(text: str) -> str:
    """Fancy letters, look-alikes, accents and invisible characters undone, lower case (no de-leeting)."""
    if not text.isascii():
        text = _fold_non_ascii(text)
    return text.lower()


def leet_words(words: list[str]) -> bool:
    """Whether any of these words has digits standing for letters; hex strings and long blobs (script
    nonces, hashes) are not words."""
    candidates = [word for word in words if len(word) <= _LEET_LONGEST and word.strip(_HEX_DIGITS)]
    return bool(candidates) and _LEET.search(" ".join(candidates)) is not None


def deleet(text: str) -> str:
    """Digits between letters read as the letters they stand for, in lower-case folded text."""
    if "1" in text and _LEET_ONE.search(text):
        # "1" stands for i ("maxw1n") or l ("s1ot"): the text is read both ways, the l-reading on a line
        # of its own. Rare in ordinary text, so the doubling costs nothing in the common case.
        text = text + "\n" + _LEET_ONE.sub(_one_as_l, text)
    return _LEET.sub(_deleet, text)


def normalise(text: str) -> str:
    """The form vocabulary matching sees: fancy letters undone, lower case, leetspeak between letters undone."""
    return deleet(fold_case(text))
