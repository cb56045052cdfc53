"""File rules: one module per kind of evidence, one class per module, and the registry of all of them.

`scan_file` (jagaweb.guard.files) runs every rule that applies to a file and adds up their hits.
"""

from __future__ import annotations

from jagaweb.guard.rules.base import FileContext, FileKind, Hit, Rule
from jagaweb.guard.rules.binary_php import BinaryPhpRule
from jagaweb.guard.rules.cloaking_code import CloakingCodeRule
from jagaweb.guard.rules.defacement import DefacementRule
from jagaweb.guard.rules.file_writes import FileWriteRule
from jagaweb.guard.rules.gambling import GamblingRule
from jagaweb.guard.rules.hidden_links import HiddenLinksRule
from jagaweb.guard.rules.htaccess_cloaking import HtaccessCloakingRule
from jagaweb.guard.rules.obfuscation import ObfuscationRule
from jagaweb.guard.rules.password_gate import PasswordGateRule
from jagaweb.guard.rules.php_handler import PhpHandlerRule
from jagaweb.guard.rules.php_in_media import PhpInMediaRule
from jagaweb.guard.rules.remote_content import RemoteContentRule
from jagaweb.guard.rules.script_redirect import ScriptRedirectRule
from jagaweb.guard.rules.symlink import SymlinkRule
from jagaweb.guard.rules.upload_location import UploadLocationRule
from jagaweb.guard.rules.verification_file import VerificationFileRule
from jagaweb.guard.rules.webshell import WebshellRule

RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        UploadLocationRule(),
        HtaccessCloakingRule(),
        PhpHandlerRule(),
        CloakingCodeRule(),
        ScriptRedirectRule(),
        RemoteContentRule(),
        ObfuscationRule(),
        WebshellRule(),
        PasswordGateRule(),
        FileWriteRule(),
        GamblingRule(),
        DefacementRule(),
        HiddenLinksRule(),
        VerificationFileRule(),
        BinaryPhpRule(),
        PhpInMediaRule(),
        SymlinkRule(),
    )
}

__all__ = ["RULES", "FileContext", "FileKind", "Hit", "Rule"]
