"""The walk of a backup: excludes, compiled once, match exactly as fnmatch on the path and the name; folders
read by the compiled reader and by Python alike."""

import contextlib
import errno
import fnmatch
import os
import stat
from pathlib import Path

import pytest

from jagaweb.backup.store import walk
from jagaweb.backup.store.repository import Repository
from jagaweb.backup.store.walk import compile_excludes
from jagaweb.backup.targets.local import LocalTarget
from tests.backup.test_store import backup, make_tree


@pytest.mark.parametrize("path", ["webroot/a/b.tmp", "webroot/wp-content/cache/x", "webroot/web.swp", "x/[y]/z",
                                  "webroot/sites/s1/files/css/a.css", "webroot/sitesx", "a/b"])
def test_compiled_excludes_match_as_fnmatch_does(path):
    patterns = ["*.tmp", "webroot/wp-content/cache/*", "*.swp", "webroot/sites/*/files/css/*", "[!/]", "a", "x/[[]y]*"]
    excludes = compile_excludes(tuple(patterns))
    name = path.rsplit("/", 1)[-1]
    expected = any(fnmatch.fnmatchcase(path, p) or fnmatch.fnmatchcase(name, p) for p in patterns)
    assert excludes.path is not None and excludes.name is not None
    assert bool(excludes.path(path) or excludes.name(name)) == expected


# ---- the folder reader: compiled and in Python, the same listing ----

NOT_BUILT = "jagaweb.backup.store._native is not built (no C compiler when JagaWeb was installed)"
FIELDS = ("st_mode", "st_ino", "st_dev", "st_nlink", "st_uid", "st_gid", "st_size", "st_atime_ns", "st_mtime_ns",
          "st_ctime_ns")


@pytest.fixture(params=["native", "python"])
def reading(request, monkeypatch):
    """Each test runs with the compiled reader (required under CI) and with os.listdir and os.stat."""
    if request.param == "native":
        if walk.native is None:
            if os.environ.get("CI"):
                pytest.fail(NOT_BUILT, pytrace=False)
            pytest.skip(NOT_BUILT)
    else:
        monkeypatch.setattr(walk, "native", None)
    return request.param


def odd_folder(root: Path) -> Path:
    """Names and metadata a web root can hold: many names, non-ASCII and undecodable ones, links, a FIFO,
    times before 1970 and past 2262 (beyond 64-bit nanoseconds)."""
    root.mkdir()
    for number in range(300):  # past the reader's first buffers
        (root / page(number)).write_text(str(number))
    (root / "berita-ñandú-日本.php").write_text("<?php ?>")
    (root / "empty").write_bytes(b"")
    (root / "folder").mkdir()
    (root / "link").symlink_to("empty")
    (root / "dangling").symlink_to("nowhere")
    os.link(root / "empty", root / "hard")
    os.mkfifo(root / "pipe")
    undecodable = os.path.join(os.fsencode(root), b"bad-\xff\xfe.txt")
    with open(undecodable, "wb") as handle:
        handle.write(b"x")
    os.utime(root / page(0), ns=(-86_400 * 10**9 - 1, -1))
    with contextlib.suppress(OSError):  # a file system without such times
        os.utime(root / page(1), ns=(2**63 + 5, 13_000_000_000 * 10**9 + 7))
    return root


def page(number: int) -> str:
    return f"page-{number:03d}-{'x' * 40}.html"


def as_values(listing):
    return [(name, st if isinstance(st, int) else tuple(getattr(st, field) for field in FIELDS))
            for name, st in listing]


def test_the_compiled_reader_lists_a_folder_as_os_listdir_and_os_stat_do(tmp_path, monkeypatch):
    if walk.native is None:
        pytest.skip(NOT_BUILT)
    folder = odd_folder(tmp_path / "odd")
    compiled = as_values(walk.listed(str(folder), follow=False))
    monkeypatch.setattr(walk, "native", None)
    assert compiled == as_values(walk.listed(str(folder), follow=False))
    names = [name for name, _ in compiled]
    assert len(names) == 308 and names == sorted(names) and os.fsdecode(b"bad-\xff\xfe.txt") in names


def test_a_folder_listing_has_each_names_lstat(tmp_path, reading):
    folder = odd_folder(tmp_path / "odd")
    listing = dict(walk.listed(str(folder), follow=False))
    for name in ("link", "dangling", "pipe", "empty", "folder", os.fsdecode(b"bad-\xff\xfe.txt")):
        expected = os.lstat(os.path.join(folder, name))
        assert tuple(getattr(listing[name], field) for field in FIELDS) == tuple(
            getattr(expected, field) for field in FIELDS), name
    assert listing["hard"].st_nlink == 2 and stat.S_ISLNK(listing["link"].st_mode)
    assert listing[page(0)].st_mtime_ns == -1


def test_a_folder_swapped_for_a_symlink_is_read_only_when_followed(tmp_path, reading):
    (tmp_path / "real").mkdir()
    (tmp_path / "real/index.php").write_text("x")
    (tmp_path / "swapped").symlink_to("real")
    with pytest.raises(OSError) as raised:
        walk.listed(str(tmp_path / "swapped"), follow=False)
    assert raised.value.errno in (errno.ELOOP, errno.ENOTDIR)
    assert [name for name, _ in walk.listed(str(tmp_path / "swapped"), follow=True)] == ["index.php"]
    with pytest.raises(FileNotFoundError) as missing:
        walk.listed(str(tmp_path / "gone"), follow=True)
    assert missing.value.filename == str(tmp_path / "gone")


def test_a_backup_keeps_the_same_rows_whichever_reader_walked(tmp_path, monkeypatch):
    """A tree backed up through one reader is unchanged to the other: their keys agree."""
    if walk.native is None:
        pytest.skip(NOT_BUILT)
    source = make_tree(tmp_path / "src")
    repo = Repository.init(LocalTarget(tmp_path / "repo"), None)
    first = backup(repo, source)
    _, parent = repo.load_snapshot(first.id)
    monkeypatch.setattr(walk, "native", None)
    second = backup(repo, source, parent=parent)
    assert second.summary["unchanged_files"] == second.summary["files"] > 0
    assert repo.load_snapshot(second.id)[1].compact().texts == parent.compact().texts
