"""Pieces of PHP syntax the behaviour rules share. All patterns run on lower-cased text."""

from __future__ import annotations

import bisect
import itertools
import re

# Where an attacker's request reaches the script: query, form, cookies, uploaded files, request headers
# (HTTP_* in $_SERVER, getallheaders) and the raw body. $_SERVER's other keys are the server's own, and
# HTTP_HOST is what every CMS builds its URLs from (the web server has matched it to a virtual host).
INPUT = (
    r"(?:\$_(?:get|post|request|cookie|files)\b"
    r"|\$_server\s*\[\s*['\"]http_(?!host['\"])\w+['\"]\s*\]"
    r"|\$globals\s*\[\s*['\"]_(?:get|post|request|cookie)['\"]\s*\]"
    r"|\$http_raw_post_data\b|\$http_(?:get|post|cookie)_vars\b"
    r"|getallheaders\s*\(|apache_request_headers\s*\(|php://input"
    r"|getenv\s*\(\s*['\"]http_\w+['\"]\s*\))"
)
INPUT_RE = re.compile(INPUT)
# The parts of the request that can name a path: not uploaded files (the server chose their temporary
# names) and not the raw body (reading php://input is how every API endpoint starts).
REQUEST_INPUT_RE = re.compile(INPUT.replace("|files", "").replace("|php://input", ""))

# Functions that run PHP code or shell commands given as a string.
CODE_SINKS = ("eval", "assert", "create_function")
COMMAND_SINKS = ("system", "exec", "shell_exec", "passthru", "popen", "proc_open", "pcntl_exec")
EXEC_SINKS = CODE_SINKS + COMMAND_SINKS
EXEC_SINK = r"(?:" + "|".join(EXEC_SINKS) + r")"

# Functions whose first argument is a callback (the callback is what an attacker wants to choose).
FIRST_ARG_CALLBACKS = (
    "call_user_func", "call_user_func_array", "array_map", "register_shutdown_function", "register_tick_function",
    "ob_start", "forward_static_call", "forward_static_call_array", "set_error_handler", "set_exception_handler",
    "spl_autoload_register", "header_register_callback",
)  # fmt: skip
# ... and those whose second argument is.
SECOND_ARG_CALLBACKS = (
    "array_filter", "array_walk", "array_walk_recursive", "usort", "uasort", "uksort", "array_reduce",
    "preg_replace_callback", "iterator_apply", "mb_ereg_replace_callback",
)  # fmt: skip
# ... and those whose last argument is.
LAST_ARG_CALLBACKS = (
    "array_diff_ukey", "array_diff_uassoc", "array_intersect_ukey", "array_intersect_uassoc", "array_udiff",
    "array_udiff_assoc", "array_udiff_uassoc", "array_uintersect", "array_uintersect_assoc", "array_uintersect_uassoc",
)  # fmt: skip

# Names whose presence inside a hidden (escaped, encoded, glued) string gives the hiding away.
HIDDEN_GIVEAWAYS = re.compile(
    r"\b(?:eval|assert|system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|create_function|base64_decode"
    r"|gzinflate|gzuncompress|gzdecode|str_rot13|call_user_func(?:_array)?|file_put_contents|move_uploaded_file"
    r"|curl_exec|fsockopen|preg_replace|getallheaders|php_uname)\b"
    r"|\$_(?:get|post|request|cookie|server)|\bglobals\b|http_user_agent|php://input"
)

_INTERESTING = re.compile(r"['\"]|/\*|//|#|\?>")
_SINGLE_QUOTED_REST = re.compile(r"(?:[^'\\]|\\.)*'", re.S)
_DOUBLE_QUOTED_REST = re.compile(r'(?:[^"\\]|\\.)*"', re.S)
_LINE_COMMENT_END = re.compile(r"\n|\?>")


def strip_comments(code: str) -> str:
    """PHP code without its comments; strings and the HTML between "?>" and "<?" are kept as they are.

    A small scanner rather than one regular expression: it stays linear on hostile input (thousands of
    unbalanced quotes), and a "#" or "//" in the HTML part cannot hide the PHP code after it. Line breaks
    inside block comments are kept so that line numbers stay right.
    """
    start = code.find("<?")
    if start < 0:
        return code
    out = [code[:start]]
    position = start
    unclosed: set[str] = set()  # a quote with no closing partner once has none later either
    while True:
        match = _INTERESTING.search(code, position)
        if match is None:
            out.append(code[position:])
            break
        found, at = match.group(), match.start()
        out.append(code[position:at])
        if found in ("'", '"'):
            closing = _SINGLE_QUOTED_REST if found == "'" else _DOUBLE_QUOTED_REST
            rest = None if found in unclosed else closing.match(code, at + 1)
            if rest is None:
                unclosed.add(found)
                out.append(found)
                position = at + 1
            else:
                out.append(code[at : rest.end()])
                position = rest.end()
        elif found == "?>":
            resume = code.find("<?", at + 2)
            if resume < 0:
                out.append(code[at:])
                break
            out.append(code[at:resume])
            position = resume
        elif found == "/*":
            end = code.find("*/", at + 2)
            stop = len(code) if end < 0 else end + 2
            out.append("\n" * code.count("\n", at, stop) or " ")
            position = stop
        elif found == "#" and code.startswith("#[", at):  # an attribute, not a comment
            out.append(found)
            position = at + 1
        else:
            end_match = _LINE_COMMENT_END.search(code, at)
            out.append(" ")
            position = len(code) if end_match is None else end_match.start()
    return "".join(out)


_NOT_A_CALL = re.compile(r"(?:->|::|\bfunction|\bnew|\bconst|\bcase)\s*&?\s*$")


def is_function_call(text: str, start: int) -> bool:
    """True when the name at `start` is a plain function call, not a method, variable, definition or longer name."""
    if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_$"):
        return False
    return _NOT_A_CALL.search(text, max(0, start - 16), start) is None


def statement_at(text: str, start: int, limit: int = 400) -> str:
    """From `start` to the end of its statement (the next ';'), at most `limit` characters."""
    end = text.find(";", start, start + limit)
    return text[start : end if end >= 0 else start + limit]


_ASSIGN = re.compile(r"\$(\w+)\s*(?:\[[^\]\n]{0,60}\]\s*){0,3}(?:\.|\?\?)?=(?![=>])\s*([^;]{0,400})")
_FOREACH = re.compile(r"foreach\s*\(\s*([^;]{0,200}?)\s+as\s+(?:&?\$(\w+)\s*=>\s*)?&?\$(\w+)")
_VARIABLE = re.compile(r"\$(\w+)")
_INDEX = re.compile(r"\[[^\[\]]+\]")
_NOT_TAINTABLE = frozenset({"this", "_get", "_post", "_request", "_cookie", "_files", "_server", "globals", "_env"})


_FUNCTION = re.compile(r"\bfunction\b")
TaintScopes = list[tuple[int, frozenset[str]]]  # (offset, names tainted from there on), in order of offset


def _assignments(code: str) -> list[tuple[int, tuple[str, ...], str]]:
    found: list[tuple[int, tuple[str, ...], str]] = [
        (m.end(), (m.group(1),), m.group(2)) for m in _ASSIGN.finditer(code) if m.group(1) not in _NOT_TAINTABLE
    ]
    for m in _FOREACH.finditer(code):
        names = (m.group(3),) if m.group(2) is None else (m.group(2), m.group(3))
        found.append((m.end(), names, m.group(1)))
    found.sort(key=lambda item: item[0])
    return found


def taint_scopes(code: str, source: re.Pattern[str] = INPUT_RE) -> TaintScopes:
    """Which variables hold request input, at each point of the file.

    Assignments are followed in the order they are written, within one function (from one `function`
    keyword to the next): a name reused for clean data later, or in the next function of a large CMS
    file, is clean again. A lookup keyed by input ($handlers[$_GET['x']]) picks among the script's own
    values and does not carry the input.
    """
    if source.search(code) is None:
        return []
    starts = [0, *(m.start() for m in _FUNCTION.finditer(code)), len(code)]
    changes: TaintScopes = []
    for begin, end in itertools.pairwise(starts):
        chunk = code[begin:end]
        if source.search(chunk) is None:
            continue
        changes.append((begin, frozenset()))
        tainted: set[str] = set()
        for offset, names, expression in _assignments(chunk):
            outside = expression
            for _level in range(3):  # $table[$_get['k']]: inner brackets first
                outside, count = _INDEX.subn("", outside)
                if not count:
                    break
            carries = source.search(outside) is not None or bool(tainted.intersection(_VARIABLE.findall(outside)))
            before = len(tainted)
            if carries:
                tainted.update(names)
            else:
                tainted.difference_update(names)
            if len(tainted) != before:
                changes.append((begin + offset, frozenset(tainted)))
        changes.append((end, frozenset()))
    return changes


def tainted_at(scopes: TaintScopes, offset: int) -> frozenset[str]:
    position = bisect.bisect_right(scopes, offset, key=lambda item: item[0]) - 1
    return scopes[position][1] if position >= 0 else frozenset()


def split_arguments(after_paren: str) -> list[str]:
    """The top-level arguments of a call, given the text just after its '(' (strings are not parsed)."""
    args: list[str] = []
    depth = 0
    current = 0
    for index, char in enumerate(after_paren):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                args.append(after_paren[current:index])
                return args
            depth -= 1
        elif char == "," and depth == 0:
            args.append(after_paren[current:index])
            current = index + 1
    args.append(after_paren[current:])
    return args
