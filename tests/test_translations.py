"""The catalogues are complete and safe: every Indonesian msgstr filled, not fuzzy, with the msgid's
placeholders; the compiled .mo says what the .po says; every string the Python code marks is catalogued.

The .po files are read with the small parser below (polib is not a dependency) and the .mo files with
the standard library's gettext, so the check does not depend on file times, which git does not keep.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

import jagaweb

LOCALE = Path(settings.LOCALE_PATHS[0])
PACKAGE = Path(jagaweb.__file__).resolve().parent
LANGUAGES = [code for code, _name in settings.LANGUAGES]

# %(name)s, %s, %d, %r ... (python-format) and {name} (python-brace-format, the activity sentences).
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[#0 +-]*\d*(?:\.\d+)?[sdifrxXeEgGc%]|\{[A-Za-z_]\w*\}")
HTML_TAG = re.compile(r"<[^>]+>")
END_MARK = ".:?!…"


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return self.msgctxt, self.msgid


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file, header first; obsolete (#~) entries are left out."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal current, target
        if current is not None and target is not None:
            entries.append(current)
        current, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            finish()
            continue
        if current is None:
            current = Entry(line=number)
        if line.startswith("#,"):
            current.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert target is not None, f"{path}:{number}: continuation without a keyword"
            append(current, target, ast.literal_eval(line))
        else:
            keyword, _space, value = line.partition(" ")
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                target = ("msgstr", int(match.group(1)))
            elif keyword in ("msgid", "msgid_plural", "msgctxt", "msgstr"):
                target = (keyword, 0)
            else:
                raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
            append(current, target, ast.literal_eval(value))
    finish()
    return entries


def append(entry: Entry, target: tuple[str, int], text: str) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] = entry.msgstr.get(index, "") + text
    else:
        setattr(entry, name, (getattr(entry, name) or "") + text)


def catalogue(language: str) -> list[Entry]:
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    assert path.exists(), f"{path} is missing: run makemessages -l {language}"
    return parse_po(path)


def header(entries: list[Entry]) -> dict[str, str]:
    first = entries[0]
    assert first.msgid == "", "the catalogue must start with its header"
    assert "fuzzy" not in first.flags, "a fuzzy header is ignored by msgfmt (and its Plural-Forms with it)"
    lines = [line.partition(":") for line in first.msgstr[0].splitlines() if ":" in line]
    return {name.strip(): value.strip() for name, _colon, value in lines}


def messages(language: str) -> list[Entry]:
    return catalogue(language)[1:]


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def end_mark(text: str) -> str:
    return text[-1] if text and text[-1] in END_MARK else ""


def where(entry: Entry) -> str:
    return f"line {entry.line}: {entry.msgid!r}"


def test_indonesian_header_declares_one_plural_form():
    fields = header(catalogue("id"))
    assert fields["Language"] == "id"
    assert fields["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert "charset=UTF-8" in fields["Content-Type"]


def test_every_indonesian_msgid_has_a_translation_that_is_not_fuzzy():
    problems = []
    for entry in messages("id"):
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy, {where(entry)}")
        # Indonesian has one plural form, so a plural entry has msgstr[0] only, like a singular one.
        if sorted(entry.msgstr) != [0] or not all(entry.msgstr.values()):
            problems.append(f"untranslated, {where(entry)}")
    assert not problems, "\n".join(problems)


def test_translations_keep_placeholders_markup_and_closing_marks():
    problems = []
    for entry in messages("id"):
        source = entry.msgid_plural if entry.msgid_plural is not None else entry.msgid
        for translated in entry.msgstr.values():
            if placeholders(translated) != placeholders(source):
                problems.append(f"placeholders {placeholders(translated)} != {placeholders(source)}, {where(entry)}")
            if HTML_TAG.findall(translated) != HTML_TAG.findall(source):
                problems.append(f"HTML differs, {where(entry)}")
            if end_mark(translated) != end_mark(source):
                problems.append(f"closing mark {end_mark(translated)!r} != {end_mark(source)!r}, {where(entry)}")
            if (translated.startswith(("\n", " ")), translated.endswith(("\n", " "))) != (
                source.startswith(("\n", " ")), source.endswith(("\n", " "))
            ):
                problems.append(f"leading/trailing space or newline differs, {where(entry)}")
    assert not problems, "\n".join(problems)


def test_every_language_catalogue_has_the_same_messages():
    indonesian = {entry.key for entry in messages("id")}
    for language in LANGUAGES:
        entries = messages(language)
        assert {entry.key for entry in entries} == indonesian, f"run makemessages -l {language} as well"
        assert not [where(entry) for entry in entries if "fuzzy" in entry.flags]


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_says_what_the_po_says(language):
    mo_path = LOCALE / language / "LC_MESSAGES" / "django.mo"
    assert mo_path.exists(), f"{mo_path} is missing: run compilemessages"
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in messages(language):
        if entry.msgctxt is not None:
            shown = compiled.pgettext(entry.msgctxt, entry.msgid)
        elif entry.msgid_plural is not None:
            shown = compiled.ngettext(entry.msgid, entry.msgid_plural, 1)
        else:
            shown = compiled.gettext(entry.msgid)
        wanted = entry.msgstr.get(0) or entry.msgid
        if "fuzzy" not in entry.flags and shown != wanted:
            stale.append(where(entry))
    assert not stale, "the .mo is older than the .po, run compilemessages:\n" + "\n".join(stale)


TRANSLATION_FUNCTIONS = {"gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}


def marked_strings(path: Path) -> list[tuple[int, str]]:
    """The literal msgids a module passes to Django's gettext functions, under whatever alias it imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for alias in node.names
        if alias.name in TRANSLATION_FUNCTIONS
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in aliases:
            for argument in node.args[:2]:
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    found.append((node.lineno, argument.value))
                    break
    return found


def test_every_string_the_python_code_marks_is_in_the_catalogue():
    """makemessages only knows the usual names (_, gettext, gettext_lazy ...); a string marked through
    another alias is silently left out and shows in English. This finds such strings."""
    known = {entry.msgid for entry in messages("id")}
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for line, msgid in marked_strings(path):
            if msgid not in known:
                missing.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {msgid!r}")
    assert not missing, "not in jagaweb/locale/id/LC_MESSAGES/django.po:\n" + "\n".join(missing)
