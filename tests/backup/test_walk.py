"""The walk of a backup: excludes, compiled once, match exactly as fnmatch on the path and the name."""

import fnmatch

import pytest

from jagaweb.backup.store.walk import compile_excludes


@pytest.mark.parametrize("path", ["webroot/a/b.tmp", "webroot/wp-content/cache/x", "webroot/web.swp", "x/[y]/z",
                                  "webroot/sites/s1/files/css/a.css", "webroot/sitesx", "a/b"])
def test_compiled_excludes_match_as_fnmatch_does(path):
    patterns = ["*.tmp", "webroot/wp-content/cache/*", "*.swp", "webroot/sites/*/files/css/*", "[!/]", "a", "x/[[]y]*"]
    excludes = compile_excludes(tuple(patterns))
    name = path.rsplit("/", 1)[-1]
    expected = any(fnmatch.fnmatchcase(path, p) or fnmatch.fnmatchcase(name, p) for p in patterns)
    assert excludes.path is not None and excludes.name is not None
    assert bool(excludes.path(path) or excludes.name(name)) == expected
