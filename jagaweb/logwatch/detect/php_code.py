"""PHP code injection: PHP source, dangerous PHP calls, or php.ini switches sent in a request."""

from __future__ import annotations

from typing import ClassVar

from jagaweb.logwatch.detect.base import Family, Pattern
from jagaweb.logwatch.detect.kinds import Category, Severity

_S = Severity
_FUNCTIONS = (
    r"eval|assert|system|exec|passthru|shell_exec|popen|proc_open|pcntl_exec|create_function|call_user_func(?:_array)?|"
    r"file_put_contents|file_get_contents|fwrite|fputs|move_uploaded_file|base64_decode|gzinflate|gzuncompress|"
    r"str_rot13|posix_\w+|ini_set|highlight_file|show_source|readfile|preg_replace|array_map|usort|unserialize"
)
_INI_SWITCHES = (
    r"allow_url_include|allow_url_fopen|auto_prepend_file|auto_append_file|disable_functions|open_basedir|"
    r"safe_mode|suhosin\.simulation|cgi\.force_redirect|register_globals"
)


class PhpCodeFamily(Family):
    category = Category.PHP
    tokens: ClassVar[tuple[str, ...]] = (
        "<?", "$_", "${", "eval", "assert", "system", "exec", "passthru", "popen", "proc_open", "create_function",
        "call_user_func", "file_put", "file_get", "fwrite", "fputs", "move_uploaded", "base64_decode", "gzinflate",
        "gzuncompress", "str_rot13", "phpinfo", "php_uname", "posix_", "ini_set", "highlight_file", "show_source",
        "readfile", "preg_replace", "array_map", "usort", "unserialize", "allow_url", "auto_prepend",
        "auto_append", "disable_functions", "open_basedir", "safe_mode", "suhosin", "force_redirect",
        "register_globals", "php:", "expect:", "data:", "o:", "a:", "shell_exec",
    )  # fmt: skip
    patterns = (
        Pattern("php-tag", _S.HIGH, r"<\?(?:php\b|=)",
                "PHP source (<?php, <?=) in a request."),
        Pattern("php-function", _S.HIGH, r"\b(?:" + _FUNCTIONS + r")\s*\(\s*[^\s)]|\b(?:phpinfo|php_uname|getcwd|"
                r"get_current_user)\s*\(\s*\)",
                "A PHP call that runs code or commands, or writes files (system(), eval(), base64_decode())."),
        Pattern("superglobal", _S.HIGH, r"\$_(?:get|post|request|cookie|server|files|env|session)\b|"
                r"\$\{@?(?:eval|system|phpinfo|print|die|assert|exit)\b",
                "PHP superglobals or ${...} code in a value."),
        Pattern("php-ini-override", _S.CRITICAL, r"(?:" + _INI_SWITCHES + r")\s*=",
                "php.ini switches set from the request (the php-cgi -d allow_url_include=1 attack)."),
        Pattern("function-parameter", _S.HIGH, r"[?&](?:function|func|fn|callback|cb|call|method|vars\[0\])=\s*(?:"
                r"system|exec|shell_exec|passthru|assert|eval|popen|proc_open|pcntl_exec|phpinfo|call_user_func(?:_array)?|"
                r"create_function|file_put_contents|base64_decode)\s*(?:&|$)",
                "A dangerous PHP function named as the function to call (function=shell_exec, vars[0]=system)."),
        Pattern("code-stream", _S.HIGH, r"\bphp://input\b|\bexpect://|\bdata://text/plain|\bdata:text/plain;base64",
                "php://input, expect:// and data:// streams: the include reads code from the request."),
        Pattern("serialized-object", _S.HIGH, r"\bo:\d+:\"[\w\\]+\":\d+:\{|\ba:\d+:\{[sio]:\d+",
                "A serialized PHP object (object injection into unserialize())."),
    )  # fmt: skip
