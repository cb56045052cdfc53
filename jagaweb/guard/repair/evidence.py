"""What the quarantine keeps about each path it preserved, and evidence.json, the list of them.

evidence.json is made from the journal's records in the order they were taken, so a later run only
ever adds records after the earlier ones: a record, once written, is never changed or dropped.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jagaweb.guard.repair.webroot import fsync_path

EVIDENCE_FORMAT = 1


@dataclass(frozen=True)
class EvidenceRecord:
    path: str  # relative to the web root
    change: str  # ChangeKind the change list gave (or "added" for what lay inside an added folder)
    type: str  # PathType of what was there
    size: int
    mode: int  # permission bits (evidence.json shows them in octal)
    uid: int
    gid: int
    mtime_ns: int
    sha256: str = ""  # of the copy; of the link's target text for a symlink
    blake3: str = ""
    copy: str = ""  # the copy's path inside the quarantine folder; "" for folders, links and others
    target: str = ""  # a symlink's target, as read (never followed)
    captured_at: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["mode"] = f"{self.mode:04o}"
        data["mtime"] = datetime.fromtimestamp(self.mtime_ns / 1e9, UTC).isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvidenceRecord:
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        values["mode"] = int(str(values["mode"]), 8)
        return cls(**values)


def now_text() -> str:
    return datetime.now(UTC).isoformat()


def evidence_bytes(root: str, records: list[EvidenceRecord]) -> bytes:
    document = {"format": EVIDENCE_FORMAT, "root": root, "records": [record.as_dict() for record in records]}
    return json.dumps(document, ensure_ascii=False, indent=1).encode() + b"\n"


def write_evidence(path: Path, root: str, records: list[EvidenceRecord]) -> bool:
    """Write evidence.json atomically when it is missing or lacks records; True when written."""
    content = evidence_bytes(root, records)
    try:
        if path.read_bytes() == content:
            return False
    except FileNotFoundError:
        pass
    temporary = path.with_name(f".tmp-{secrets.token_hex(6)}-{path.name}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        try:
            view = memoryview(content)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_path(path.parent)
    return True


def read_evidence(path: Path) -> list[EvidenceRecord]:
    """The records of an evidence.json (for callers and tests that check it)."""
    document = json.loads(path.read_bytes())
    return [EvidenceRecord.from_dict(item) for item in document["records"]]
