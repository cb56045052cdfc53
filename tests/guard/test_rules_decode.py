"""The helpers under the rules: decoding hidden strings, removing comments, following request input."""

from __future__ import annotations

import base64
import time
import zlib

from jagaweb.guard.rules.decode import MAX_OUTPUT, decode_hidden
from jagaweb.guard.rules.php import INPUT_RE, strip_comments, taint_scopes, tainted_at


def test_decodes_each_way_of_hiding() -> None:
    escaped = "".join(f"\\x{b:02x}" for b in b"assert")
    octal = "".join(f"\\{b:o}" for b in b"system")
    blob = base64.b64encode(b"eval($_POST['x']); // fixture").decode()
    deflated = base64.b64encode(zlib.compress(b"shell_exec('id'); // fixture")[2:-4]).decode()
    chrs = ".".join(f"chr({b})" for b in b"passthru")
    code = (
        f'<?php $a = "{escaped}"; $b = "{octal}"; $c = \'{blob}\'; $d = "{deflated}";\n'
        f"$e = {chrs}; $f = 'base' . '64_' . 'decode'; $g = strrev('edoced_46esab'); $h = str_rot13('riny');"
    )
    found = decode_hidden(code)
    for word in ("assert", "system", "eval($_post", "shell_exec", "passthru", "base64_decode", "eval"):
        assert any(word in piece for piece in found), word


def test_nested_layers_are_decoded() -> None:
    inner = base64.b64encode(b"eval($_GET['q']); // fixture").decode()
    outer = base64.b64encode(f"$x = '{inner}';".encode()).decode()
    assert any("eval($_get" in piece for piece in decode_hidden(f"<?php $o = '{outer}';"))


def test_decoding_is_bounded() -> None:
    blob = base64.b64encode(b"A" * 1_000_000).decode()
    found = decode_hidden(("<?php $x = '" + blob + "';\n") * 8)
    assert sum(map(len, found)) <= MAX_OUTPUT


def test_code_between_two_quotes_is_not_taken_for_an_escaped_string() -> None:
    code = '<?php $a = "x"; preg_replace( "/\\\\1/", "\\\\2", $b ); call_user_func( $c ); $d = "y";'
    assert not any("call_user_func" in piece for piece in decode_hidden(code))


def test_strip_comments_keeps_strings_html_and_lines() -> None:
    code = (
        "<p># not a comment</p><?php // note system($_GET[1])\n"
        "$u = 'http://x'; /* a\nb */ eval($s); ?># html <?php echo 1; # tail\n"
    )
    stripped = strip_comments(code)
    assert "note" not in stripped and "tail" not in stripped
    assert "'http://x'" in stripped and "eval($s)" in stripped and "<p># not a comment</p>" in stripped
    assert "?># html <?php" in stripped
    assert stripped.count("\n") == code.count("\n")


def test_strip_comments_is_linear_on_unbalanced_quotes() -> None:
    started = time.perf_counter()
    strip_comments("<?php " + "\\'" * 200_000 + '"' + "x" * 100 + "//" * 50_000)
    assert time.perf_counter() - started < 5


def test_taint_follows_assignments_in_order_and_per_function() -> None:
    code = (
        "<?php $cmd = $_POST['c']; $copy = 'ls ' . $cmd; system($copy);\n"
        "$copy = 'date'; exec($copy);\n"
        "function other() { system($copy); }\n"
        "$row = $table[$_GET['k']]; $row();\n"
    ).lower()  # the rules read lower-cased code
    scopes = taint_scopes(code)
    assert {"cmd", "copy"} <= tainted_at(scopes, code.index("system($copy)"))
    assert "copy" not in tainted_at(scopes, code.index("exec($copy)"))  # reassigned with a constant
    assert "copy" not in tainted_at(scopes, code.index("function other") + 25)
    assert "row" not in tainted_at(scopes, code.index("$row()"))  # a lookup keyed by input is not input


def test_http_host_is_not_request_input() -> None:
    assert INPUT_RE.search("$_server['http_host']") is None
    assert INPUT_RE.search("$_server['http_user_agent']") is not None
