"""A real OpenSSH server on 127.0.0.1 for the SFTP target tests.

`running_sshd(directory)` generates host keys and client keys with ssh-keygen, writes a minimal
sshd_config (key login only, internal-sftp, everything inside `directory`), starts
``sshd -D -e -f <config>`` on a free port, waits until the port answers and stops it at the end.
A missing sshd is `unavailable` (a skip locally, a failure under CI); any other start failure is
reported with sshd's own words.
"""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from tests.services import port_open, unavailable

SSHD = "/usr/sbin/sshd"
START_TIMEOUT = 10.0
CLIENT_KEY_TYPES = ("ed25519", "rsa", "ecdsa")

CONFIG = """\
Port {port}
ListenAddress 127.0.0.1
HostKey {directory}/host_ed25519
HostKey {directory}/host_rsa
PidFile {directory}/sshd.pid
AuthorizedKeysFile {directory}/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
Subsystem sftp internal-sftp
LogLevel VERBOSE
"""


@dataclass
class SshServer:
    host: str
    port: int
    username: str
    directory: Path
    process: subprocess.Popen[bytes] | None = None
    host_keys: dict[str, str] = field(default_factory=dict)  # "ed25519" -> "ssh-ed25519 AAAA..."
    client_keys: dict[str, str] = field(default_factory=dict)  # "ed25519" -> private key text
    stranger_key: str = ""  # a valid key the server does not know

    def fingerprint(self, kind: str) -> str:
        """The host key fingerprint as ssh-keygen prints it ("SHA256:...")."""
        out = run(["ssh-keygen", "-l", "-E", "sha256", "-f", str(self.directory / f"host_{kind}.pub")])
        return out.split()[1]

    def log(self) -> str:
        return (self.directory / "sshd.log").read_text(errors="replace")

    def session_pids(self) -> list[int]:
        """Processes sshd started for connections, all generations (ending them drops the connections)."""
        if self.process is None:
            return []
        parents = dict(process_parents())
        found, frontier = [], {self.process.pid}
        while frontier:
            children = [pid for pid, parent in parents.items() if parent in frontier]
            found.extend(children)
            frontier = set(children)
        return found


def process_parents() -> list[tuple[int, int]]:
    pairs = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        pairs.append((int(stat.parent.name), int(fields[1])))
    return pairs


def run(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def keygen(path: Path, kind: str, pem: bool = False) -> tuple[str, str]:
    """A new key pair without passphrase: (private key text, public key line)."""
    command = ["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", f"jagaweb-test-{kind}", "-f", str(path)]
    if kind == "rsa":
        command += ["-b", "2048"]
    if pem:
        command += ["-m", "PEM"]
    run(command)
    return path.read_text(), path.with_suffix(".pub").read_text().strip()


def require_openssh() -> None:
    if not os.access(SSHD, os.X_OK):
        unavailable("OpenSSH server", f"{SSHD} is not installed (apt-get install openssh-server)")
    if shutil.which("ssh-keygen") is None:
        unavailable("OpenSSH server", "ssh-keygen is not installed (apt-get install openssh-client)")


def prepare(directory: Path, port: int) -> SshServer:
    directory.mkdir(parents=True, exist_ok=True)
    server = SshServer("127.0.0.1", port, getpass.getuser(), directory)
    for kind in ("ed25519", "rsa"):
        _private, public = keygen(directory / f"host_{kind}", kind)
        server.host_keys[kind] = " ".join(public.split()[:2])
    authorized = []
    for kind in CLIENT_KEY_TYPES:
        # RSA in the classic PEM format, the others in the OpenSSH format: both must load.
        private, public = keygen(directory / f"client_{kind}", kind, pem=kind == "rsa")
        server.client_keys[kind] = private
        authorized.append(public)
    server.stranger_key, _public = keygen(directory / "stranger_ed25519", "ed25519")
    (directory / "authorized_keys").write_text("\n".join(authorized) + "\n")
    (directory / "sshd_config").write_text(CONFIG.format(port=port, directory=directory))
    return server


def privilege_separation_dir() -> None:
    """sshd refuses to start without its (empty, root-owned) privilege separation directory."""
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)


def start(server: SshServer) -> None:
    config = str(server.directory / "sshd_config")
    check = subprocess.run([SSHD, "-t", "-f", config], capture_output=True, text=True, timeout=30, check=False)
    if check.returncode != 0:
        raise RuntimeError(f"sshd refuses its test configuration: {check.stderr.strip()}")
    with open(server.directory / "sshd.log", "wb") as log:
        process = subprocess.Popen([SSHD, "-D", "-e", "-f", config], stdout=log, stderr=log)
    server.process = process
    deadline = time.monotonic() + START_TIMEOUT
    while not port_open(server.host, server.port, timeout=0.5):
        if process.poll() is not None:
            raise RuntimeError(f"sshd exited with status {process.returncode}: {server.log().strip()}")
        if time.monotonic() > deadline:
            stop(server)
            raise RuntimeError(f"sshd did not answer on port {server.port} in {START_TIMEOUT:.0f} s: {server.log()}")
        time.sleep(0.05)


def stop(server: SshServer) -> None:
    for pid in server.session_pids():
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    process = server.process
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@contextmanager
def running_sshd(directory: Path) -> Iterator[SshServer]:
    require_openssh()
    privilege_separation_dir()
    server = prepare(directory, free_port())
    start(server)
    try:
        yield server
    finally:
        stop(server)

