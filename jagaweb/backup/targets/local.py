"""A directory: a mounted external disk, a USB drive, a NAS mount, or a local folder."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

from jagaweb.backup.targets.base import Target, TargetError


class LocalTarget(Target):
    kind = "local"

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def describe(self) -> str:
        return str(self.root)

    def path(self, name: str) -> Path:
        if name.startswith("/") or ".." in name.split("/"):
            raise TargetError(f"invalid repository file name {name!r}")
        return self.root / name

    def read(self, name: str) -> bytes:
        try:
            return self.path(name).read_bytes()
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise TargetError(f"cannot read {name} from {self.root}: {exc.strerror}") from exc

    def read_range(self, name: str, offset: int, length: int) -> bytes:
        try:
            fd = os.open(self.path(name), os.O_RDONLY)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise TargetError(f"cannot open {name} in {self.root}: {exc.strerror}") from exc
        try:
            data = os.pread(fd, length, offset)
        finally:
            os.close(fd)
        if len(data) != length:
            raise TargetError(f"{name} is shorter than expected (wanted {length} bytes at {offset})")
        return data

    def write(self, name: str, data: bytes) -> None:
        final = self.path(name)
        temporary = final.with_name(f"{self.TMP_PREFIX}{os.urandom(8).hex()}-{final.name}")
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                view = memoryview(data)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temporary, final)
            self._fsync_dir(final.parent)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise TargetError(f"the backup medium {self.root} is full (writing {name})") from exc
            raise TargetError(f"cannot write {name} to {self.root}: {exc.strerror}") from exc

    @staticmethod
    def _fsync_dir(folder: Path) -> None:
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def exists(self, name: str) -> bool:
        return self.path(name).exists()

    def size(self, name: str) -> int:
        return self.path(name).stat().st_size

    def list(self, folder: str) -> Iterator[str]:
        base = self.path(folder)
        if not base.is_dir():
            return
        for dirpath, _dirs, files in os.walk(base):
            relative = Path(dirpath).relative_to(self.root).as_posix()
            for file in files:
                yield f"{relative}/{file}"

    def delete(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)

    def free_bytes(self) -> int | None:
        probe = self.root if self.root.exists() else self.root.parent
        stats = os.statvfs(probe)
        return stats.f_bavail * stats.f_frsize
