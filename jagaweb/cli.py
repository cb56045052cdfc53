"""The `jagaweb` console command: every Django management command, with JagaWeb's settings.

`jagaweb init`, `jagaweb serve`, `jagaweb demo` ... are management commands; `jagaweb manage X`
is the same as `jagaweb X`, for people used to `manage.py`.
"""

from __future__ import annotations

import os
import sys


def run() -> None:
    """The console command. After a log scan it leaves without the interpreter's clean-up: that frees the
    scan's hundreds of megabytes piece by piece (a tenth of a second) just before the system takes them
    back anyway, and the scan has closed its files and joined its threads."""
    main()
    if is_log_scan(sys.argv):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def is_log_scan(args: list[str]) -> bool:
    return [word for word in args[1:4] if word != "manage"][:2] == ["logs", "scan"]


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and args[1] == "manage":
        del args[1]
    args[0] = "jagaweb"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jagaweb.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        if is_log_scan(args):
            # Scanning files needs no app and no management command: loading them would cost about a second
            # before the first line. The first lines are read while Polars and the settings are imported.
            from jagaweb.logwatch.early import start_early_read
            from jagaweb.logwatch.memory import keep_freed_memory
            from jagaweb.logwatch.reader import DEFAULT_BATCH_BYTES

            keep_freed_memory(share_arena=True)  # before the first thread starts (logwatch/memory.py)
            early = start_early_read(args[3:], DEFAULT_BATCH_BYTES)
            from jagaweb.logwatch.scan_command import main as scan_logs

            scan_logs(args[3:], early)
            return
        from django.core.management import execute_from_command_line

        execute_from_command_line(args)
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"jagaweb: configuration error: {exc}\n")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
