"""What the snapshot store needs from backup media: named files, written atomically."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator


class TargetError(Exception):
    """The backup medium failed (full disk, lost connection, permissions); the message says how."""


class Target(ABC):
    """A place that holds one repository: a directory on a disk, or a directory over SFTP.

    Names are relative POSIX paths such as ``data/ab/abcdef...``. `write` is atomic: a reader sees
    the old file or the whole new one, never a part, and a crash leaves at most a temporary file
    whose name starts with ``TMP_PREFIX``.
    """

    TMP_PREFIX = ".tmp-"

    @abstractmethod
    def read(self, name: str) -> bytes: ...

    @abstractmethod
    def read_range(self, name: str, offset: int, length: int) -> bytes: ...

    @abstractmethod
    def write(self, name: str, data: bytes) -> None: ...

    @abstractmethod
    def exists(self, name: str) -> bool: ...

    @abstractmethod
    def size(self, name: str) -> int: ...

    @abstractmethod
    def list(self, folder: str) -> Iterator[str]:
        """Names of the files under `folder`, recursively, temporary files included."""

    @abstractmethod
    def delete(self, name: str) -> None: ...

    def free_bytes(self) -> int | None:
        """Free space on the medium, when it can tell."""
        return None

    def close(self) -> None:
        return None

    def describe(self) -> str:
        return type(self).__name__
