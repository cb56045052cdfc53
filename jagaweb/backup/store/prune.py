"""Forgets snapshots, then frees the space that only they used.

Garbage collection works on the blobs the remaining snapshots reference (their manifest chunks and
their files' chunks). A pack holding none of them is deleted; a pack whose unused bytes exceed the
threshold is repacked: its used blobs are copied as stored (no re-compression, no re-sealing) into
new packs, which the repository writes with their own index files. Then one consolidated index is
written for every remaining pack; only then are the snapshots forgotten, the old index files
deleted, and the obsolete packs last.

That order is what makes an interrupted prune harmless: a pack is only deleted once no index file
lists it, and every blob a snapshot needs is indexed in a pack that exists at every moment. An
interruption leaves at worst blobs indexed twice (in an old and a new pack, both present), which
the next prune resolves, or packs no index lists, which the next lock removes. And since nothing is
removed before the new index is written, a refusal (a damaged pack) removes nothing either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import blake3

from jagaweb.backup.store.codec import decode_json
from jagaweb.backup.store.index import INDEX_AAD, write_index
from jagaweb.backup.store.pack import BlobEntry, pack_name
from jagaweb.backup.store.repository import Repository
from jagaweb.backup.store.retention import Policy, select
from jagaweb.backup.store.sealing import DamagedData
from jagaweb.backup.targets.base import Target

REPACK_THRESHOLD = 0.2
Step = Callable[[str, str], None]  # (what is being done, on which snapshot, pack or file)


class PruneError(Exception):
    """Pruning was refused because it could lose data; nothing was removed."""


@dataclass
class PruneReport:
    dry_run: bool
    snapshots_forgotten: list[str] = field(default_factory=list)
    packs_deleted: list[str] = field(default_factory=list)
    packs_repacked: list[str] = field(default_factory=list)
    packs_written: list[str] = field(default_factory=list)
    index_files_removed: int = 0
    bytes_freed: int = 0  # net, on the medium; estimated for a dry run


@dataclass
class PackInfo:
    size: int
    entries: dict[bytes, BlobEntry] = field(default_factory=dict)

    def blob_bytes(self) -> int:
        return sum(entry[2] for entry in self.entries.values())


@dataclass
class Plan:
    packs: dict[str, PackInfo]
    assigned: dict[str, list[bytes]]  # pack -> the used blobs it will provide
    delete: set[str]
    repack: set[str]
    index_files: list[str]

    @property
    def obsolete(self) -> set[str]:
        return self.delete | self.repack

    def unused_bytes(self, pack: str) -> int:
        info = self.packs[pack]
        return info.blob_bytes() - sum(info.entries[blob][2] for blob in self.assigned.get(pack, []))


def is_temporary(name: str) -> bool:
    return name.rsplit("/", 1)[-1].startswith(Target.TMP_PREFIX)


def used_blobs(repo: Repository, snapshot_ids: list[str]) -> set[bytes]:
    """Every blob the snapshots need; refuses when one of them cannot be read."""
    used: set[bytes] = set()
    for snapshot_id in snapshot_ids:
        try:
            _, manifest_chunks = repo.load_info(snapshot_id)
            _, manifest = repo.load_snapshot(snapshot_id, cached=False)
        except (DamagedData, ValueError, KeyError) as exc:
            raise PruneError(f"snapshot {snapshot_id} cannot be read ({exc}); run a verify first") from None
        used.update(bytes.fromhex(chunk) for chunk in manifest_chunks)
        for entry in manifest:
            used.update(bytes.fromhex(chunk) for chunk in entry.chunks)
    return used


def read_index_files(repo: Repository) -> dict[str, dict[str, list[BlobEntry]]]:
    names = sorted(n for n in repo.target.list("index") if not is_temporary(n))
    return {name: decode_json(repo.target.read(name), repo.sealer, INDEX_AAD) for name in names}


def packs_on_medium(repo: Repository) -> dict[str, int]:
    names = [n for n in repo.target.list("data") if not is_temporary(n)]
    return {name.rsplit("/", 1)[-1]: repo.target.size(name) for name in names}


def collect_packs(index_files: dict[str, dict[str, list[BlobEntry]]], sizes: dict[str, int]) -> dict[str, PackInfo]:
    """Packs that exist and that an index file lists, with every blob any index file says they hold."""
    packs: dict[str, PackInfo] = {}
    for content in index_files.values():
        for pack, entries in content.items():
            if pack not in sizes:
                continue  # listed but gone: a damaged repository; its blobs are found elsewhere or refused
            info = packs.setdefault(pack, PackInfo(sizes[pack]))
            for entry in entries:
                hex_id, offset, length, raw_length = entry
                info.entries.setdefault(bytes.fromhex(hex_id), (hex_id, offset, length, raw_length))
    return packs


def assign(repo: Repository, used: set[bytes], packs: dict[str, PackInfo]) -> dict[str, list[bytes]]:
    """Choose one pack per used blob: the one lookups use now when it exists, else any holding it."""
    holders: dict[bytes, list[str]] = {}
    for pack in sorted(packs):
        for blob in packs[pack].entries:
            holders.setdefault(blob, []).append(pack)
    assigned: dict[str, list[bytes]] = {}
    for blob in used:
        candidates = holders.get(blob)
        if not candidates:
            raise PruneError(f"chunk {blob.hex()} that a snapshot needs is in no pack; run a verify first")
        current = repo.index.get(blob)
        pack = current.pack if current is not None and current.pack in candidates else candidates[0]
        assigned.setdefault(pack, []).append(blob)
    return assigned


def make_plan(repo: Repository, remaining: list[str], threshold: float) -> Plan:
    repo.load_index()
    used = used_blobs(repo, remaining)
    index_files = read_index_files(repo)
    packs = collect_packs(index_files, packs_on_medium(repo))
    plan = Plan(packs, assign(repo, used, packs), set(), set(), list(index_files))
    for pack, info in packs.items():
        if pack not in plan.assigned:
            plan.delete.add(pack)
        elif plan.unused_bytes(pack) > threshold * info.blob_bytes():
            plan.repack.add(pack)
    return plan


def repack(repo: Repository, plan: Plan, report: PruneReport, step: Step) -> None:
    """Copy the used blobs of the packs to repack, as stored, into new packs (each with an index file)."""
    for pack in sorted(plan.repack):
        content = repo.read_pack(pack)
        if blake3.blake3(content).hexdigest() != pack:
            raise PruneError(f"pack {pack} is damaged (its content does not match its name); run a verify")
        info = plan.packs[pack]
        for blob in sorted(plan.assigned[pack], key=lambda b: info.entries[b][1]):
            _, offset, length, raw_length = info.entries[blob]
            repo.add_encoded(blob, content[offset:offset + length], raw_length)
        report.packs_repacked.append(pack)
        step("repacked", pack)
    repo.flush()
    step("wrote packs", "")


def new_packs(repo: Repository, since: int) -> dict[str, PackInfo]:
    """The packs repacking wrote, read back from the index. A pack identical to one an interrupted prune
    wrote before has the same name and index file as that one, so packs are told by what was written."""
    written = set(repo.written_packs[since:])
    every = collect_packs(read_index_files(repo), packs_on_medium(repo))
    return {pack: info for pack, info in every.items() if pack in written}


def consolidate(repo: Repository, plan: Plan, written: dict[str, PackInfo]) -> str:
    """Write one index listing every remaining pack; check first that it covers every used blob."""
    remaining = {p: info for p, info in plan.packs.items() if p not in plan.obsolete}
    remaining.update(written)
    listed = {blob for info in remaining.values() for blob in info.entries}
    for pack in plan.repack:
        missing = [b.hex() for b in plan.assigned[pack] if b not in listed]
        if missing:
            raise PruneError(f"repacking lost chunk {missing[0]}; the old packs are kept")
    content = {pack: sorted(info.entries.values(), key=lambda e: e[1]) for pack, info in sorted(remaining.items())}
    return write_index(repo.target, repo.sealer, content)


def delete_obsolete(repo: Repository, plan: Plan, keep_index: str, report: PruneReport, step: Step) -> None:
    """Every index file but the new one (the lock keeps others from writing one meanwhile), then the packs."""
    for name in sorted(n for n in repo.target.list("index") if not is_temporary(n) and n != keep_index):
        repo.target.delete(name)
        report.index_files_removed += 1
        step("deleted index", name)
    for pack in sorted(plan.obsolete):
        repo.target.delete(pack_name(pack))
        report.packs_deleted.append(pack)
        step("deleted pack", pack)


def refreshing(repo: Repository, step: Step) -> Step:
    """`step`, after keeping the lock fresh: a long prune must not look like a dead one."""

    def wrapped(what: str, name: str) -> None:
        if repo.lock is not None:
            repo.lock.refresh()
        step(what, name)

    return wrapped


def prune(
    repo: Repository, forget: list[str], repack_threshold: float = REPACK_THRESHOLD, dry_run: bool = False,
    on_step: Step | None = None,
) -> PruneReport:
    """Forget `forget` (snapshot ids or unique prefixes) and free what no remaining snapshot uses.

    The caller holds ``repo.locked()`` (a dry run may do without)."""
    if not dry_run and repo.lock is None:
        raise PruneError("pruning needs the repository lock (use `with repo.locked():`)")
    if repo.pending.entries:
        raise PruneError("a backup is still writing to this repository object")
    forget_ids = sorted({repo.resolve(s) for s in forget})
    remaining = [s for s in repo.snapshot_ids() if s not in forget_ids]
    plan = make_plan(repo, remaining, repack_threshold)
    report = PruneReport(dry_run, snapshots_forgotten=forget_ids)
    if dry_run:
        report.packs_deleted = sorted(plan.obsolete)
        report.packs_repacked = sorted(plan.repack)
        report.bytes_freed = sum(plan.packs[p].size for p in plan.delete) + sum(map(plan.unused_bytes, plan.repack))
        return report
    collect(repo, plan, forget_ids, report, refreshing(repo, on_step or (lambda _what, _name: None)))
    return report


def collect(repo: Repository, plan: Plan, forget_ids: list[str], report: PruneReport, step: Step) -> None:
    """The work proper, in the crash-safe order: new packs, the new index, forgetting, old index
    files, old packs. Refusals (a damaged pack to repack) come before anything is removed."""
    index_bytes_before = sum(repo.target.size(n) for n in plan.index_files)
    since = len(repo.written_packs)
    repack(repo, plan, report, step)
    written = new_packs(repo, since)
    plan.repack -= set(written)  # a new pack identical to an old one must not be deleted
    plan.delete -= set(written)
    keep_index = consolidate(repo, plan, written)
    step("wrote index", keep_index)
    for snapshot_id in forget_ids:
        repo.forget(snapshot_id)
        step("forgot", snapshot_id)
    freed_packs = sum(plan.packs[p].size for p in plan.obsolete) - sum(info.size for info in written.values())
    delete_obsolete(repo, plan, keep_index, report, step)
    report.packs_written = sorted(written)
    report.bytes_freed = freed_packs + index_bytes_before - repo.target.size(keep_index)
    repo.reload_index()
    step("done", "")


def prune_by_policy(
    repo: Repository, policy: Policy, now: datetime, repack_threshold: float = REPACK_THRESHOLD,
    dry_run: bool = False, on_step: Step | None = None,
) -> PruneReport:
    _, forget = select(repo.snapshots(), policy, now)
    return prune(repo, [info.id for info in forget], repack_threshold, dry_run, on_step)
