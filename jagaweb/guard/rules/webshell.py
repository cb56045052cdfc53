"""Webshell behaviour: what the request sends ends up run as code, as a command, or as the function to call."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from jagaweb.guard.rules.base import FileContext, FileKind, Hit, Rule
from jagaweb.guard.rules.php import (
    EXEC_SINK,
    FIRST_ARG_CALLBACKS,
    INPUT,
    INPUT_RE,
    LAST_ARG_CALLBACKS,
    SECOND_ARG_CALLBACKS,
    is_function_call,
    split_arguments,
    statement_at,
)

_SINK_CALL = re.compile(r"\b(" + EXEC_SINK + r")\s*\(")
_BACKTICK = re.compile(r"(?:=|\(|\becho|\bprint|\breturn)\s*`[^`\n]{0,200}?" + INPUT)
_INPUT_AS_FUNCTION = re.compile(
    r"(?:\$_(?:get|post|request|cookie|server)|getallheaders\s*\(\s*\)|apache_request_headers\s*\(\s*\))"
    r"\s*(?:\[[^\]\n]{1,60}\]\s*){1,3}\("
)
_VAR_CALL = re.compile(r"(?<![\w>:$])\$(\w+)\s*(?:\[[^\]\n]{1,60}\]\s*){0,3}\(")
_NEW_BEFORE = re.compile(r"\bnew\s*$")
_CALLBACK = re.compile(r"\b(" + "|".join(FIRST_ARG_CALLBACKS + SECOND_ARG_CALLBACKS + LAST_ARG_CALLBACKS) + r")\s*\(")
_SECOND = frozenset(SECOND_ARG_CALLBACKS)
_LAST = frozenset(LAST_ARG_CALLBACKS)
# An argument that is nothing but input (or an input-carrying variable), maybe cast, silenced or unescaped.
_WHOLE_INPUT = re.compile(
    r"\s*@?\s*(?:\(string\)\s*)?(?:(?:trim|stripslashes|urldecode|rawurldecode|base64_decode|str_rot13|strrev|hex2bin)"
    r"\s*\(\s*)*(?:(?P<input>" + INPUT + r")|\$(?P<var>\w+))\s*(?:\[[^\]\n]{1,60}\]\s*){0,3}\)*\s*$"
)
_DANGEROUS_NAME_ARG = re.compile(
    r"\s*['\"](?:assert|eval|system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|create_function)['\"]\s*$"
)
_EXTRACT = re.compile(
    r"\b(?:extract|import_request_variables)\s*\(\s*@?" + INPUT + r"|\bparse_str\s*\(\s*" + INPUT + r"[^,;]*\)\s*;"
)
_DEFINED = re.compile(
    r"\$(\w+)\s*(?:\[[^\]\n]{0,60}\]\s*){0,3}(?:\.|\?\?)?=(?![=>])"
    r"|(?:function\s*\w*\s*\(|\buse\s*\(|\bglobal\b|\bstatic\b|\bcatch\s*\(|\bas\b)[^;{)]*"
)
_NAME_IN = re.compile(r"\$(\w+)")
# include "/home/x/public_html/favicon_1a3f84.ico": PHP kept in an image, run from somewhere else.
_INCLUDE_NOT_PHP = re.compile(
    r"\b(?:include|require)(?:_once)?\s*\(?\s*@?\s*['\"][^'\"\n]{0,300}\.(?:ico|png|jpe?g|gif|bmp|webp|svg|txt|log|tmp|dat|zip)['\"]"
)
_INCLUDE = re.compile(r"(?<!['\"])\b(?:include|require)(?:_once)?\s*(?:\(|['\"$@]|[a-z_]+\s*[.(])")


_FUNCTION_DEFINITION = re.compile(r"\bfunction\s+&?\s*(\w+)\s*\(([^)]*)\)")
_SINK_NAME_IN_VARIABLE = re.compile(r"\$(\w+)\s*=\s*['\"](" + EXEC_SINK + r")['\"]\s*;")


def _runner_names(code: str) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """Other names under which a file runs commands or code.

    Shells wrap the exec functions in one of their own (`function exe($c) { ... system($c) ... }`) and call
    that with the request; or they keep a runner's name in a variable ($f = "system"; $f($_GET['c'])).
    Returns a pattern for calls of such wrappers, and the variables holding a runner's name.
    """
    wrappers: list[str] = []
    definitions = list(_FUNCTION_DEFINITION.finditer(code))
    for index, definition in enumerate(definitions):
        params = set(_NAME_IN.findall(definition.group(2)))
        if not params:
            continue
        end = definitions[index + 1].start() if index + 1 < len(definitions) else len(code)
        body = code[definition.end() : end]
        for sink in _SINK_CALL.finditer(body):
            if is_function_call(body, sink.start(1)) and params.intersection(
                _NAME_IN.findall(statement_at(body, sink.end()))
            ):
                wrappers.append(re.escape(definition.group(1)))
                break
    pattern = re.compile(r"\b(" + "|".join(wrappers) + r")\s*\(") if wrappers else None
    return pattern, {m.group(1): m.group(2) for m in _SINK_NAME_IN_VARIABLE.finditer(code)}


class WebshellRule(Rule):
    code = "webshell"
    kinds = frozenset({FileKind.PHP, FileKind.CONFIG, FileKind.MARKUP, FileKind.MEDIA, FileKind.OTHER})

    def applies(self, ctx: FileContext) -> bool:
        return ctx.has_php

    def check(self, ctx: FileContext) -> list[Hit]:
        # A code runner named as a callback, or an image included as code, needs no request input to be a
        # backdoor (the input may come later, or the included file reads it).
        checks = [self._callbacks, self._include_not_php]
        if INPUT_RE.search(ctx.code) is not None:
            checks += [self._exec_sinks, self._input_as_function, self._extract, self._include]
        hits: list[Hit] = []
        for found in (check(ctx) for check in checks):
            if found is not None:
                hits.append(found)
        return hits

    def _exec_sinks(self, ctx: FileContext) -> Hit | None:
        code = ctx.code
        wrappers, held = _runner_names(code)
        calls: list[tuple[re.Match[str], str]] = [(m, m.group(1)) for m in _SINK_CALL.finditer(code)]
        if wrappers is not None:
            calls += [(m, m.group(1)) for m in wrappers.finditer(code)]
        if held:
            calls += [(m, held[m.group(1)]) for m in _VAR_CALL.finditer(code) if m.group(1) in held]
        for match, name in calls:
            if match.group(0).startswith("$") or is_function_call(code, match.start(1)):
                statement = statement_at(code, match.end())
                if INPUT_RE.search(statement) or ctx.tainted_at(match.start()).intersection(
                    _NAME_IN.findall(statement)
                ):
                    reason = _("request input reaches %(function)s()%(where)s") % {
                        "function": name,
                        "where": ctx.where(match.start()),
                    }
                    return Hit("webshell.input-to-exec", 100, reason)
        backtick = _BACKTICK.search(code)
        if backtick is not None:
            reason = _("request input runs as a shell command%(where)s") % {"where": ctx.where(backtick.start())}
            return Hit("webshell.input-to-exec", 100, reason)
        return None

    def _input_as_function(self, ctx: FileContext) -> Hit | None:
        code = ctx.code
        match = _INPUT_AS_FUNCTION.search(code)
        if match is None:
            for candidate in _VAR_CALL.finditer(code):
                if candidate.group(1) in ctx.tainted_at(candidate.start()) and not _NEW_BEFORE.search(
                    code, 0, candidate.start()
                ):
                    match = candidate
                    break
        if match is None:
            return None
        reason = _("the request chooses the function to call%(where)s") % {"where": ctx.where(match.start())}
        return Hit("webshell.input-as-function", 100, reason)

    def _callbacks(self, ctx: FileContext) -> Hit | None:
        code = ctx.code
        named: Hit | None = None
        for match in _CALLBACK.finditer(code):
            name = match.group(1)
            if not is_function_call(code, match.start(1)):
                continue
            args = split_arguments(code[match.end() : match.end() + 600])
            if name in _LAST:
                arg = args[-1]
            elif name in _SECOND:
                arg = args[1] if len(args) > 1 else ""
            else:
                arg = args[0]
            whole = _WHOLE_INPUT.match(arg)
            if whole is not None and (whole.group("input") or whole.group("var") in ctx.tainted_at(match.start())):
                reason = _("the request chooses the callback of %(function)s()%(where)s") % {
                    "function": name,
                    "where": ctx.where(match.start()),
                }
                return Hit("webshell.input-callback", 100, reason)
            if named is None and _DANGEROUS_NAME_ARG.match(arg):
                reason = _("%(function)s() is given a code or command runner as its callback%(where)s") % {
                    "function": name,
                    "where": ctx.where(match.start()),
                }
                named = Hit("webshell.exec-callback", 75, reason)
        return named

    def _extract(self, ctx: FileContext) -> Hit | None:
        code = ctx.code
        match = _EXTRACT.search(code)
        if match is None:
            return None
        defined: set[str] = set()
        for definition in _DEFINED.finditer(code):
            if definition.group(1):
                defined.add(definition.group(1))
            else:
                defined.update(_NAME_IN.findall(definition.group(0)))
        for call in _VAR_CALL.finditer(code):
            if call.group(1) not in defined and call.group(1) != "this":
                reason = _("request parameters become variables, and one of them is called as a function%(where)s")
                return Hit("webshell.input-as-function", 100, reason % {"where": ctx.where(call.start())})
        reason = _("request parameters become variables (extract/parse_str of request input, line %(line)d)")
        return Hit("webshell.extract-input", 55, reason % {"where": ctx.where(match.start())})

    def _include_not_php(self, ctx: FileContext) -> Hit | None:
        match = _INCLUDE_NOT_PHP.search(ctx.code)
        if match is None or not is_function_call(ctx.code, match.start()):
            return None
        reason = _("runs an image or data file as PHP code%(where)s") % {"where": ctx.where(match.start())}
        return Hit("webshell.include-not-php", 70, reason)

    def _include(self, ctx: FileContext) -> Hit | None:
        code = ctx.code
        weak: Hit | None = None
        for match in _INCLUDE.finditer(code):
            if not is_function_call(code, match.start()):
                continue
            statement = statement_at(code, match.end() - 1, 300)
            if INPUT_RE.search(statement):
                reason = _("the request chooses a file to run as PHP%(where)s") % {"where": ctx.where(match.start())}
                return Hit("webshell.input-to-include", 70, reason)
            names = ctx.tainted_at(match.start()).intersection(_NAME_IN.findall(statement))
            if names and weak is None:
                # include $page (anything goes) versus include PLUGIN_DIR . "/$page" (a choice inside one folder)
                whole = _WHOLE_INPUT.match(statement.lstrip("( ").rstrip())
                reason = _("a request-derived name chooses a file to run as PHP%(where)s") % {
                    "where": ctx.where(match.start())
                }
                weak = Hit("webshell.input-to-include", 60 if whole else 15, reason, with_company=not whole)
        return weak
