"""The file guard's risk scoring of a web root (the "inside view"), offline and without a baseline.

report = scan_directory(Path("/var/www/portal"))           # or only={"index.php", ".htaccess"}
report.scanned, [f.as_dict() for f in report.files]
scan_file("wp-content/uploads/x.php", data)                 # one file -> FileFinding | None
"""

from __future__ import annotations

from jagaweb.guard.files.findings import FileFinding, ScanReport, Skipped
from jagaweb.guard.files.scan import judge, scan_directory, scan_file

__all__ = ["FileFinding", "ScanReport", "Skipped", "judge", "scan_directory", "scan_file"]
