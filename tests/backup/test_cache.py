"""The local metadata cache (a stale, damaged or forged copy is never used) and the manifest an
unchanged backup shares with its parent (it restores, verifies and survives a prune)."""

import json
import os
from pathlib import Path

import pytest

from jagaweb.backup.store import cache as cache_module
from jagaweb.backup.store.archiver import Archiver
from jagaweb.backup.store.cache import MetadataCache, manifest_key
from jagaweb.backup.store.manifest import Compact, Manifest, row_text
from jagaweb.backup.store.prune import prune
from jagaweb.backup.store.repository import Repository
from jagaweb.backup.store.restorer import Restorer
from jagaweb.backup.store.sealing import Plain
from jagaweb.backup.store.verify import Verifier
from jagaweb.backup.targets.local import LocalTarget
from tests.backup.test_store import make_tree, same_tree

PASSPHRASES = [None, "kata sandi rahasia"]


def backup(repo: Repository, source: Path, excludes: list[str] | None = None) -> str:
    """As the pipeline does: the newest snapshot is the parent."""
    with repo.locked():
        snapshots = repo.snapshots()
        parent = repo.load_snapshot(snapshots[-1].id) if snapshots else None
        archiver = Archiver(repo, parent=parent[1] if parent else None, excludes=excludes)
        archiver.add_tree(source)
        return archiver.finish("site", parent_id=parent[0].id if parent else None).id


def cache_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def rows(manifest: Manifest) -> list[list[object]]:
    return manifest.rows()


@pytest.fixture
def setup(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Path, Path, Path, str | None]:
    passphrase = getattr(request, "param", None)
    source = make_tree(tmp_path / "src")
    Repository.init(LocalTarget(tmp_path / "repo"), passphrase, cache=tmp_path / "cache")
    return source, tmp_path / "repo", tmp_path / "cache", passphrase


def opened(repo_path: Path, cache_root: Path | bool, passphrase: str | None) -> Repository:
    return Repository.open(LocalTarget(repo_path), passphrase, cache=cache_root)


@pytest.mark.parametrize("setup", PASSPHRASES, indirect=True)
def test_a_backup_leaves_its_manifest_in_the_cache_and_the_next_one_uses_it(setup, monkeypatch):
    source, repo_path, cache_root, passphrase = setup
    snapshot = backup(opened(repo_path, cache_root, passphrase), source)
    (cached,) = cache_files(cache_root)
    assert cached.read_bytes().startswith(cache_module.MAGIC)
    if passphrase:
        assert b"index.php" not in cached.read_bytes()  # sealed with the repository key

    repo = opened(repo_path, cache_root, passphrase)
    monkeypatch.setattr(Repository, "read_bytes", lambda *_: pytest.fail("the manifest was read from the repository"))
    _, from_cache = repo.load_snapshot(snapshot)
    monkeypatch.undo()
    _, from_repository = opened(repo_path, False, passphrase).load_snapshot(snapshot)
    assert rows(from_cache) == rows(from_repository)


def damage(path: Path, how: str) -> None:
    content = bytearray(path.read_bytes())
    if how == "flip":
        content[len(content) // 2] ^= 0x01
    elif how == "truncate":
        del content[len(content) // 3:]
    elif how == "empty":
        content = bytearray()
    elif how == "magic":
        content[:4] = b"XXXX"
    elif how == "length":  # where the head ends and the rows begin
        content[len(cache_module.MAGIC)] ^= 0x01
    path.write_bytes(bytes(content))


@pytest.mark.parametrize("setup", PASSPHRASES, indirect=True)
@pytest.mark.parametrize("how", ["flip", "truncate", "empty", "magic", "length"])
def test_a_damaged_cache_file_is_ignored_removed_and_written_again(setup, how):
    source, repo_path, cache_root, passphrase = setup
    snapshot = backup(opened(repo_path, cache_root, passphrase), source)
    (cached,) = cache_files(cache_root)
    damage(cached, how)

    _, manifest = opened(repo_path, cache_root, passphrase).load_snapshot(snapshot)
    _, truth = opened(repo_path, False, passphrase).load_snapshot(snapshot)
    assert rows(manifest) == rows(truth)
    assert not cached.exists()
    second = backup(opened(repo_path, cache_root, passphrase), source)  # unchanged: the same manifest
    assert cached.read_bytes().startswith(cache_module.MAGIC)
    assert opened(repo_path, cache_root, passphrase).load_snapshot(second)[1].rows() == rows(truth)


@pytest.mark.parametrize("setup", PASSPHRASES, indirect=True)
def test_another_manifests_cache_file_under_this_name_is_ignored(setup):
    """A stale copy (the parent's manifest) put where the current manifest's copy belongs: the chunk
    ids it was sealed and hashed with do not match, so it fails and the repository is read."""
    source, repo_path, cache_root, passphrase = setup
    first = backup(opened(repo_path, cache_root, passphrase), source)
    (source / "index.php").write_text("<?php echo 'diubah'; ?>\n")
    second = backup(opened(repo_path, cache_root, passphrase), source)
    repo = opened(repo_path, False, passphrase)
    old_chunks, new_chunks = repo.load_info(first)[1], repo.load_info(second)[1]
    folder = next(cache_root.iterdir()) / "manifests"
    os.replace(folder / manifest_key(old_chunks), folder / manifest_key(new_chunks))

    _, manifest = opened(repo_path, cache_root, passphrase).load_snapshot(second)
    assert manifest.get("index.php").size == len("<?php echo 'diubah'; ?>\n")
    assert rows(manifest) == rows(repo.load_snapshot(second)[1])


def forge(cache_root: Path, repo: Repository, chunks: list[str], compact: Compact) -> None:
    """Replace the cache's copy with `compact`, checksummed as a plain repository's copy is."""
    for path in cache_files(cache_root):
        path.unlink()
    MetadataCache(cache_root / repo.id, Plain()).save_manifest(chunks, compact)


def changed_first_row(manifest: Manifest) -> Compact:
    forged = Manifest(manifest.entries).compact()
    row = json.loads(forged.texts[0])
    row[0] = "forged.php"
    return Compact(["forged.php", *forged.paths[1:]], forged.keys, [row_text(row), *forged.texts[1:]])


@pytest.mark.parametrize("setup", PASSPHRASES, indirect=True)
def test_forged_rows_are_not_used(setup):
    """Encrypted: a copy made without the key does not open. Plain: the checksum can be made again by
    whoever writes the cache, but the rows must still hash to the snapshot header's chunk ids."""
    source, repo_path, cache_root, passphrase = setup
    repo = opened(repo_path, cache_root, passphrase)
    snapshot = backup(repo, source)
    chunks = repo.load_info(snapshot)[1]
    _, truth = opened(repo_path, False, passphrase).load_snapshot(snapshot)
    forge(cache_root, repo, chunks, changed_first_row(truth))

    _, manifest = opened(repo_path, cache_root, passphrase).load_snapshot(snapshot)
    assert manifest.get("forged.php") is None
    assert rows(manifest) == rows(truth)
    assert cache_files(cache_root) == []  # thrown away


def test_a_copy_of_the_wrong_shape_is_not_used(tmp_path):
    """Rows intact (they pass the chunk ids) but the compared values of the wrong type: ignored, and the
    next backup works from the repository."""
    source = make_tree(tmp_path / "src")
    Repository.init(LocalTarget(tmp_path / "repo"), cache=tmp_path / "cache")
    repo = opened(tmp_path / "repo", tmp_path / "cache", None)
    snapshot = backup(repo, source)
    chunks = repo.load_info(snapshot)[1]
    good = opened(tmp_path / "repo", False, None).load_snapshot(snapshot)[1].compact()
    forge(tmp_path / "cache", repo, chunks, Compact([[p] for p in good.paths], good.keys, good.texts))  # type: ignore[misc]

    _, manifest = opened(tmp_path / "repo", tmp_path / "cache", None).load_snapshot(snapshot)
    assert manifest.compact().json() == good.json()
    second = backup(opened(tmp_path / "repo", tmp_path / "cache", None), source)
    assert opened(tmp_path / "repo", False, None).load_info(second)[1] == chunks


def test_verify_and_prune_read_the_repository_not_the_cache(tmp_path, monkeypatch):
    source = make_tree(tmp_path / "src")
    Repository.init(LocalTarget(tmp_path / "repo"), cache=tmp_path / "cache")
    first = backup(opened(tmp_path / "repo", tmp_path / "cache", None), source)
    (source / "wp-content/big.bin").write_bytes(os.urandom(500_000))
    second = backup(opened(tmp_path / "repo", tmp_path / "cache", None), source)
    monkeypatch.setattr(MetadataCache, "load_manifest", lambda *_: pytest.fail("the cache was read"))

    repo = opened(tmp_path / "repo", tmp_path / "cache", None)
    with repo.locked():
        prune(repo, [first])
    assert Verifier(opened(tmp_path / "repo", tmp_path / "cache", None)).run(read_data=True).ok
    _, manifest = opened(tmp_path / "repo", tmp_path / "cache", None).load_snapshot(second, cached=False)
    out = Restorer(opened(tmp_path / "repo", False, None), manifest).restore(tmp_path / "out")
    assert out.failed == {}
    assert same_tree(source, tmp_path / "out")


def test_a_cache_that_cannot_be_written_does_not_fail_a_backup(tmp_path):
    source = make_tree(tmp_path / "src")
    (tmp_path / "cache").write_text("a file where the cache folder should be")
    repo = Repository.init(LocalTarget(tmp_path / "repo"), cache=tmp_path / "cache")
    first = backup(repo, source)
    second = backup(opened(tmp_path / "repo", tmp_path / "cache", None), source)
    assert opened(tmp_path / "repo", False, None).load_info(second)[1] == repo.load_info(first)[1]


def test_unmarshallable_values_are_not_cached(tmp_path):
    cache = MetadataCache(tmp_path / "cache", Plain())
    cache.save_manifest(["ab" * 32], Compact([object()], [b""], [b"[]"]))  # type: ignore[list-item]
    assert cache.load_manifest(["ab" * 32]) is None
    assert cache_files(tmp_path) == []


def one_row(number: int) -> Compact:
    return Compact([f"f{number}"], [b""], [row_text([f"f{number}", "dir", 0o755, 0, 0, 0, 0, "", [], "", 0, 0])])


def test_the_cache_keeps_only_the_newest_manifests(tmp_path):
    cache = MetadataCache(tmp_path / "cache", Plain())
    for number in range(cache_module.KEEP_MANIFESTS + 2):
        cache.save_manifest([f"{number:064x}"], one_row(number))
        os.utime(tmp_path / "cache/manifests" / manifest_key([f"{number:064x}"]), ns=(number, number))
    kept = {p.name for p in cache_files(tmp_path / "cache")}
    assert len(kept) == cache_module.KEEP_MANIFESTS
    assert manifest_key([f"{cache_module.KEEP_MANIFESTS + 1:064x}"]) in kept
    newest = cache.load_manifest([f"{cache_module.KEEP_MANIFESTS + 1:064x}"])
    expected = one_row(cache_module.KEEP_MANIFESTS + 1)
    assert newest is not None
    assert (newest.paths, newest.keys, newest.texts) == (expected.paths, expected.keys, expected.texts)


def test_a_copy_written_by_another_version_is_not_used(tmp_path, monkeypatch):
    """Rows of another layout (an Entry field added or removed) must not become entries."""
    cache = MetadataCache(tmp_path / "cache", Plain())
    with monkeypatch.context() as patched:
        patched.setattr(cache_module, "MAGIC", cache_module.MAGIC[:-1] + b"\x03")
        cache.save_manifest(["ab" * 32], one_row(1))
    assert cache.load_manifest(["ab" * 32]) is None


# ---- a manifest shared by an unchanged backup and its parent ----
@pytest.mark.parametrize("setup", PASSPHRASES, indirect=True)
def test_unchanged_backup_shares_the_manifest_restores_and_survives_prune(setup, tmp_path):
    source, repo_path, cache_root, passphrase = setup
    first = backup(opened(repo_path, cache_root, passphrase), source)
    second = backup(opened(repo_path, cache_root, passphrase), source)
    repo = opened(repo_path, False, passphrase)
    info, shared = repo.load_info(second)
    assert shared == repo.load_info(first)[1]
    assert info.summary["new_blobs"] == 0 and info.summary["unchanged_files"] == info.summary["files"]

    with repo.locked():
        prune(repo, [first], repack_threshold=0.0)
    assert repo.snapshot_ids() == [second]
    for cache_setting in (False, cache_root):
        repo = opened(repo_path, cache_setting, passphrase)
        assert Verifier(repo).run(read_data=True).ok
        _, manifest = repo.load_snapshot(second)
        out = tmp_path / f"out-{bool(cache_setting)}"
        assert Restorer(repo, manifest).restore(out).failed == {}
        assert same_tree(source, out)
