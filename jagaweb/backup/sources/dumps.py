"""Database dumps streamed into the store, and dumps streamed back into a database client,
without temporary files.

A dump's stdout goes straight into ``archiver.add_stream``; on the way `TailReader` keeps the last
few KB, so the tool's completion trailer is checked without reading the dump again. A dump counts
only with exit status 0, the trailer at its end, and no error on stderr; anything else is
DumpFailed, and the entry is taken back out of the archiver.
"""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Iterable

import blake3

from jagaweb.backup.sources.base import ClientFailed, DatabaseRestoreFailed, DumpFailed
from jagaweb.backup.sources.process import Child, Command, TailReader
from jagaweb.backup.store.archiver import Archiver
from jagaweb.backup.store.manifest import Entry

READ_BUFFER = 1024 * 1024
REASONS = (
    (re.compile(r"\b1045\b|using password: |password authentication failed|no password supplied", re.I),
     "authentication failed (wrong user name or password)"),
    (re.compile(r"unknown database|database \".*\" does not exist", re.I), "the database does not exist"),
    (re.compile(r"\b1044\b|access denied|permission denied", re.I), "access denied"),
    (re.compile(r"can't connect|could not connect|connection refused|could not translate host name|"
                r"unknown (mysql|mariadb) server host|timeout expired", re.I), "cannot connect to the database server"),
)


def classify(stderr: str) -> str:
    """A short cause for the operator, from the tool's own words; "" when none is recognised."""
    return next((reason for pattern, reason in REASONS if pattern.search(stderr)), "")


def ends_with_trailer(tail: bytes, trailer: bytes) -> bool:
    """True when the last trailer line is followed by nothing but blank lines, SQL comments, or
    pg_dump's closing ``\\unrestrict`` line."""
    at = tail.rfind(trailer)
    if at < 0 or (at > 0 and tail[at - 1:at] != b"\n"):
        return False
    after = tail[at:].split(b"\n")[1:]
    return all(not line.strip() or line.startswith((b"--", b"\\unrestrict ")) for line in after)


def withdraw(archiver: Archiver, entry: Entry) -> None:
    """Take a failed dump back out of the snapshot being built, in case a caller goes on to call
    finish() despite the exception (it must not)."""
    archiver.entries = [e for e in archiver.entries if e is not entry]
    archiver.stats.files -= 1
    archiver.stats.bytes_read -= entry.size
    archiver.stats.bytes_total -= entry.size


def dump_problems(child: Child, code: int, tail: bytes, trailer: bytes, timeout: float | None) -> list[str]:
    """Why a dump cannot be trusted; empty when it can. A tool that failed outright is described by
    its exit status and stderr; the finer checks matter when it claims success."""
    if child.timed_out:
        return [f"stopped after the time limit of {timeout:g} s"]
    if code != 0:
        return [f"exit status {code}"]
    problems = ["exit status 0 but errors on stderr"] if child.stderr.errors else []
    if not ends_with_trailer(tail, trailer):
        problems.append(f"the dump is incomplete (it does not end with {trailer.decode()!r})")
    return problems


def failure(kind: type[ClientFailed], what: str, problems: list[str], code: int, child: Child) -> ClientFailed:
    stderr = child.stderr.text
    reason = "timed out" if child.timed_out else classify(stderr)
    message = f"{what} failed: " + (f"{reason}; " if reason else "") + "; ".join(problems)
    if summary := child.stderr.summary():
        message += f" — {summary}"
    return kind(message, exit_code=code, stderr=stderr, reason=reason)


class ContentCheck:
    """The BLAKE3 of everything fed, compared with the manifest's content hash."""

    def __init__(self, expected: str, name: str) -> None:
        self.hasher = blake3.blake3()
        self.expected = expected
        self.name = name

    def update(self, data: bytes) -> None:
        self.hasher.update(data)

    def verify(self) -> None:
        if self.hasher.hexdigest() != self.expected:
            raise DatabaseRestoreFailed(f"{self.name}: the dump read back does not match its content hash")


def stream_dump(
    archiver: Archiver, path: str, command: Command, trailer: bytes, timeout: float | None, what: str
) -> Entry:
    """Run a dump tool, its stdout stored as `path`; DumpFailed unless it exited 0, ended with
    `trailer`, and wrote no error to stderr."""
    with Child(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, timeout=timeout) as child:
        assert child.proc.stdout is not None
        tail = TailReader(child.proc.stdout)
        entry = archiver.add_stream(path, io.BufferedReader(tail, READ_BUFFER))
        code = child.wait()
    problems = dump_problems(child, code, tail.last(), trailer, timeout)
    if problems:
        withdraw(archiver, entry)
        raise failure(DumpFailed, f"{command.tool} of {what}", problems, code, child)
    return entry


def feed(command: Command, blobs: Iterable[bytes], check: ContentCheck, timeout: float | None, what: str) -> int:
    """Write `blobs` to a client's stdin; the bytes written. The content check runs before stdin is
    closed: on a mismatch the client is killed, so psql --single-transaction commits nothing."""
    written, complete = 0, False
    with Child(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, timeout=timeout) as child:
        assert child.proc.stdin is not None
        try:
            for data in blobs:
                check.update(data)
                child.proc.stdin.write(data)
                written += len(data)
            check.verify()
            child.proc.stdin.close()
            complete = True
        except BrokenPipeError:
            pass  # the client stopped reading: its exit status and stderr say why
        code = child.wait()
    problems = restore_problems(child, code, complete)
    if problems:
        raise failure(DatabaseRestoreFailed, f"{command.tool} restoring {what}", problems, code, child)
    return written


def restore_problems(child: Child, code: int, complete: bool) -> list[str]:
    if child.timed_out:
        return ["stopped after the time limit"]
    problems = [f"exit status {code}"] if code != 0 else []
    if not complete:
        problems.append("the client stopped reading the dump before its end")
    return problems


def run_sql(command: Command, sql: str, timeout: float | None, what: str) -> None:
    """Run a short statement through the client (on stdin, so names need no shell quoting)."""
    try:
        done = subprocess.run(command.argv, env=command.env, input=sql.encode(), capture_output=True,
                              timeout=timeout or 120, check=False)
    except subprocess.TimeoutExpired:
        raise DatabaseRestoreFailed(f"{command.tool} {what}: no answer within the time limit") from None
    if done.returncode != 0:
        stderr = done.stderr.decode(errors="replace").strip()
        reason = classify(stderr)
        raise DatabaseRestoreFailed(
            f"{command.tool} {what} failed: " + (f"{reason}; " if reason else "") + stderr[-500:],
            exit_code=done.returncode, stderr=stderr, reason=reason,
        )
