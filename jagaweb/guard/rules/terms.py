"""The vocabulary (`jagaweb.guard.vocabulary`) for whole files, with a cheap first look.

Normalising and cutting a file into words costs more than all the other rules together, and almost every
source file has no gambling or defacement word at all. The first look asks whether the words of some term
that counts occur in the file, after the case folding and digits-for-letters reading the vocabulary does
too; only then is the file read in full. Non-ASCII text always gets the full reading (fancy letters are the
spammers' favourite disguise).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources

from jagaweb.guard.choices import TermTier
from jagaweb.guard.vocabulary import Term, find_terms, normalise, read_terms

_LEET = str.maketrans("013457@", "oieasta")
# Weak and news words only qualify these, so a file without any term of these tiers needs no full look.
_COUNTING = frozenset({TermTier.PROMO, TermTier.TOPIC, TermTier.DEFACE})
# The vocabulary also takes a gambling word glued to a number ("slot88", "toto4d") for a site brand.
# Only the vocabulary's public face is used here (its terms file, `normalise`, words as letter or digit runs),
# and a test checks that every term it finds is still let through.
_WORDS = re.compile(r"[^\W\d_]+|\d+")
_BRAND_STEMS = ("slot", "toto", "togel", "gacor", "judi", "sbobet", "maxwin", "casino", "poker", "jackpot")


@dataclass(frozen=True)
class _Needs:
    # longest word (folded) -> patterns of the terms having it: (pattern, searched in the plain text?)
    # (the other words, each of which must be in the text first, as a cheap test)
    groups: tuple[tuple[bytes, tuple[tuple[re.Pattern[bytes], bool, tuple[bytes, ...]], ...]], ...]
    # terms of short words only, and brands: (a word the term cannot do without, its pattern on the plain
    # lower-cased text, whether the character before a match must not be a letter or digit)
    short: tuple[tuple[bytes, re.Pattern[bytes], bool], ...]
    # a counting term outside ASCII (after normalising) cannot be looked for here: non-ASCII text then gets
    # the full reading
    non_ascii_terms: bool


_LETTER_OR_DIGIT = {"a": "[a4@]", "e": "[e3]", "i": "[i1]", "l": "[l1]", "o": "[o0]", "s": "[s5]", "t": "[t7]"}


def _term_pattern(words: list[str], plain: bool) -> re.Pattern[bytes]:
    """A term's words joined by any separator. In the folded text letters are enough; a term with a number
    ("slot88") is searched in the plain text, its numbers as written and its letters in either spelling."""
    if plain:
        parts = [
            re.escape(w) if w.isdigit() else "".join(_LETTER_OR_DIGIT.get(c, re.escape(c)) for c in w) for w in words
        ]
    else:
        parts = [re.escape(w.translate(_LEET)) for w in words]
    return re.compile(r"[^a-z0-9]*".join(parts).encode("ascii"))


@functools.cache
def _needs() -> _Needs:
    source = resources.files("jagaweb.guard.vocabulary").joinpath("terms.txt").read_text(encoding="utf-8")
    terms = [normalise(text) for text, tier, _category in read_terms(source) if tier in _COUNTING]
    groups: dict[str, dict[bytes, tuple[re.Pattern[bytes], bool, tuple[bytes, ...]]]] = {}
    # Every pattern starts with a literal, so the regex engine can jump between candidates.
    short = {
        (stem.encode("ascii"), re.compile(re.escape(stem).encode("ascii") + rb"\d{2}"), False) for stem in _BRAND_STEMS
    }
    split = [_WORDS.findall(term) for term in terms if term.isascii()]
    # Each term is filed under one of its words; the word most terms share is preferred, so that few words
    # are searched for in every file (and "slot" is looked for once, not once per slot term).
    shared = Counter(w for words in split for w in set(words) if w.isalpha() and len(w) >= 4)
    non_ascii = any(not term.isascii() for term in terms)
    for words in split:
        if not words:
            continue
        longest = max((w for w in words if w.isalpha() and len(w) >= 4), key=lambda w: (shared[w], len(w)), default="")
        if longest:
            plain = any(w.isdigit() for w in words)
            pattern = _term_pattern(words, plain)
            # In the plain text letters may still be digits ("sl0t"): there only numbers are tested first.
            others = {w for w in words if w != longest and len(w) >= 3 and (w.isdigit() or not plain)}
            needed = tuple(sorted((w if plain else w.translate(_LEET)).encode("ascii") for w in others))
            groups.setdefault(longest.translate(_LEET), {})[pattern.pattern] = (pattern, plain, needed)
        else:
            joined = r"[^a-z0-9]*".join(map(re.escape, words)) + r"(?![a-z0-9])"
            short.add((max(words, key=len).encode("ascii"), re.compile(joined.encode("ascii")), True))
    return _Needs(
        groups=tuple((key.encode("ascii"), tuple(found.values())) for key, found in sorted(groups.items())),
        short=tuple(sorted(short, key=lambda item: item[1].pattern)),
        non_ascii_terms=non_ascii,
    )


_FOLD = bytes.maketrans(b"013457@", b"oieasta")
_FOLD_AS_L = bytes.maketrans(b"013457@", b"oleasta")  # "s1ot": the vocabulary reads a 1 as i and as l
_ONE_BEFORE_LETTER = re.compile(rb"1(?=[a-z])")


def _standing_alone(text: bytes, pattern: re.Pattern[bytes], alone: bool) -> bool:
    for match in pattern.finditer(text):
        if not alone or match.start() == 0 or not chr(text[match.start() - 1]).isalnum():
            return True
    return False


def _one_inside_word(text: bytes) -> bool:
    return any(m.start() > 0 and 97 <= text[m.start() - 1] <= 122 for m in _ONE_BEFORE_LETTER.finditer(text))


def may_have_terms(data: bytes) -> bool:
    """False when ASCII `data` cannot contain a term that counts; bytes, because folding is a table lookup."""
    lower = data.lower()
    needs = _needs()
    if any(anchor in lower and _standing_alone(lower, pattern, alone) for anchor, pattern, alone in needs.short):
        return True
    folded = lower.translate(_FOLD)
    texts = (folded, lower.translate(_FOLD_AS_L)) if _one_inside_word(lower) else (folded,)
    for key, patterns in needs.groups:
        # The "1 as l" reading can only matter for a word with an l in it.
        if not any(key in text for text in (texts if b"l" in key else texts[:1])):
            continue
        for pattern, plain, needed in patterns:
            candidates = (lower,) if plain else texts
            for text in candidates:
                if all(word in text for word in needed) and pattern.search(text) is not None:
                    return True
    return False


def find_terms_quickly(text: str) -> dict[str, Term]:
    """`find_terms(text)`, skipping the full reading when no term that counts can be in the text.

    Non-ASCII text is normalised first (fancy and look-alike letters become plain ones), then looked at the
    same way; normalising is the cheap half of the vocabulary's work.
    """
    if text.isascii():
        if not may_have_terms(text.encode("ascii")):
            return {}
    elif not _needs().non_ascii_terms and not may_have_terms(normalise(text).encode("utf-8", errors="replace")):
        return {}
    return find_terms(text)
