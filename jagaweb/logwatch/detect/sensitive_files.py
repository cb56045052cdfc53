"""Sensitive-file probing: secrets, version-control folders, configuration backups, dumps and debug pages.

Asking is the probe; a 2xx answer means the file was there, which raises the severity to critical or high.
"""

from __future__ import annotations

from typing import ClassVar

from jagaweb.logwatch.detect.base import Family, Pattern, Source
from jagaweb.logwatch.detect.kinds import Category, Severity

_S = Severity
_PATH = frozenset({Source.PATH})
_TARGET = frozenset({Source.TARGET})
_CODE_OR_CONFIG = r"php\d?|inc|asp|aspx|jsp|py|rb|pl|conf|config|cfg|ini|ya?ml|json|xml|env|sql|sh|js|ts|toml"
_BACKUP_SUFFIX = r"(?:[._-]|\.\w+\.)?(?:bak|backup|bck|old|orig|original|save|saved|swp|swo|tmp|temp|copy|dist)"
_DUMP_NAMES = (
    r"backup|backups|bak|dump|db|database|sql|mysql|site|www|web|wwwroot|htdocs|public_html|html|old|archive|src|"
    r"source|website|data|home|admin|wp|wordpress|joomla|laravel|[\w.-]+\.(?:com|net|org|id|go\.id|ac\.id|co\.id|"
    r"sch\.id|desa\.id|web\.id|my\.id|or\.id)"
)


class SensitiveFileFamily(Family):
    category = Category.SENSITIVE_FILE
    tokens: ClassVar[tuple[str, ...]] = (
        # .htaccess, .htpasswd, .htdigest (".ht" alone is in every .html)
        ".env", ".git", ".svn", ".hg", ".bzr", "cvs/", ".hta", ".htp", ".htd", ".user.ini", "_history", ".bashrc",
        ".profile", ".ssh", ".aws", ".azure", ".docker", ".kube", ".npmrc", ".pypirc", ".netrc", ".pgpass", ".my.cnf",
        ".ds_store", ".vscode", ".idea", "sftp-config", "ftp-config", "~", ".bak", ".backup", ".bck", ".old",
        ".orig", ".save", ".swp", ".swo", ".tmp", ".temp", ".copy", ".dist", "_bak", "-bak", "_old", "-old",
        ".php.", ".sql", ".zip", ".rar", ".7z", ".tar", ".tgz", ".gz", ".bz2", ".dump",
        "phpinfo", "php_info", "pinfo", "phpversion", "info.php", "test.php", "i.php", "php.php",
        "server-status", "server-info", "elmah", "trace.axd", "actuator", "_profiler", "debug", "_debugbar",
        "telescope", ".log", "_log", "-log", "logs/", "web.config", "web.xml", "web-inf", "meta-inf", "composer.",
        "package.json",
        "package-lock", "yarn.lock", "docker-compose", "dockerfile", "id_rsa", "id_dsa", "id_ecdsa",
        "id_ed25519", "wp-config", "configuration.php", "localsettings", "config.", "settings.", "secret",
        "credentials", "parameters.", "database.", "=php", "app/etc", "settings.php", ".gitlab-ci", ".travis",
        ".dockerenv", ".circleci",
    )  # fmt: skip
    patterns = (
        Pattern("environment-file", _S.HIGH, r"/\.env(?:\.[\w-]+)?(?:/|$)",
                "A .env file: database passwords and API keys of frameworks such as Laravel.",
                sources=_PATH, served=_S.CRITICAL),
        Pattern("version-control", _S.HIGH, r"/\.(?:git|svn|hg|bzr)(?:/|$)|/\.git(?:ignore|config|-credentials)$|"
                r"/cvs/(?:root|entries|repository)$",
                ".git/, .svn/ and other version-control folders: the whole source, history included.",
                sources=_PATH, served=_S.CRITICAL),
        Pattern("secret-dotfile", _S.HIGH, r"/\.(?:htpasswd|htdigest|bash_history|zsh_history|sh_history|"
                r"mysql_history|psql_history|bashrc|profile|ssh/|aws/|azure/|docker/|kube/|npmrc|pypirc|netrc|"
                r"pgpass|my\.cnf|vscode/sftp\.json|ftpconfig|sftp-config\.json|git-credentials)|"
                r"/(?:sftp|ftp)-config\.json$|/(?:id_rsa|id_dsa|id_ecdsa|id_ed25519)(?:\.pub)?$",
                "Password files, shell histories, cloud and deployment credentials.",
                sources=_PATH, served=_S.CRITICAL),
        Pattern("server-config", _S.MEDIUM, r"/\.(?:htaccess|user\.ini|ds_store|idea/|vscode/)|/web\.config$|"
                r"/web-inf/|/meta-inf/|/(?:composer\.(?:json|lock)|package(?:-lock)?\.json|yarn\.lock|"
                r"docker-compose\.ya?ml|dockerfile|\.gitlab-ci\.yml|\.travis\.yml|\.dockerenv)$|/\.circleci/",
                "Server and build configuration that maps the application (.htaccess, web.config, composer.json).",
                sources=_PATH, served=_S.HIGH),
        Pattern("config-backup", _S.HIGH, r"\.(?:" + _CODE_OR_CONFIG + r")" + _BACKUP_SUFFIX + r"$|"
                r"\.(?:" + _CODE_OR_CONFIG + r")~$|/\.[^/]+\.(?:swp|swo)$",
                "An editor or backup copy of code or configuration (wp-config.php.bak, index.php~, .x.php.swp):"
                " the web server sends it as text.", sources=_PATH, served=_S.CRITICAL),
        Pattern("config-file", _S.MEDIUM, r"/(?:wp-config|configuration|localsettings|config|settings|secrets?|"
                r"credentials|parameters|database|db|app|application)\.(?:ya?ml|ini|env|toml|properties|inc|cfg|conf)$|"
                r"/(?:wp-config|configuration|localsettings)\.php\.\w+$|/wp-config\.(?:php|txt|inc|dist|zip|tar|gz)$|"
                r"/app/etc/(?:local|env)\.(?:xml|php)$|/sites/default/settings\.php$",
                "A configuration file asked for directly.", sources=_PATH, served=_S.HIGH),
        # Archives by backup-like names near the web root (open-data downloads deeper down are often data.zip).
        Pattern("dump-or-archive", _S.MEDIUM, r"^/(?:[^/]+/)?(?:" + _DUMP_NAMES + r")\.(?:sql|zip|rar|7z|tar|tar\.gz|"
                r"tgz|gz|bz2|bak|dump)(?:\.gz|\.zip|\.bz2)?$|\.sql(?:\.gz|\.zip|\.bz2|\.xz|\.7z)?$",
                "A database dump or a site archive near the web root (backup.zip, db.sql, example.go.id.tar.gz).",
                sources=_PATH, served=_S.CRITICAL),
        Pattern("phpinfo", _S.MEDIUM, r"/(?:phpinfo|php_info|pinfo|infophp|phpversion)(?:\.php)?(?:$|\?)|"
                r"/(?:info|test|i|php|p|tes|check)\.php$|\?=php[0-9a-f]{8}-",
                "phpinfo() pages and PHP's credits probes: versions, paths and settings.",
                sources=_TARGET, served=_S.HIGH),
        Pattern("debug-endpoint", _S.MEDIUM, r"/server-(?:status|info)(?:/|$)|/(?:elmah|trace)\.axd|"
                r"/actuator(?:/|$)|/_profiler/|/debug/(?:default|pprof|vars)|/_debugbar|/telescope/|"
                r"/(?:wp-content/)?debug\.log$|/(?:error|debug|access|laravel|php_errors?)[._-]?log(?:\.txt)?$|"
                r"/storage/logs/|/error_log$",
                "Status pages, debuggers and log files left reachable.", sources=_PATH, served=_S.HIGH),
    )  # fmt: skip
