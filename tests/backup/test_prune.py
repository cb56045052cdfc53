"""Retention (which snapshots a policy keeps) and prune (forget, then free what nothing uses)."""

import os
import random
import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jagaweb.backup.store import pack as pack_module
from jagaweb.backup.store.archiver import Archiver
from jagaweb.backup.store.codec import decode_json
from jagaweb.backup.store.index import INDEX_AAD
from jagaweb.backup.store.prune import PruneError, prune, prune_by_policy
from jagaweb.backup.store.repository import Repository, SnapshotInfo
from jagaweb.backup.store.restorer import Restorer
from jagaweb.backup.store.retention import Policy, select
from jagaweb.backup.store.verify import Verifier
from jagaweb.backup.targets.local import LocalTarget

WIB = timezone(timedelta(hours=7))


# ---- retention ----
def snap(moment: datetime, source: str = "site", number: int = 0) -> SnapshotInfo:
    return SnapshotInfo(f"{source}-{moment.isoformat()}-{number}", moment.isoformat(), source, [], {})


def test_policy_keeps_newest_of_each_bucket_with_reasons():
    now = datetime(2026, 11, 20, 23, 0, tzinfo=WIB)
    # one backup a day at 01:30 WIB (18:30 UTC the day before) for 100 days, and an extra one today
    daily = [snap(datetime(2026, 11, 19, 18, 30, tzinfo=UTC) - timedelta(days=d)) for d in range(100)]
    extra = snap(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    selection = select([*daily, extra], Policy(keep_last=2, keep_daily=7, keep_weekly=4, keep_monthly=3), now)
    keep, forget = selection
    reasons = selection.reasons
    assert keep[0] is extra
    assert reasons[extra.id] == ["last 1", "daily 2026-11-20", "weekly 2026-W47", "monthly 2026-11"]
    # the 01:30 WIB backup of the 20th is 18:30 UTC on the 19th: it is the 20th's by the office clock
    assert reasons[daily[0].id] == ["last 2"]
    assert reasons[daily[1].id] == ["daily 2026-11-19"]
    assert [r for k in keep for r in reasons[k.id] if r.startswith("weekly")] == [
        "weekly 2026-W47", "weekly 2026-W46", "weekly 2026-W45", "weekly 2026-W44"]
    assert [r for k in keep for r in reasons[k.id] if r.startswith("monthly")] == [
        "monthly 2026-11", "monthly 2026-10", "monthly 2026-09"]
    assert len(keep) + len(forget) == 101


def test_policy_applies_per_site_and_empty_policy_keeps_everything():
    now = datetime(2026, 11, 20, tzinfo=UTC)
    a = [snap(now - timedelta(hours=h), "dinas-a") for h in range(1, 4)]
    b = [snap(now - timedelta(days=2), "dinas-b")]
    keep, forget = select(a + b, Policy(keep_daily=1), now)
    assert {k.id for k in keep} == {a[0].id, b[0].id}
    assert forget == a[1:]
    keep, forget = select(a + b, Policy(), now)
    assert len(keep) == 4 and forget == []
    with pytest.raises(ValueError, match="negative"):
        Policy(keep_last=-1)


policies = st.builds(Policy, *[st.integers(0, 4)] * 5)
moments = st.datetimes(datetime(2023, 1, 1), datetime(2027, 1, 1), timezones=st.just(UTC))
snapshot_lists = st.lists(st.tuples(moments, st.sampled_from(["a", "b"])), max_size=40).map(
    lambda items: [snap(m, s, n) for n, (m, s) in enumerate(items)]
)


@settings(max_examples=300, deadline=None)
@given(snapshot_lists, policies, st.sampled_from([UTC, WIB]))
def test_policy_properties(snapshots, policy, zone):
    now = datetime(2027, 1, 1, tzinfo=zone)
    selection = select(snapshots, policy, now)
    keep_ids, forget_ids = {k.id for k in selection.keep}, {f.id for f in selection.forget}
    assert keep_ids | forget_ids == {s.id for s in snapshots}
    assert not keep_ids & forget_ids
    assert set(selection.reasons) == keep_ids and all(selection.reasons.values())
    for source in ("a", "b"):
        group = [s for s in snapshots if s.source == source]
        if not group:
            continue
        newest = max(group, key=lambda s: (datetime.fromisoformat(s.time), s.id))
        assert newest.id in keep_ids  # the newest is kept by every rule, and by "no policy"
        kept = [s for s in group if s.id in keep_ids]
        if not policy.empty:
            assert len(kept) <= sum(count for _, count in policy.rules())
        for rule, count in policy.rules():
            mine = [r for s in kept for r in selection.reasons[s.id] if r.startswith(rule + " ")]
            assert len(mine) <= count and len(set(mine)) == len(mine)


@settings(max_examples=200, deadline=None)
@given(snapshot_lists, policies, st.sampled_from(["keep_last", "keep_daily", "keep_weekly", "keep_monthly"]))
def test_a_larger_count_never_forgets_more(snapshots, policy, field):
    now = datetime(2027, 1, 1, tzinfo=UTC)
    larger = Policy(**{**policy.__dict__, field: getattr(policy, field) + 1})
    before = {k.id for k in select(snapshots, policy, now).keep}
    if not policy.empty:
        assert before <= {k.id for k in select(snapshots, larger, now).keep}


# ---- prune ----
def write_random(path: Path, rng: random.Random, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(rng.randbytes(size))


def make_source(root: Path, rng: random.Random) -> Path:
    for n in range(40):
        write_random(root / f"pages/p{n:02d}.html", rng, rng.randint(500, 3000))
    for n in range(3):
        write_random(root / f"media/m{n}.bin", rng, rng.randint(100_000, 300_000))
    (root / "empty").mkdir()
    (root / "link").symlink_to("pages/p00.html")
    return root


def mutate(root: Path, rng: random.Random, round_number: int) -> None:
    for path in rng.sample(sorted((root / "pages").iterdir()), 10):
        write_random(path, rng, rng.randint(500, 3000))
    write_random(root / f"media/m{round_number % 3}.bin", rng, rng.randint(100_000, 300_000))
    write_random(root / f"pages/new{round_number}.html", rng, 800)


def listing(root: Path) -> dict[str, tuple]:
    found = {}
    for dirpath, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[rel] = ("link", os.readlink(path))
            elif path.is_file():
                found[rel] = ("file", path.read_bytes(), path.stat().st_mode & 0o7777)
            else:
                found[rel] = ("dir", path.stat().st_mode & 0o7777)
    return found


def backup(repo: Repository, source: Path) -> str:
    snapshots = repo.snapshots()
    parent = repo.load_snapshot(snapshots[-1].id)[1] if snapshots else None
    archiver = Archiver(repo, parent=parent)
    archiver.add_tree(source)
    return archiver.finish("site").id


def restores_identically(repo: Repository, snapshot_id: str, tree: Path, out: Path) -> bool:
    _, manifest = repo.load_snapshot(snapshot_id)
    report = Restorer(repo, manifest).restore(out)
    return report.failed == {} and listing(out) == listing(tree)


def medium_bytes(root: Path) -> int:
    return sum(p.stat().st_size for folder in ("data", "index") for p in (root / folder).rglob("*") if p.is_file())


def pack_files(root: Path) -> set[str]:
    return {p.name for p in (root / "data").rglob("*") if p.is_file()}


def listed_packs(root: Path, repo: Repository) -> set[str]:
    packs = set()
    for path in (root / "index").iterdir():
        packs.update(decode_json(path.read_bytes(), repo.sealer, INDEX_AAD))
    return packs


@pytest.fixture
def history(tmp_path, monkeypatch):
    """A repository with four snapshots of a changing tree, small packs; the trees kept per snapshot."""
    monkeypatch.setattr(pack_module, "PACK_TARGET_SIZE", 64 * 1024)
    rng = random.Random(7)
    source = make_source(tmp_path / "src", rng)
    repo = Repository.init(LocalTarget(tmp_path / "repo"))
    trees = {}
    with repo.locked():
        for number in range(4):
            if number:
                mutate(source, rng, number)
            snapshot_id = backup(repo, source)
            trees[snapshot_id] = shutil.copytree(source, tmp_path / f"tree{number}", symlinks=True)
    return tmp_path / "repo", trees


def check_repository(root: Path, trees: dict[str, Path], out: Path) -> Repository:
    repo = Repository.open(LocalTarget(root))
    with repo.locked():
        assert Verifier(repo).run(read_data=True).ok
        assert listed_packs(root, repo) <= pack_files(root)
        for number, snapshot_id in enumerate(repo.snapshot_ids()):
            assert restores_identically(repo, snapshot_id, trees[snapshot_id], out / str(number))
    return repo


@pytest.mark.parametrize("passphrase", [None, "rahasia"])
def test_prune_deletes_and_repacks_and_the_rest_restores(history, tmp_path, passphrase):
    root, trees = history
    if passphrase:  # the same history in an encrypted repository
        shutil.rmtree(root)
        repo = Repository.init(LocalTarget(root), passphrase)
        with repo.locked():
            renamed = {backup(repo, tree): tree for tree in trees.values()}
        trees = renamed
    repo = Repository.open(LocalTarget(root), passphrase)
    old = list(trees)[:2]
    before = medium_bytes(root)
    with repo.locked():
        dry = prune(repo, old, dry_run=True)
        assert medium_bytes(root) == before and repo.snapshot_ids() == sorted(trees)
        report = prune(repo, old)
    assert report.snapshots_forgotten == sorted(old)
    assert report.packs_repacked and set(report.packs_deleted) > set(report.packs_repacked)
    assert (dry.packs_deleted, dry.packs_repacked) == (report.packs_deleted, report.packs_repacked)
    assert report.bytes_freed == before - medium_bytes(root) > 0
    assert abs(dry.bytes_freed - report.bytes_freed) < 0.1 * report.bytes_freed
    assert len(list((root / "index").iterdir())) == 1
    if passphrase is None:
        check_repository(root, trees, tmp_path / "out")
    with repo.locked():  # nothing left to do
        again = prune(repo, [], dry_run=True)
        assert again.packs_deleted == [] and again.bytes_freed == 0


def test_backup_after_prune_stores_again_what_was_freed(history, tmp_path):
    root, trees = history
    first = next(iter(trees))
    repo = Repository.open(LocalTarget(root))
    with repo.locked():
        prune(repo, [first])
        # the same repository object backs up the first tree again: its chunks must be written anew
        again = backup(repo, trees[first])
    trees[again] = trees[first]
    del trees[first]
    check_repository(root, trees, tmp_path / "out")


def test_prune_by_policy_and_needs_the_lock(history):
    root, trees = history
    repo = Repository.open(LocalTarget(root))
    with pytest.raises(PruneError, match="lock"):
        prune(repo, [])
    with repo.locked():
        report = prune_by_policy(repo, Policy(keep_last=1), datetime.now(UTC))
    assert len(report.snapshots_forgotten) == 3 and repo.snapshot_ids() == [list(trees)[-1]]


class Crash(BaseException):
    """Stands for the process dying between two steps."""


def crash_after(number: int):
    seen = []

    def step(what: str, name: str) -> None:
        seen.append(what)
        if len(seen) == number:
            raise Crash(what)

    return step


def crash_at(kind: str):
    def step(what: str, name: str) -> None:
        if what == kind:
            raise Crash(what)

    return step


def test_prune_interrupted_after_any_step_leaves_a_good_repository(history, tmp_path):
    root, trees = history
    pristine = shutil.copytree(root, tmp_path / "pristine")
    steps = []
    repo = Repository.open(LocalTarget(root))
    with repo.locked():
        prune(repo, list(trees)[:2], on_step=lambda what, _name: steps.append(what))
    kinds = {kind: [i for i, k in enumerate(steps, 1) if k == kind] for kind in steps}
    points = sorted({n for found in kinds.values() for n in (found[0], found[len(found) // 2], found[-1])})
    assert {"forgot", "repacked", "wrote packs", "wrote index", "deleted index", "deleted pack", "done"} <= set(kinds)
    for point in points:
        shutil.rmtree(root)
        shutil.copytree(pristine, root)
        repo = Repository.open(LocalTarget(root))
        with pytest.raises(Crash), repo.locked():
            prune(repo, list(trees)[:2], on_step=crash_after(point))
        repo = check_repository(root, trees, tmp_path / f"after-{point}")
        with repo.locked():
            prune(repo, [])
        check_repository(root, trees, tmp_path / f"pruned-{point}")


def test_a_pack_listed_by_two_index_files_is_no_orphan(history, tmp_path):
    """After a prune stopped between writing new packs and removing the old index, blobs are indexed
    twice. Whichever index file is read first, the lock's clean-up must not take the pack whose entry
    lost the lookup for an orphan: an index file still lists it."""
    root, trees = history
    repo = Repository.open(LocalTarget(root))
    with repo.locked():
        repacked = set(prune(repo, list(trees)[:2], dry_run=True).packs_repacked)
    with pytest.raises(Crash), repo.locked():
        prune(repo, list(trees)[:2], on_step=crash_at("wrote packs"))
    for number, path in enumerate(sorted((root / "index").iterdir())):
        if set(decode_json(path.read_bytes(), repo.sealer, INDEX_AAD)) & repacked:
            path.rename(path.with_name(f"{number:064d}"))  # names are hashes: any order can happen
    before = pack_files(root)
    check_repository(root, trees, tmp_path / "out")
    assert pack_files(root) == before


def test_a_damaged_pack_to_repack_is_refused_and_nothing_removed(history):
    root, trees = history
    repo = Repository.open(LocalTarget(root))
    with repo.locked():
        victim = prune(repo, list(trees)[:2], dry_run=True).packs_repacked[0]
    path = root / f"data/{victim[:2]}/{victim}"
    content = bytearray(path.read_bytes())
    content[5] ^= 0xFF
    path.write_bytes(bytes(content))
    before = pack_files(root)
    with repo.locked(), pytest.raises(PruneError, match="damaged"):
        prune(repo, list(trees)[:2])
    assert repo.snapshot_ids() == sorted(trees) and pack_files(root) >= before


def test_the_same_prune_run_again_after_a_crash_rewrites_identical_packs_safely(history, tmp_path):
    """Repacking the same blobs again makes byte-identical packs with the same names and index files as the
    ones the interrupted run wrote: they must count as written (not missing, not obsolete)."""
    root, trees = history
    repo = Repository.open(LocalTarget(root))
    with pytest.raises(Crash), repo.locked():
        prune(repo, list(trees)[:2], on_step=crash_at("wrote packs"))
    repo = Repository.open(LocalTarget(root))
    with repo.locked():
        prune(repo, list(trees)[:2])
    check_repository(root, trees, tmp_path / "after-retry")
