"""Command injection: shell syntax that chains or substitutes a command, Shellshock, template injection.

A command name alone is an ordinary word ("cat", "id"); it counts after a shell separator (; | ` $( && ||)
and when followed by an argument or the end of the value, never after "&" (every query has "&id=").
"""

from __future__ import annotations

from typing import ClassVar

from jagaweb.logwatch.detect.base import Family, Pattern, Source
from jagaweb.logwatch.detect.kinds import Category, Severity

_S = Severity
_COMMANDS = (
    r"cat|ls|id|whoami|uname|wget|curl|nc|ncat|netcat|bash|sh|zsh|ksh|dash|python[\d.]*|perl|ruby|php|chmod|chown|"
    r"rm|echo|ping|nslookup|dig|telnet|powershell|cmd(?:\.exe)?|certutil|busybox|tftp|sleep|base64|ifconfig|"
    r"ipconfig|netstat|systeminfo|useradd|crontab|mkfifo|socat|lwp-download|nohup|uptime|printenv|passwd|"
    r"net\s+user|cd\s+[/~.]|(?:/usr)?/s?bin/\w+"
)
_AFTER_COMMAND = r"""(?:\s|$|[;|&<>'"`)$])"""


class CommandFamily(Family):
    category = Category.RCE
    tokens: ClassVar[tuple[str, ...]] = (
        ";", "|", "`", "$(", "${", "$ifs", "&&", "cmd=", "command=", "exec=", "execute=", "shell=", "system=",
        "cli=", "\n", "\r", "() {", "(){", "wget", "curl", "tftp", "fetch",
        "lwp-download", "/bin/", "/dev/tcp", "/dev/udp", "sh -", "bash -", "nc -", "powershell", "cmd", "chmod",
        "rm -", "mkfifo", "python", "perl -e", "busybox", "{{", "#{", "<%",
    )  # fmt: skip
    patterns = (
        Pattern("shellshock", _S.CRITICAL, r"\(\s*\)\s*\{[^}]{0,40}\}",
                "Shellshock: a bash function definition in a header or parameter (() { :; };)."),
        Pattern("command-chain", _S.HIGH, r"(?:[;|`\n\r]|&&|\|\||\$\()\s*(?:" + _COMMANDS + r")" + _AFTER_COMMAND,
                "A shell command after a separator (;id, |cat /etc/passwd, $(whoami)).",
                sources=frozenset({Source.TARGET, Source.REFERER})),
        # User agents separate their parts with ";" and name the locale there ("U; id)" is Indonesian).
        Pattern("agent-command-chain", _S.HIGH, r"(?:[|`\n\r]|&&|\|\||\$\()\s*(?:" + _COMMANDS + r")"
                + _AFTER_COMMAND, "A shell command after a separator in the User-Agent.",
                sources=frozenset({Source.AGENT})),
        Pattern("command-parameter", _S.HIGH, r"[?&](?:cmd|command|exec|execute|shell|system|cli)=\s*(?:"
                + _COMMANDS + r")(?:\s|$|&|[;|])",
                "A parameter named for a command holding one (?cmd=id, ?exec=uname -a)."),
        Pattern("download-and-run", _S.HIGH, r"\b(?:wget|curl|tftp|fetch|lwp-download)\s+(?:-[\w-]+\s+(?:\S+\s+)?)*"
                r"['\"]?(?:https?|ftp|tftp)://",
                "wget/curl fetching a URL: downloading a payload to run."),
        Pattern("shell-invocation", _S.HIGH, r"/bin/(?:ba|z|k|da)?sh\b|/dev/(?:tcp|udp)/|\b(?:ba)?sh\s+-[ci]\b|"
                r"\bnc(?:at)?\s+(?:-\w+\s+)*-e\b|\bpowershell(?:\.exe)?\s+-(?:e|enc|encodedcommand|nop|w|c|exec)\b|"
                r"\bcmd(?:\.exe)?\s*/[ck]\b|\bchmod\s+(?:[0-7]{3,4}|\+?x|u\+x)\s|\brm\s+-rf\b|\bmkfifo\b|"
                r"\bpython[\d.]*\s+-c\b|\bperl\s+-e\b|\bbusybox\s+\w",
                "A shell, reverse shell or destructive command spelled out."),
        Pattern("shell-evasion", _S.HIGH, r"\$\{?ifs\}?|\$\(\s*[a-z]|`\s*(?:" + _COMMANDS + r")" + _AFTER_COMMAND,
                "$IFS as a space, $(...) and backtick command substitution."),
        Pattern("template-injection", _S.HIGH, r"\{\{\s*\d+\s*[*+\s]\s*\d+\s*\}\}|\$\{\s*\d+\s*[*+\s]\s*\d+\s*\}|"
                r"#\{\s*\d+\s*[*+\s]\s*\d+\s*\}|<%=?\s*\d+\s*[*+\s]\s*\d+\s*%>|\{\{[^}]{0,80}(?:__class__|"
                r"__globals__|__builtins__|__subclasses__|__import__|config\.items|request\.application|"
                r"lipsum\.|cycler\.|joiner\.)",
                "Server-side template injection: {{7*7}} probes and Jinja/Twig object walks."),
    )  # fmt: skip
