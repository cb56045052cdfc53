"""SQL injection: the grammar of a query breaking out of a value, not SQL words on their own.

"select", "union", "or" and "like" are ordinary words in Indonesian and English URLs; every rule here needs
the syntax around them (a quote closed before a boolean, a comparison, a function call, a comment ending
the query). Comments are blanked first (`/**/` is how attackers write a space); the evasion family looks at
the comments themselves.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from jagaweb.logwatch.detect.base import Family, Pattern
from jagaweb.logwatch.detect.kinds import Category, Severity
from jagaweb.logwatch.detect.normalise import only_where

_QUOTE = r"""['"`]"""
_COMPARE = r"(?:=|<=>|<>|!=|>=?|<=?|\blike\b|\bglob\b|\bregexp\b|\brlike\b|\bbetween\b|\bis\b|\bin\s*\()"
# Something that can follow a boolean operator in an injected condition: a number, a parenthesis, a quoted
# string or a name that is itself compared or called (a bare name is prose: "students' and teachers").
_OPERAND = (
    r"""(?:[\d(@!-]|['`][^'`]{0,40}['`]?|(?:true|false|null)\b|[a-z_][\w.$]{0,40}\s*(?:""" + _COMPARE
    + r"""|[(,!<>-]))"""
)
_FUNCTIONS_STRONG = (
    r"load_file|extractvalue|updatexml|group_concat|concat_ws|name_const|make_set|json_(?:extract|search|array|"
    r"object|keys|contains|value|query|set|insert|replace|remove|unquote|build_object)|jsonb_\w+|starts_with|unistr|"
    r"lo_(?:import|export|get|put|from_bytea|open)|pg_(?:read_file|ls_dir|stat_file|read_binary_file|sleep|user|"
    r"database|shadow|tables|namespace)|openrowset|opendatasource|openquery|utl_(?:http|inaddr|file)|dbms_\w+|sys_eval|sys_exec|sqlite_version|"
    r"current_setting|pg_ls_dir|string_agg|array_to_string|string_to_array|quote_ident|quote_literal"
)
_CATALOGUES = (
    r"information_schema|pg_catalog|sysobjects|syscolumns|sysdatabases|sysusers|msysaccessobjects|msysobjects|"
    r"mysql\.user|mysql\.db|sqlite_master|sqlite_schema|all_tables|user_tables|user_tab_columns|all_tab_columns|"
    r"master\.\.sysdatabases|@@version|@@datadir|@@hostname|@@basedir|msdasql|sqloledb|xp_cmdshell|xp_dirtree|"
    r"xp_regread|xp_fileexist|xp_servicecontrol|sp_executesql|sp_oacreate|sp_makewebtask|sp_addextendedproc|sp_password"
)
_WEAK_FUNCTIONS = (
    r"concat|char|chr|ascii|substr|substring|mid|hex|unhex|ord|length|cast|convert|if|ifnull|elt|rand|floor|"
    r"count|user|database|version|schema|sleep|benchmark|exp"
)
# Statement words that can follow a ";" in an injection ("call", "load" and the like are left out: after a
# semicolon in prose they are ordinary words).
_STATEMENTS = (
    r"select|insert|update|delete|drop|truncate|alter|create|exec|execute|declare|shutdown|replace|grant|revoke|"
    r"waitfor|sleep|benchmark|set\s+@"
)
_TYPES = (
    r"int[248]?|integer|bigint|smallint|text|bool|boolean|jsonb?|double\s+precision|numeric|varchar|char|regclass|"
    r"oid|bytea|float[48]?|real|name|xml"
)
_OVERFLOW = (
    r"4294967296|4294967295|2147483648|18446744073709551615|18446744073709551616|9223372036854775807|"
    r"9223372036854775808|2\.2250738585072011e-308"
)

_S = Severity


class SqlInjectionFamily(Family):
    category = Category.SQLI
    # "infile", not "load", for LOAD DATA INFILE: "load" is in every /uploads/ path
    tokens: ClassVar[tuple[str, ...]] = (
        "'", '"', "`", ")", ";", "::", "||", "[$", "$where", "{", "<", ">", "!=", "0x", "union", "select", "except",
        "intersect", "minus", "sleep", "benchmark", "waitfor", "randomblob", "dbms_", "insert", "delete", "drop",
        "truncate", "alter", "create", "update", "exec", "declare", "shutdown", "merge", "handler", "grant", "infile",
        "into", "having", "order by", "group by", "case when", "if(", "if (", "iif", "like", "rlike", "regexp",
        "glob", "div(", "div (", " is not ", "overlay", "information_schema", "pg_", "sys", "mysql.", "sqlite_",
        "all_tab", "user_tab", "@@", "msdasql", "sqloledb", "load_file", "extractvalue", "updatexml", "concat",
        "name_const", "make_set", "json", "starts_with", "unistr", "lo_", "xp_", "sp_", "open", "utl_",
        "current_setting", "string_", "array_", "quote_", "4294967", "2147483648", "18446744073709551",
        "922337203685477580", "2.2250738585072011e-308",
        *(f"{digit}{space}=" for digit in "0123456789" for space in ("", " ")),
        *(f"{before}{word} " for word in ("or", "and", "xor", "having", "where") for before in " (=,/;?&"),
        *(f"{before}{word}" for word in ("or", "xor", "and") for before in "/?&=,"),
    )  # fmt: skip
    patterns = (
        Pattern("union-select", _S.HIGH, r"union[\s(]*(?:all|distinct)?[\s(]*select(?:[^a-z_]|from|$)|"
                r"\bunion\s+(?:all|distinct)\b",
                "UNION SELECT: the attacker's query glued to the application's one."),
        Pattern("set-operation", _S.HIGH, r"\b(?:union|except|intersect|minus)\s+(?:all\s+|distinct\s+)?"
                r"(?:select|values)\b|\bunion\s+(?:all\s+)?values\s*\(",
                "EXCEPT/INTERSECT/UNION VALUES: another way of appending a query."),
        Pattern("select-from", _S.HIGH,
                r"""\bselect\b[\s(]*(?:[\w@$.*`"'\[\](),\s-]){1,150}?\bfrom\b\s*(?:[\w`"\[(@#]|$)|"""
                r"""\b(?:in|exists)\s*\(+\s*select\b|\(\s*select\s*[\w@*'"(]|\)\s*as\s+[\w'"`]+\s+from\b|"""
                r"""\bselect\s*\(?\s*(?:user|current_user|database|schema|version|system_user|session_user)\s*\(""",
                "SELECT ... FROM and sub-queries (IN (SELECT ...)) inside a parameter."),
        Pattern("time-delay", _S.HIGH, r"\b(?:sleep|benchmark|pg_sleep|randomblob|dbms_lock\.sleep|"
                r"dbms_pipe\.receive_message)\s*\(|\bpg_sleep\b|\bwaitfor\s+(?:delay|time)\b",
                "SLEEP/BENCHMARK/WAITFOR DELAY: blind injection timing the answer."),
        Pattern("stacked-query", _S.HIGH, r";\s*(?:" + _STATEMENTS + r")\b",
                "A second statement after a semicolon."),
        Pattern("statement", _S.HIGH, r"\b(?:insert\s+into\s+[\w`\"\[\].]+\s*(?:\(|values\b|select\b|set\b)|"
                r"delete\s+from\s+[\w`\"\[\].]+\s*(?:where\b|;|--|#)|(?:drop|truncate)\s+(?:table|database|schema|view|"
                r"function|procedure|trigger|user|index)\s+(?:if\s+exists\s+)?[\w`\"\[\].]+\s*(?:;|--|#)|"
                r"alter\s+(?:table|user|database)\s+[\w`\"\[\].]+\s+(?:add|drop|modify|change|rename|alter|identified)\b|"
                r"create\s+(?:table|function|procedure|trigger|user|database|view|or\s+replace)\s+[\w`\"\[\].]+\s*"
                r"(?:\(|as\b|returns\b|identified\b|;)|update\s+[\w`\"\[\].]+\s+set\s+[\w`\"]+\s*=|grant\s+\w+\s+on\b|"
                r"exec(?:ute)?\s+(?:master\.|xp_|sp_|immediate)|declare\s+@\w+|shutdown\s+with\s+nowait|"
                r"merge\s+into\s+\S+\s+using\b|handler\s+\w+\s+open\b|load\s+data\s+(?:local\s+)?infile\b|"
                r"into\s+(?:out|dump)file\b)",
                "A data-changing or schema statement written out (INSERT INTO t VALUES, DROP TABLE t;, EXECUTE"
                " IMMEDIATE)."),
        Pattern("quote-boolean", _S.HIGH, r"['`]\s*(?:(?:or|and|xor|div|not|glob|like|rlike|regexp)\b|\|\||&&)\s*"
                + _OPERAND + r"|\)\s*(?:(?:or|and|xor)\b|\|\||&&)\s*[\d'\"(@]",
                "A quote (or parenthesis) closed, then OR/AND and a condition: the classic ' OR '1'='1."),
        Pattern("dquote-boolean", _S.HIGH, r"\"\s*(?:(?:or|and|xor|div|glob)\b|\|\||&&)\s*"
                r"(?:[\d(@]|\"\d|[a-z_][\w.$]{0,40}"
                r"\s*(?:" + _COMPARE + r"|[(!<>]))",
                "A double quote closed, then a boolean and a condition."),
        Pattern("value-boolean", _S.MEDIUM,
                r"""[/?&=,](?:or(?:\s+[\d'"(]|['"(])|xor\s*[\d'"(]|and(?:\s+[\d'"]|['"]))""",
                "A value that starts with OR/XOR and an operand, as in id=or 1."),
        Pattern("boolean-compare", _S.MEDIUM, r"""\b(?:or|and|xor|having|where)\s+(?:not\s+)?['"]?[\w@.]{1,30}['"]?"""
                r"""\s*(?:=|<=>|<>|!=|>=?|<=?)\s*['"]?[\w@(-]""",
                "OR/AND followed by a comparison, as in 1 OR 1=1."),
        Pattern("tautology", _S.LOW, r"(?:^|[=,(])\s*-?\d+\s*(?:=|<=>|!=|<>)\s*-?\d+\b|"
                r"(?:^|[=,(])\s*\d+\s+is\s+not\s+\d+\b|"
                r"""['"][^'"&]{0,20}['"]\s*(?:=|<=>|!=|<>|\blike\b)\s*['"]""",
                "A comparison of two numbers or two quoted strings as a value (a=1=1, '1'='1)."),
        Pattern("sql-function", _S.HIGH, r"\b(?:" + _FUNCTIONS_STRONG + r")\s*\(|\b(?:" + _CATALOGUES + r")\b|"
                r"(?s:\boverlay\s*\(.{0,80}\bplacing\b)|\bdiv\s*\(\s*-?\d",
                "Database functions and catalogues that only an injected query asks for."),
        Pattern("quote-function", _S.HIGH, r"""['"][\s)|+,=(-]*(?:""" + _WEAK_FUNCTIONS + r""")\s*\(""",
                "A quote closed, then a SQL function call."),
        Pattern("type-cast", _S.HIGH, r"[\w')\]]\s*::\s*(?:" + _TYPES + r")\b",
                "A PostgreSQL cast (password::int): error-based extraction."),
        Pattern("json-operator", _S.MEDIUM, r"""['"]\s*(?:<@|@>|\?[|&]?|->>?|#>>?|#-|@\?|@@|<|>)\s*['"]""",
                "A JSON or comparison operator between two quoted strings."),
        Pattern("conditional", _S.HIGH, r"\bif\s*\(\s*[^()]{0,60}?(?:[=<>!]|\bnow\s*\(|\bselect\b)|\bselect\s+if\s*\(|"
                r"\bcase\s+when\b.{0,80}?\bthen\b|\biif\s*\(",
                "IF(...)/CASE WHEN: a condition for blind injection."),
        Pattern("clause", _S.MEDIUM, r"\border\s+by\s+(?:\d+\s*(?:--|#|,|$|asc\b|desc\b)|if\s*\(|case\b|\(\s*select|"
                r"sleep|rand\s*\()|\bgroup\s+by\b.{0,80}?\bhaving\b|\bhaving\s+(?:count|sum|min|max|avg)?\s*\(?"
                r"[\w*.`]+\)?\s*(?:[=<>]|!=|like\b|between\b)",
                "ORDER BY n, GROUP BY ... HAVING: column counting and conditions."),
        Pattern("like-operator", _S.MEDIUM, r"""\)\s*(?:like|rlike|regexp|glob)\s*\(|\b(?:like|rlike|regexp)\s+"""
                r"""(?:null\b|binary\b|0x)|\b(?:like|rlike|glob|regexp)\s+['"](?:%|_|\s*$)""",
                "LIKE/REGEXP used on injected operands."),
        Pattern("comment-ending", _S.HIGH, r"""['"`]\s*(?:--|#|/\*)|;\s*(?:--|#)|['"`]\s*;\s*(?:$|[#'"(]|--|/\*|"""
                r"""[a-z_]+\s*['"(@]|(?:""" + _STATEMENTS + r""")\b)""",
                "A quote closed and the rest of the query commented out, or the statement ended (admin';--)."),
        Pattern("quote-then-comment", _S.HIGH, r"""['"`][^'"`&]{0,80}?(?:--[\s-]*|#\s*)(?:$|&)""",
                "A quote, a little SQL, and a comment cutting off the rest of the query (x' or a notnull--)."),
        Pattern("nosql-operator", _S.HIGH, r"\[\s*\$(?:ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|or|and|not|"
                r"nor|elemmatch|expr|type|mod|all|size|text)\s*\]|\$where\b|\{\s*['\"]?\$(?:ne|gt|gte|lt|regex|where)\b",
                "MongoDB operators in a parameter (u_id[$ne]=1)."),
        Pattern("string-concat", _S.MEDIUM, r"""[\d'"]\s*\|\|\s*[\w'"(]|\w['"`]\s+['"`]\s*\w""",
                "|| concatenation after a number or quote, and adjacent string literals ('1' '2')."),
        Pattern("hex-argument", _S.MEDIUM, r"[,(]\s*0x[0-9a-f]{2,}\s*[,)]",
                "A hexadecimal literal as a function argument, as in concat(user,0x3a,password)."),
        Pattern("overflow-number", _S.LOW, r"(?:^|[^\d.])(?:" + _OVERFLOW + r")(?:$|[^\d])",
                "Numbers that overflow 32/64-bit integers or hang old PHP float parsing."),
    )  # fmt: skip

    def prepared(self, text: pl.Series) -> pl.Series:
        # MySQL runs what is inside /*! */, so only the markers go; other comments are whitespace to SQL,
        # including a line comment cut short by a new line ("union#\nselect").
        def uncommented(part: pl.Series) -> pl.Series:
            part = part.str.replace_all(r"/\*!\d*", " ").str.replace_all(r"(?s)/\*.*?\*/", " ")
            part = part.str.replace_all(r"(?:#|--)[^\n]*\n", " ")
            return part.str.replace_all("*/", " ", literal=True)

        return only_where(text, text.str.contains_any(["/*", "*/", "\n"]), uncommented)
