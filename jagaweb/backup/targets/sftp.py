"""A directory on another server over SFTP: the off-site copy ("media backup") on an OpenSSH server.

Logging in (host key pinning, trust on first use, timeouts) is `jagaweb.backup.ssh.SshLogin`.
Writes go to ``<dir>/.tmp-<random>-<name>``, are fsynced with ``fsync@openssh.com`` and renamed over
the final name with ``posix-rename@openssh.com``, so a reader sees the old or the whole new file.
paramiko exposes only posix-rename publicly; fsync and statvfs are sent through
``SFTPClient._request``, the call paramiko's own posix_rename uses (see `_extended`).
A dropped connection is re-opened once, transparently, per operation.
"""

from __future__ import annotations

import contextlib
import errno
import posixpath
import secrets
import stat
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import paramiko
from paramiko.sftp import CMD_EXTENDED, CMD_EXTENDED_REPLY

from jagaweb.backup.ssh import CONNECT_TIMEOUT, HostKeyError, SshError, SshLogin
from jagaweb.backup.targets.base import Target, TargetError

OPERATION_TIMEOUT = 120.0  # waiting for one SFTP reply: a hung server fails instead of blocking a backup
WINDOW_SIZE = 16 * 1024 * 1024  # a whole pack in flight: fewer stalls on links with latency
PIECE = 32 * 1024  # paramiko's largest read request (SFTPFile.MAX_REQUEST_SIZE)
BATCH = 8 * 1024 * 1024  # read requests in flight at once; paramiko's bookkeeping grows with their square
LINK_ERRORS = (EOFError, paramiko.SSHException, ConnectionError)
T = TypeVar("T")


class HostKeyRefused(TargetError):
    """The server's host key is not the stored one, or none is stored and first use is not trusted."""


def _extended(sftp: paramiko.SFTPClient, request: str, *args: Any) -> tuple[int | None, Any]:
    """Send an OpenSSH extension request (paramiko has no public call for fsync and statvfs)."""
    return sftp._request(CMD_EXTENDED, request, *args)


def _await_writes(sftp: paramiko.SFTPClient, handle: paramiko.SFTPFile) -> None:
    """Collect the replies of pipelined writes, oldest first.

    paramiko drops the status of a pipelined write whose reply is read while waiting for another
    request, so a write refused by a full disk would pass unnoticed; read them here, in order.
    """
    while handle._reqs:
        sftp._read_response(handle._reqs.popleft())


def _read_pieces(handle: paramiko.SFTPFile, offset: int, length: int) -> bytes:
    """Read with many requests in flight (a round trip per BATCH, not one per 32 KiB)."""
    parts = []
    end = offset + length
    for batch in range(offset, end, BATCH):
        batch_end = min(batch + BATCH, end)
        pieces = [(start, min(PIECE, batch_end - start)) for start in range(batch, batch_end, PIECE)]
        parts.extend(handle.readv(pieces))
    return b"".join(parts)


def _makedirs(sftp: paramiko.SFTPClient, folder: str) -> None:
    """mkdir -p: create the missing directories from the top down; another writer may race us."""
    missing = []
    while folder not in ("", ".", "/"):
        try:
            if not stat.S_ISDIR(sftp.stat(folder).st_mode or 0):
                raise TargetError(f"{folder} exists on the server and is not a directory")
            break
        except FileNotFoundError:
            missing.append(folder)
            folder = posixpath.dirname(folder)
    for path in reversed(missing):
        try:
            sftp.mkdir(path, 0o700)
        except OSError:
            if not _is_dir(sftp, path):
                raise


def _is_dir(sftp: paramiko.SFTPClient, path: str) -> bool:
    try:
        return stat.S_ISDIR(sftp.stat(path).st_mode or 0)
    except FileNotFoundError:
        return False


def _walk(sftp: paramiko.SFTPClient, remote: str, prefix: str) -> list[str]:
    try:
        entries = sftp.listdir_attr(remote)
    except FileNotFoundError:  # OpenSSH answers "no such file" for a missing folder and for a file
        return []
    names: list[str] = []
    for entry in entries:
        name = f"{prefix}/{entry.filename}" if prefix else entry.filename
        if stat.S_ISDIR(entry.st_mode or 0):
            names.extend(_walk(sftp, f"{remote}/{entry.filename}", name))
        else:
            names.append(name)
    return names


def _remove_quietly(sftp: paramiko.SFTPClient, path: str) -> None:
    try:
        sftp.remove(path)
    except (OSError, *LINK_ERRORS):
        pass  # a leftover temporary file is removed by the next run that takes the lock


class SFTPTarget(Target):
    kind = "sftp"

    def __init__(
        self, host: str, path: str = ".", *, username: str, port: int = 22, password: str | None = None,
        private_key: str | None = None, key_passphrase: str | None = None, host_key: str | None = None,
        trust_on_first_use: bool = False, connect_timeout: float = CONNECT_TIMEOUT,
        operation_timeout: float = OPERATION_TIMEOUT,
    ) -> None:
        try:
            self.login = SshLogin(
                host, port, username, password=password, private_key=private_key, key_passphrase=key_passphrase,
                host_key=host_key, trust_on_first_use=trust_on_first_use, timeout=connect_timeout,
            )
        except SshError as exc:
            raise TargetError(str(exc)) from None
        self.base = path.rstrip("/") or ("/" if path.startswith("/") else ".")
        self.operation_timeout = operation_timeout
        self.fsync_offered = True
        self._transport: paramiko.Transport | None = None
        self._sftp: paramiko.SFTPClient | None = None
        self._lock = threading.RLock()

    def describe(self) -> str:
        path = self.base if self.base.startswith("/") else "/~" + self.base.removeprefix(".")
        return f"sftp://{self.login.username}@{self.login.address}{path}"

    def remote(self, name: str) -> str:
        if name.startswith("/") or ".." in name.split("/"):
            raise TargetError(f"invalid repository file name {name!r}")
        return posixpath.join(self.base, name) if name else self.base

    # ---- connecting ----
    @property
    def seen_host_key(self) -> str | None:
        """The server's host key ("type base64") from the last connection: what to store after first use."""
        return self.login.seen_host_key

    @property
    def seen_fingerprint(self) -> str | None:
        return self.login.seen_fingerprint

    def _connect(self) -> paramiko.SFTPClient:
        try:
            transport = self.login.connect()
        except HostKeyError as exc:
            raise HostKeyRefused(str(exc)) from None
        except SshError as exc:
            raise TargetError(str(exc)) from None
        try:
            sftp = paramiko.SFTPClient.from_transport(transport, window_size=WINDOW_SIZE)
        except (paramiko.SSHException, EOFError, OSError) as exc:
            transport.close()
            raise TargetError(f"{self.login.address} offers no SFTP: {exc or type(exc).__name__}") from None
        sftp.get_channel().settimeout(self.operation_timeout)
        self._transport, self._sftp = transport, sftp
        return sftp

    def _client(self) -> paramiko.SFTPClient:
        if self._sftp is not None and not self._connection_lost():
            return self._sftp
        self.close()
        return self._connect()

    def _connection_lost(self) -> bool:
        channel = self._sftp.get_channel() if self._sftp is not None else None
        return self._transport is None or not self._transport.is_active() or channel is None or channel.closed

    def close(self) -> None:
        sftp, transport, self._sftp, self._transport = self._sftp, self._transport, None, None
        if sftp is not None:
            sftp.close()
        if transport is not None:
            transport.close()

    # ---- running an operation ----
    def _run(self, what: str, operation: Callable[[paramiko.SFTPClient], T]) -> T:
        with self._lock:
            for attempt in (1, 2):
                try:
                    return operation(self._client())
                except FileNotFoundError:
                    raise FileNotFoundError(errno.ENOENT, f"not found on {self.describe()} ({what})") from None
                except TargetError:
                    raise
                except (OSError, *LINK_ERRORS) as exc:
                    if attempt == 2 or not self._dropped(exc):
                        raise self._failure(what, exc) from exc
                    self.close()  # dropped (server restart, network blip): once more, on a new connection
        raise AssertionError("unreachable")

    def _dropped(self, exc: BaseException) -> bool:
        """Whether the connection broke; a timeout is not retried (it would only double the wait)."""
        return not isinstance(exc, TimeoutError) and (isinstance(exc, LINK_ERRORS) or self._connection_lost())

    def _failure(self, what: str, exc: BaseException) -> TargetError:
        if isinstance(exc, PermissionError):
            return TargetError(f"permission denied on {self.describe()} ({what})")
        if isinstance(exc, TimeoutError):
            self.close()  # replies may still be on their way; start clean next time
            return TargetError(f"{self.login.address} stopped answering ({what}): no reply within "
                               f"{self.operation_timeout:.0f} s")
        if isinstance(exc, LINK_ERRORS) or self._connection_lost():
            self.close()
            return TargetError(f"the connection to {self.login.address} was lost ({what}): {exc or type(exc).__name__}")
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return TargetError(f"the SFTP server {self.describe()} failed {what}: {detail}")

    # ---- the Target interface ----
    def read(self, name: str) -> bytes:
        def read(sftp: paramiko.SFTPClient) -> bytes:
            with sftp.open(path, "rb") as handle:
                size = handle.stat().st_size or 0
                data = _read_pieces(handle, 0, size)
            if len(data) != size:
                raise TargetError(f"{name} changed while it was read ({len(data)} of {size} bytes)")
            return data

        path = self.remote(name)
        return self._run(f"reading {name}", read)

    def read_range(self, name: str, offset: int, length: int) -> bytes:
        def read_range(sftp: paramiko.SFTPClient) -> bytes:
            with sftp.open(path, "rb") as handle:
                return _read_pieces(handle, offset, length)

        path = self.remote(name)
        data = self._run(f"reading {name}", read_range)
        if len(data) != length:
            raise TargetError(f"{name} is shorter than expected (wanted {length} bytes at {offset})")
        return data

    def write(self, name: str, data: bytes) -> None:
        final = self.remote(name)
        try:
            self._run(f"writing {name}", lambda sftp: self._write(sftp, final, data))
        except FileNotFoundError as exc:  # e.g. our temporary file removed by a clean-up meanwhile
            raise TargetError(f"cannot write {name}: {exc.strerror}") from None

    def _write(self, sftp: paramiko.SFTPClient, final: str, data: bytes) -> None:
        folder, leaf = posixpath.split(final)
        temporary = posixpath.join(folder, f"{self.TMP_PREFIX}{secrets.token_hex(8)}-{leaf}")
        try:
            self._upload(sftp, temporary, folder, data)
            sftp.posix_rename(temporary, final)
        except BaseException as exc:
            if not isinstance(exc, (TimeoutError, *LINK_ERRORS)):  # on a broken link it would only wait
                _remove_quietly(sftp, temporary)
            if type(exc) is OSError and exc.errno is None and self._full(sftp, len(data)):
                raise TargetError(f"the backup medium {self.describe()} is full (writing {final})") from exc
            raise

    def _upload(self, sftp: paramiko.SFTPClient, temporary: str, folder: str, data: bytes) -> None:
        try:
            handle = sftp.open(temporary, "wxb")
        except FileNotFoundError:
            _makedirs(sftp, folder)
            handle = sftp.open(temporary, "wxb")
        with handle:
            handle.chmod(0o600)  # before any data: database dumps must not be readable by others
            handle.set_pipelined(True)
            handle.write(memoryview(data))
            _await_writes(sftp, handle)
            self._fsync(sftp, handle)

    def _fsync(self, sftp: paramiko.SFTPClient, handle: paramiko.SFTPFile) -> None:
        """Ask the server to flush the file to its disk before the rename makes it visible.

        A server without fsync@openssh.com (OpenSSH before 6.5, some appliances) only closes the
        file: the data is in its page cache, and a power cut on that server can lose the newest packs.
        """
        if not self.fsync_offered:
            return
        try:
            _extended(sftp, "fsync@openssh.com", handle.handle)
        except OSError as exc:
            if "unsupported" not in str(exc).lower():
                raise
            self.fsync_offered = False

    def _full(self, sftp: paramiko.SFTPClient, needed: int) -> bool:
        """Whether a generic write failure was most likely a full disk.

        SFTP version 3 (what OpenSSH speaks) has no "no space" status: ENOSPC and EDQUOT arrive as
        the generic SSH_FX_FAILURE. So after such a failure we ask statvfs for the free space and
        call the medium full when it cannot take this file. A quota is invisible to statvfs.
        """
        try:
            free = self._statvfs(sftp)
        except (OSError, *LINK_ERRORS):
            return False
        return free is not None and free < needed

    def exists(self, name: str) -> bool:
        def exists(sftp: paramiko.SFTPClient) -> bool:
            try:
                sftp.stat(path)
            except FileNotFoundError:
                return False
            return True

        path = self.remote(name)
        return self._run(f"looking for {name}", exists)

    def size(self, name: str) -> int:
        path = self.remote(name)
        return self._run(f"reading the size of {name}", lambda sftp: int(sftp.stat(path).st_size or 0))

    def list(self, folder: str) -> Iterator[str]:
        path = self.remote(folder)
        return iter(self._run(f"listing {folder or 'the repository'}", lambda sftp: _walk(sftp, path, folder)))

    def delete(self, name: str) -> None:
        def delete(sftp: paramiko.SFTPClient) -> None:
            with contextlib.suppress(FileNotFoundError):
                sftp.remove(path)

        path = self.remote(name)
        self._run(f"deleting {name}", delete)

    def free_bytes(self) -> int | None:
        return self._run("reading the free space", self._statvfs)

    def _statvfs(self, sftp: paramiko.SFTPClient) -> int | None:
        """Free space for us (f_bavail * f_frsize) by statvfs@openssh.com; None when not offered."""
        for path in (self.base, "."):  # the base directory may not exist before the first write
            try:
                kind, reply = _extended(sftp, "statvfs@openssh.com", path)
            except FileNotFoundError:
                continue
            except OSError:
                return None
            if kind != CMD_EXTENDED_REPLY:
                return None
            _bsize, frsize, _blocks, _bfree, bavail = (reply.get_int64() for _ in range(5))
            return int(bavail * frsize)
        return None
