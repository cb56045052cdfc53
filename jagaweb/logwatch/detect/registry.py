"""The one list of request rule families, in the order their findings are preferred."""

from __future__ import annotations

from jagaweb.logwatch.detect.base import Family
from jagaweb.logwatch.detect.command import CommandFamily
from jagaweb.logwatch.detect.exploit import ExploitFamily
from jagaweb.logwatch.detect.php_code import PhpCodeFamily
from jagaweb.logwatch.detect.probing import ProbingFamily
from jagaweb.logwatch.detect.remote_include import RemoteIncludeFamily
from jagaweb.logwatch.detect.scanner import ScannerFamily
from jagaweb.logwatch.detect.sensitive_files import SensitiveFileFamily
from jagaweb.logwatch.detect.sql_evasion import SqlEvasionFamily
from jagaweb.logwatch.detect.sql_injection import SqlInjectionFamily
from jagaweb.logwatch.detect.traversal import TraversalFamily
from jagaweb.logwatch.detect.webshell import WebshellFamily
from jagaweb.logwatch.detect.xss import XssFamily

FAMILIES: tuple[Family, ...] = (
    ExploitFamily(),
    WebshellFamily(),
    CommandFamily(),
    PhpCodeFamily(),
    SqlInjectionFamily(),
    SqlEvasionFamily(),
    XssFamily(),
    TraversalFamily(),
    RemoteIncludeFamily(),
    SensitiveFileFamily(),
    ScannerFamily(),
    ProbingFamily(),
)
