"""Checks a repository: its structure (every chunk a snapshot needs is indexed in a pack that exists
and has the right size), and optionally its data (every pack re-read and every chunk re-hashed).

Damage is reported precisely: which pack, which of its chunks, and which files of which snapshots
lose data because of it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

import blake3

from jagaweb.backup.store.codec import decode
from jagaweb.backup.store.pack import pack_name
from jagaweb.backup.store.repository import Repository
from jagaweb.backup.store.sealing import DamagedData


@dataclass
class Damage:
    pack: str
    problem: str
    chunks: list[str] = field(default_factory=list)
    affected: dict[str, list[str]] = field(default_factory=dict)  # snapshot id -> file paths


@dataclass
class VerifyReport:
    snapshots: int = 0
    packs: int = 0
    packs_read: int = 0
    chunks_checked: int = 0
    damage: list[Damage] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.damage and not self.problems


class Verifier:
    def __init__(self, repo: Repository, progress: Callable[[int, int], None] | None = None) -> None:
        self.repo = repo
        self.progress = progress

    def run(self, read_data: bool = False, sample: float = 1.0, seed: int | None = None) -> VerifyReport:
        report = VerifyReport()
        index = self.repo.load_index()
        needed = self.needed_chunks(report)
        packs = sorted(index.packs())
        report.packs = len(packs)
        self.check_structure(report, needed, packs)
        if read_data:
            chosen = packs if sample >= 1.0 else random.Random(seed).sample(packs, max(1, round(len(packs) * sample)))
            for number, pack in enumerate(chosen, start=1):
                self.read_pack(report, pack)
                if self.progress:
                    self.progress(number, len(chosen))
        self.attach_affected_files(report)
        return report

    def needed_chunks(self, report: VerifyReport) -> dict[str, set[str]]:
        """Chunk id -> snapshots that need it (manifest chunks included)."""
        needed: dict[str, set[str]] = {}
        self.manifests = {}
        for snapshot_id in self.repo.snapshot_ids():
            report.snapshots += 1
            try:
                _, manifest_chunks = self.repo.load_info(snapshot_id)
                for chunk in manifest_chunks:
                    needed.setdefault(chunk, set()).add(snapshot_id)
                _, manifest = self.repo.load_snapshot(snapshot_id, cached=False)
            except (DamagedData, ValueError, KeyError) as exc:
                report.problems.append(f"snapshot {snapshot_id} cannot be read: {exc}")
                continue
            self.manifests[snapshot_id] = manifest
            for entry in manifest:
                for chunk in entry.chunks:
                    needed.setdefault(chunk, set()).add(snapshot_id)
        return needed

    def check_structure(self, report: VerifyReport, needed: dict[str, set[str]], packs: list[str]) -> None:
        index = self.repo.index
        for chunk, snapshots in needed.items():
            if bytes.fromhex(chunk) not in index:
                report.problems.append(f"chunk {chunk} needed by {len(snapshots)} snapshot(s) is not indexed")
        ends: dict[str, int] = {}
        for location in index.blobs.values():
            ends[location.pack] = max(ends.get(location.pack, 0), location.offset + location.length)
        for pack in packs:
            try:
                size = self.repo.target.size(pack_name(pack))
            except FileNotFoundError:
                report.damage.append(Damage(pack, "pack file is missing", self.chunks_of(pack)))
                continue
            if size < ends[pack]:
                report.damage.append(Damage(pack, f"pack is truncated ({size} bytes)", self.chunks_of(pack)))

    def chunks_of(self, pack: str) -> list[str]:
        return [blob.hex() for blob, loc in self.repo.index.blobs.items() if loc.pack == pack]

    def read_pack(self, report: VerifyReport, pack: str) -> None:
        if any(d.pack == pack for d in report.damage):
            return
        try:
            content = self.repo.read_pack(pack)
        except FileNotFoundError:
            return
        report.packs_read += 1
        if blake3.blake3(content).hexdigest() == pack:
            report.chunks_checked += sum(1 for loc in self.repo.index.blobs.values() if loc.pack == pack)
            return
        bad = []
        for blob, loc in self.repo.index.blobs.items():
            if loc.pack != pack:
                continue
            report.chunks_checked += 1
            try:
                data = decode(content[loc.offset:loc.offset + loc.length], self.repo.sealer, blob, loc.raw_length)
                if self.repo.sealer.blob_id(data) != blob:
                    raise DamagedData("hash mismatch")
            except DamagedData:
                bad.append(blob.hex())
        report.damage.append(Damage(pack, "pack content does not match its hash", bad))

    def attach_affected_files(self, report: VerifyReport) -> None:
        for damage in report.damage:
            bad = set(damage.chunks)
            for snapshot_id, manifest in self.manifests.items():
                paths = [e.path for e in manifest if bad.intersection(e.chunks)]
                if paths:
                    damage.affected[snapshot_id] = paths
