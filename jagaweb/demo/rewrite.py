"""A small, real subset of Apache mod_rewrite for the demo's site server, so that cloaking written into a
web root's `.htaccess` the way attackers write it is really served: Googlebot and visitors from Google get
another page than a normal browser.

Understood, in the web root's `.htaccess` only (as per-directory rules of that folder):

    RewriteEngine On|Off                        the last one counts; rules apply only when On
    RewriteBase /path/                          prefix for relative substitutions (default /)
    RewriteCond %{VAR} [!]regex [NC,OR]         VAR: HTTP_USER_AGENT, HTTP_REFERER, HTTP_ACCEPT_LANGUAGE,
                                                HTTP_HOST, REQUEST_URI, QUERY_STRING
    RewriteRule [!]regex target|- [flags]       flags: L, END, R, R=301|302|303|307|308, F, G, NC, QSA
    <IfModule mod_rewrite.c> ... </IfModule>    read as if mod_rewrite were loaded (the negated form is skipped)

The rule's regex is matched against the path without its leading slash; `$N` and `%N` back-references work
(from the rule and from the last condition that matched). An absolute URL as target, or the R flag, is a
redirect; a local target is served in place (one pass: an internal rewrite is not run through the rules
again, as with END). Conditions chain as in Apache: all must hold, except that [OR] joins one with the next.

Anything else is ignored, as Apache ignores the directives of a module it has not loaded inside <IfModule>:
other directives, other containers' contents, and whole rules that use a variable, a flag or a condition
form (-f, -d, =, <, >) outside this subset or a regex that does not compile. Nothing of it reaches a visitor.
Python's `re` stands in for PCRE; subjects and patterns are cut to bounded lengths and a file to a bounded
size and number of rules, so a hostile file cannot make the server read or match without end.
"""

from __future__ import annotations

import re
import stat
import threading
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

MAX_FILE_BYTES = 64 * 1024
MAX_RULES = 200
MAX_PATTERN = 1000
MAX_SUBJECT = 2048
MAX_CONTAINER_DEPTH = 16
VARIABLES = {
    "HTTP_USER_AGENT": "User-Agent", "HTTP_REFERER": "Referer", "HTTP_ACCEPT_LANGUAGE": "Accept-Language",
    "HTTP_HOST": "Host",
}
REQUEST_VARIABLES = {"REQUEST_URI", "QUERY_STRING"}
VARIABLE = re.compile(r"^%\{([A-Z_]+)\}$")
REDIRECT_CODES = {301, 302, 303, 307, 308}
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
BACKREFERENCE = re.compile(r"([$%])(\d)")
ARGUMENT = re.compile(r'"([^"]*)"|(\S+)')


class Outcome(StrEnum):
    UNCHANGED = "unchanged"  # no rule changed anything: serve the path asked for
    REWRITE = "rewrite"  # serve another local path in place
    REDIRECT = "redirect"
    FORBIDDEN = "forbidden"
    GONE = "gone"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    path: str = ""  # REWRITE: the local path to serve, decoded, with a leading slash
    location: str = ""  # REDIRECT
    status: int = 0  # REDIRECT


@dataclass(frozen=True)
class Request:
    """What the conditions and rules look at: the decoded path (with its leading slash), query and headers."""

    path: str
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def variable(self, name: str) -> str:
        if name == "REQUEST_URI":
            value = self.path
        elif name == "QUERY_STRING":
            value = self.query
        else:
            wanted = VARIABLES[name].lower()
            value = next((v for k, v in self.headers.items() if k.lower() == wanted), "")
        return value[:MAX_SUBJECT]


@dataclass(frozen=True)
class Condition:
    variable: str
    pattern: re.Pattern[str]
    negated: bool = False
    or_next: bool = False

    def test(self, request: Request) -> re.Match[str] | bool:
        found = self.pattern.search(request.variable(self.variable))
        if self.negated:
            return found is None
        return found if found is not None else False


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    target: str
    negated: bool = False
    conditions: tuple[Condition, ...] = ()
    last: bool = False
    redirect: int = 0  # the status of a redirect asked for with R
    forbidden: bool = False
    gone: bool = False


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...] = ()
    enabled: bool = False
    base: str = "/"

    def apply(self, request: Request) -> Result:
        if not self.enabled:
            return Result(Outcome.UNCHANGED)
        path = request.path
        for rule in self.rules:
            subject = path.lstrip("/")[:MAX_SUBJECT]
            match = rule.pattern.search(subject)
            if (match is None) != rule.negated:
                continue
            held = conditions_hold(rule.conditions, request)
            if held is None:
                continue
            if rule.forbidden:
                return Result(Outcome.FORBIDDEN)
            if rule.gone:
                return Result(Outcome.GONE)
            if rule.target != "-":
                target = expand(rule.target, None if rule.negated else match, held)
                if target is None:
                    continue
                result = self.substitute(target, rule)
                if result.outcome == Outcome.REDIRECT:
                    return result
                path = result.path
            if rule.last:
                break
        return Result(Outcome.REWRITE, path=path) if path != request.path else Result(Outcome.UNCHANGED)

    def substitute(self, target: str, rule: Rule) -> Result:
        if target.startswith(("http://", "https://")):
            return Result(Outcome.REDIRECT, location=target, status=rule.redirect or 302)
        local = target if target.startswith("/") else self.base.rstrip("/") + "/" + target
        if rule.redirect:
            return Result(Outcome.REDIRECT, location=local, status=rule.redirect)
        return Result(Outcome.REWRITE, path=local.split("?", 1)[0])


def conditions_hold(conditions: tuple[Condition, ...], request: Request) -> re.Match[str] | bool | None:
    """Apache's chaining: every condition must hold, but one marked [OR] that holds also settles the ones it is
    chained to. Returns the last regex match of a condition that held (for %N), True without one, None if not."""
    last: re.Match[str] | bool = True
    index = 0
    while index < len(conditions):
        condition = conditions[index]
        found = condition.test(request)
        if condition.or_next:
            if not found:
                index += 1
                continue
            while index < len(conditions) and conditions[index].or_next:
                index += 1
        elif not found:
            return None
        if isinstance(found, re.Match):
            last = found
        index += 1
    return last


def expand(target: str, rule_match: re.Match[str] | None, cond_match: re.Match[str] | bool) -> str | None:
    """The target with $N (the rule's groups) and %N (the last condition's groups) filled in; None when the
    result holds control characters (a header-splitting attempt through a back-reference)."""
    def group(found: re.Match[str] | bool | None, number: int) -> str:
        if not isinstance(found, re.Match) or number > (found.re.groups or 0):
            return ""
        return found.group(number) or ""

    def fill(reference: re.Match[str]) -> str:
        source = rule_match if reference.group(1) == "$" else cond_match
        return group(source, int(reference.group(2)))

    expanded = BACKREFERENCE.sub(fill, target)
    return None if CONTROL.search(expanded) else expanded


class Unsupported(ValueError):
    """A directive this subset does not understand: the rule it belongs to is left out."""


def compile_pattern(text: str, nocase: bool) -> tuple[re.Pattern[str], bool]:
    negated = text.startswith("!")
    if negated:
        text = text[1:]
    if not text or len(text) > MAX_PATTERN:
        raise Unsupported("empty or overlong pattern")
    try:
        return re.compile(text, re.IGNORECASE if nocase else 0), negated
    except (re.error, OverflowError, RecursionError) as exc:
        raise Unsupported(str(exc)) from exc


def flags_of(arguments: list[str], position: int) -> list[str]:
    if len(arguments) <= position:
        return []
    text = arguments[position]
    if len(arguments) > position + 1 or not (text.startswith("[") and text.endswith("]")):
        raise Unsupported(f"cannot read the flags {' '.join(arguments[position:])!r}")
    return [flag.strip().upper() for flag in text[1:-1].split(",") if flag.strip()]


def parse_condition(arguments: list[str]) -> Condition:
    if len(arguments) < 2:
        raise Unsupported("RewriteCond needs a variable and a pattern")
    variable = VARIABLE.match(arguments[0])
    if variable is None or (variable.group(1) not in VARIABLES and variable.group(1) not in REQUEST_VARIABLES):
        raise Unsupported(f"variable {arguments[0]!r}")
    flags = flags_of(arguments, 2)
    if set(flags) - {"NC", "NOCASE", "OR", "ORNEXT"}:
        raise Unsupported(f"condition flags {flags}")
    text = arguments[1]
    if text.lstrip("!")[:1] in ("-", "=", "<", ">"):
        raise Unsupported(f"condition form {text!r}")
    pattern, negated = compile_pattern(text, bool({"NC", "NOCASE"} & set(flags)))
    return Condition(variable.group(1), pattern, negated, bool({"OR", "ORNEXT"} & set(flags)))


def parse_rule(arguments: list[str], conditions: list[Condition]) -> Rule:
    if len(arguments) < 2:
        raise Unsupported("RewriteRule needs a pattern and a target")
    flags = flags_of(arguments, 2)
    redirect, last, forbidden, gone, nocase = 0, False, False, False, False
    for flag in flags:
        name, _, value = flag.partition("=")
        if name in ("R", "REDIRECT"):
            redirect = int(value) if value.isdigit() else 302 if not value else 0
            if redirect not in REDIRECT_CODES:
                raise Unsupported(f"redirect status {value!r}")
        elif name in ("L", "LAST", "END"):
            last = True
        elif name in ("F", "FORBIDDEN"):
            forbidden = True
        elif name in ("G", "GONE"):
            gone = True
        elif name in ("NC", "NOCASE"):
            nocase = True
        elif name != "QSA":  # appending the query string changes nothing a static page shows
            raise Unsupported(f"rule flag {flag!r}")
    pattern, negated = compile_pattern(arguments[0], nocase)
    return Rule(pattern, arguments[1], negated, tuple(conditions), last or forbidden or gone or bool(redirect),
                redirect, forbidden, gone)


def split_arguments(line: str) -> list[str]:
    """Arguments as Apache reads them: separated by spaces; a "double-quoted" one may hold spaces."""
    return [m.group(1) if m.group(1) is not None else m.group(2) for m in ARGUMENT.finditer(line)]


def logical_lines(text: str) -> list[str]:
    """Lines with Apache's trailing-backslash continuations joined."""
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        if raw.endswith("\\"):
            pending += raw[:-1]
            continue
        lines.append(pending + raw)
        pending = ""
    if pending:
        lines.append(pending)
    return lines


def parse(text: str) -> RuleSet:
    """The rule set `text` describes; never raises on what a hostile or broken file holds."""
    rules: list[Rule] = []
    conditions: list[Condition] = []
    broken_conditions = False
    enabled, base = False, "/"
    skipping: list[bool] = []  # one entry per open container: whether its contents are ignored
    for line in logical_lines(text[:MAX_FILE_BYTES]):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("</"):
            if skipping:
                skipping.pop()
            continue
        if stripped.startswith("<"):
            opened = stripped.strip("<>").split(None, 1) or [""]
            readable = (opened[0].lower() == "ifmodule" and len(opened) == 2
                        and opened[1].strip().lower() in ("mod_rewrite.c", "rewrite_module"))
            skipping.append(not readable or (bool(skipping) and skipping[-1]) or len(skipping) >= MAX_CONTAINER_DEPTH)
            continue
        if skipping and skipping[-1]:
            continue
        name, *arguments = split_arguments(stripped) or [""]
        name = name.lower()
        if name == "rewriteengine" and arguments:
            enabled = arguments[0].lower() == "on"
        elif name == "rewritebase" and arguments and arguments[0].startswith("/"):
            base = arguments[0]
        elif name == "rewritecond":
            try:
                conditions.append(parse_condition(arguments))
            except Unsupported:
                broken_conditions = True
        elif name == "rewriterule":
            try:
                rule = parse_rule(arguments, conditions)
            except Unsupported:
                rule = None
            if rule is not None and not broken_conditions and len(rules) < MAX_RULES:
                rules.append(rule)
            conditions, broken_conditions = [], False
    return RuleSet(tuple(rules), enabled, base)


def read_rules(path: Path) -> RuleSet:
    """The rules of the `.htaccess` at `path`; none when it is missing, unreadable or not a regular file (a
    named pipe would block the reader)."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return RuleSet()
        with path.open("rb") as source:
            data = source.read(MAX_FILE_BYTES)
    except OSError:
        return RuleSet()
    return parse(data.decode("utf-8", errors="replace"))


class RulesFile:
    """A web root's `.htaccess` rules, read again whenever the file changes: an attacker rewrites it while the
    site is being served, and the next request must see the change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.seen: tuple[int, int, int] | None = None
        self.rules = RuleSet()

    def current(self) -> RuleSet:
        try:
            found = self.path.stat()
            key: tuple[int, int, int] | None = (found.st_mtime_ns, found.st_size, found.st_ino)
        except OSError:
            key = None
        with self.lock:
            if key != self.seen:
                self.rules = read_rules(self.path) if key is not None else RuleSet()
                self.seen = key
            return self.rules
