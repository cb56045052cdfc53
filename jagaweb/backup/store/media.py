"""What someone without JagaWeb finds in and beside an exported archive: ``SHA256SUMS`` and
``MANIFEST.json`` at its top, and, for CD or DVD, the numbered volumes (``out.001``, ``out.002``, ...)
that plain ``cat out.0* > out`` joins back, with a README in Indonesian and English that says so."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from jagaweb.backup.store.manifest import Entry, EntryKind
from jagaweb.backup.store.repository import SnapshotInfo

SUMS, MANIFEST = "SHA256SUMS", "MANIFEST.json"
MAX_VOLUMES = 999  # three digits keep `cat out.0*` in order
UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


class ExportError(Exception):
    """The snapshot cannot be exported as asked (damaged data, unsafe path, existing output)."""


# ---- inside the archive, at its top ----
@dataclass(frozen=True)
class Sums:
    sha256: str
    blake3: str


def sums_line(digest: str, path: str) -> str:
    if "\\" in path or "\n" in path:  # GNU coreutils' escaping, which `sha256sum -c` reads back
        return "\\" + digest + "  " + path.replace("\\", "\\\\").replace("\n", "\\n") + "\n"
    return f"{digest}  {path}\n"


def sums_file(sums: dict[str, Sums]) -> bytes:
    return "".join(sums_line(s.sha256, path) for path, s in sums.items()).encode()


def manifest_file(info: SnapshotInfo, entries: list[Entry], sums: dict[str, Sums]) -> bytes:
    files = []
    for e in entries:
        row: dict[str, object] = {"path": e.path, "kind": e.kind, "mode": f"{e.mode:04o}", "size": e.size,
                                  "mtime_ns": e.mtime_ns, "uid": e.uid, "gid": e.gid}
        if e.path in sums:
            row.update(sha256=sums[e.path].sha256, blake3=sums[e.path].blake3)
        if e.kind == EntryKind.SYMLINK:
            row["target"] = e.target
        files.append(row)
    body = {
        "format": "jagaweb-export/1", "exported": datetime.now(UTC).isoformat(),
        "snapshot": {"id": info.id, "time": info.time, "source": info.source, "tags": info.tags,
                     "parent": info.parent},
        "files": files,
    }
    return json.dumps(body, indent=1, ensure_ascii=False).encode()


# ---- beside the archive: volumes, and the README that explains them ----
def parse_size(text: str | int) -> int:
    """``650M`` (a CD), ``4480M`` (a DVD), ``1G``, ``100K`` or a number of bytes; binary units."""
    if isinstance(text, int):
        size = text
    else:
        found = re.fullmatch(r"\s*(\d+)\s*([KMGT]?)(?:i?B)?\s*", text, re.IGNORECASE)
        if not found:
            raise ValueError(f"not a size: {text!r} (examples: 650M, 4480M, 1G)")
        size = int(found.group(1)) * UNITS[found.group(2).upper()]
    if size < 1024:
        raise ValueError(f"a volume of {size} bytes is too small")
    return size


def volume_path(base: Path, number: int) -> Path:
    return base.with_name(f"{base.name}.{number:03d}")


def existing_volumes(base: Path) -> list[Path]:
    pattern = re.compile(re.escape(base.name) + r"\.\d{3,}")
    return sorted(p for p in base.parent.iterdir() if pattern.fullmatch(p.name)) if base.parent.is_dir() else []


def refuse_existing(base: Path, split: bool) -> None:
    """A stale ``.003`` of an earlier, larger export would be joined by ``cat out.0*``: refuse."""
    taken = existing_volumes(base) if split else []
    if base.exists() or taken:
        raise ExportError(f"{(taken or [base])[0].name} exists already in {base.parent}; remove it first")


def readme_path(base: Path, suffix: str) -> Path:
    """``arsip.README.txt`` next to ``arsip.tar.zst.001``: outside what ``cat arsip.tar.zst.0*`` joins."""
    return base.with_name(f"{base.name.removesuffix(suffix)}.README.txt")


class Volumes:
    """A write-only stream cut into numbered files of at most `size` bytes each."""

    def __init__(self, base: Path, size: int) -> None:
        self.base, self.size = base, size
        self.paths: list[Path] = []
        self.hashes: list[str] = []  # SHA-256 of each finished volume
        self.handle: BinaryIO | None = None
        self.hasher = hashlib.sha256()
        self.left = 0

    def write(self, data: bytes | memoryview) -> int:
        view = memoryview(data)
        while view:
            if self.handle is None or self.left == 0:
                self.next_volume()
            assert self.handle is not None
            piece = view[:self.left]
            self.handle.write(piece)
            self.hasher.update(piece)
            self.left -= len(piece)
            view = view[len(piece):]
        return len(data)

    def next_volume(self) -> None:
        self.close()
        if len(self.paths) >= MAX_VOLUMES:
            raise ExportError(f"more than {MAX_VOLUMES} volumes: choose a larger volume size")
        path = volume_path(self.base, len(self.paths) + 1)
        self.paths.append(path)
        self.handle = open(path, "xb")  # noqa: SIM115 - closed by close(), volume after volume
        self.hasher, self.left = hashlib.sha256(), self.size

    def flush(self) -> None:
        if self.handle is not None:
            self.handle.flush()

    def close(self) -> None:
        if self.handle is not None:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
            self.hashes.append(self.hasher.hexdigest())
            self.handle = None

    def discard(self) -> None:
        self.close()
        for path in self.paths:
            path.unlink(missing_ok=True)


def write_volumes(produce: Callable[[Volumes], None], base: Path, size: int) -> Volumes:
    """Volumes of what `produce` writes; none are left behind when it fails."""
    volumes = Volumes(base, size)
    try:
        produce(volumes)
        if not volumes.paths:
            volumes.next_volume()  # an empty stream still makes one (empty) volume
        volumes.close()
    except BaseException:
        volumes.discard()
        raise
    return volumes


def split_file(whole: Path, base: Path, size: int) -> Volumes:
    def produce(volumes: Volumes) -> None:
        with open(whole, "rb") as handle:
            while block := handle.read(4 * 1024 * 1024):
                volumes.write(block)

    return write_volumes(produce, base, size)


README = """\
Arsip cadangan JagaWeb / JagaWeb backup archive
================================================
Snapshot {id} ({time}), sumber / source: {source}
{count} keping / volumes: {first} ... {last}

BAHASA INDONESIA
1. Salin semua keping ke satu folder (dari semua CD/DVD).
2. Gabungkan keping menjadi satu berkas:
       cat {name}.0* > {name}
   (Windows: copy /b {windows} {name}, atau buka {first} dengan 7-Zip.)
3. Ekstrak: {extract}
4. Periksa keutuhan setiap berkas, di dalam folder hasil ekstrak:
       sha256sum -c SHA256SUMS
   Keping dapat diperiksa sebelum digabung:
       grep -E '^[0-9a-f]{{64}}  ' {readme} | sha256sum -c

ENGLISH
1. Copy every volume into one folder (from all the CDs/DVDs).
2. Join the volumes into one file:
       cat {name}.0* > {name}
   (Windows: copy /b {windows} {name}, or open {first} with 7-Zip.)
3. Extract: {extract}
4. Check every file, inside the extracted folder:
       sha256sum -c SHA256SUMS
   The volumes can be checked before joining:
       grep -E '^[0-9a-f]{{64}}  ' {readme} | sha256sum -c

MANIFEST.json: daftar berkas dengan SHA-256 dan BLAKE3 / the list of files with SHA-256 and BLAKE3.

SHA-256:
{hashes}"""


def write_readme(path: Path, volumes: Volumes, extract: str, about: dict[str, str]) -> None:
    """`about` holds the snapshot's id, time and source; `extract` the command that unpacks the joined file."""
    names = [p.name for p in volumes.paths]
    windows = "+".join(names) if len(names) <= 3 else f"{names[0]}+{names[1]}+...+{names[-1]}"
    text = README.format(
        **about, count=len(names), first=names[0], last=names[-1], windows=windows, name=volumes.base.name,
        readme=path.name, extract=extract,
        hashes="".join(f"{digest}  {name}\n" for digest, name in zip(volumes.hashes, names, strict=True)),
    )
    path.write_text(text, encoding="utf-8")
