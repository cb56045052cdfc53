"""The SFTP backup target against a real OpenSSH server on 127.0.0.1 (see tests/backup/sshd.py)."""

import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from jagaweb.backup.ssh import fingerprint, load_private_key, parse_host_key
from jagaweb.backup.store.lock import RepositoryLocked
from jagaweb.backup.store.repository import Repository
from jagaweb.backup.store.restorer import Restorer
from jagaweb.backup.store.verify import Verifier
from jagaweb.backup.targets import TARGETS, build_target, target_class
from jagaweb.backup.targets.base import Target, TargetError
from jagaweb.backup.targets.local import LocalTarget
from jagaweb.backup.targets.sftp import HostKeyRefused, SFTPTarget
from tests.backup.sshd import free_port, running_sshd
from tests.backup.test_store import backup, make_tree, same_tree


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_sshd(tmp_path_factory.mktemp("sshd")) as running:
        yield running


def sftp_target(server, path, **overrides) -> SFTPTarget:
    params = {
        "port": server.port, "username": server.username, "private_key": server.client_keys["ed25519"],
        "host_key": server.host_keys["ed25519"], **overrides,
    }
    return SFTPTarget(server.host, str(path), **params)


@pytest.fixture
def sftp(server, tmp_path):
    target = sftp_target(server, tmp_path / "repo")
    yield target
    target.close()


@pytest.fixture(params=["local", "sftp"])
def target(request, tmp_path):
    """Both kinds on the same local folder, so a test can look at the files themselves."""
    if request.param == "local":
        yield LocalTarget(tmp_path / "repo")
        return
    target = sftp_target(request.getfixturevalue("server"), tmp_path / "repo")
    yield target
    target.close()


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


# ---- the same contract as LocalTarget ----
def test_write_read_size_exists_and_overwrite(target, tmp_path):
    target.write("config", b"first")
    target.write("data/ab/abcdef", b"x" * 100_000)
    assert target.read("config") == b"first" and target.size("data/ab/abcdef") == 100_000
    assert target.exists("config") and not target.exists("snapshots/none")
    target.write("config", b"second, longer")
    assert target.read("config") == b"second, longer"
    assert (tmp_path / "repo/config").stat().st_mode & 0o077 == 0


def test_missing_files_raise_file_not_found(target):
    target.write("config", b"{}")
    for call in (lambda: target.read("nope"), lambda: target.read_range("nope", 0, 1), lambda: target.size("nope")):
        with pytest.raises(FileNotFoundError):
            call()


def test_read_range_is_exact(target):
    data = os.urandom(300_000)
    target.write("data/ab/pack", data)
    assert target.read_range("data/ab/pack", 0, 0) == b""
    assert target.read_range("data/ab/pack", 12_345, 100_000) == data[12_345:112_345]
    assert target.read_range("data/ab/pack", 299_990, 10) == data[-10:]
    with pytest.raises(TargetError, match="shorter than expected"):
        target.read_range("data/ab/pack", 299_990, 11)


def test_list_is_recursive_relative_and_includes_temporary_files(target, tmp_path):
    for name in ("data/ab/1", "data/cd/2", "index/3", "config"):
        target.write(name, b"x")
    (tmp_path / "repo/data/cd/.tmp-1234-half").write_bytes(b"left by a crash")
    assert sorted(target.list("data")) == ["data/ab/1", "data/cd/.tmp-1234-half", "data/cd/2"]
    assert list(target.list("index")) == ["index/3"]
    assert list(target.list("snapshots")) == []
    assert list(target.list("config")) == []  # a file is not a folder


def test_delete_and_missing_delete(target):
    target.write("locks/mine", b"{}")
    target.delete("locks/mine")
    target.delete("locks/mine")
    assert not target.exists("locks/mine")


def test_writes_leave_no_temporary_files(target, tmp_path):
    for number in range(5):
        target.write(f"index/{number}", os.urandom(70_000))
    target.write("data/ab/big", os.urandom(3_000_000))
    assert files_under(tmp_path / "repo") == ["data/ab/big"] + [f"index/{n}" for n in range(5)]


@pytest.mark.parametrize("name", ["../outside", "/etc/passwd", "data/../../outside"])
def test_names_cannot_leave_the_repository(target, name):
    with pytest.raises(TargetError, match="invalid repository file name"):
        target.write(name, b"x")
    with pytest.raises(TargetError, match="invalid repository file name"):
        target.read(name)


def test_free_bytes(target):
    target.write("config", b"{}")
    free = target.free_bytes()
    assert isinstance(free, int) and free > 0


# ---- the store over SFTP ----
@pytest.mark.parametrize("passphrase", [None, "kata sandi rahasia"])
def test_store_round_trip_over_sftp(server, sftp, tmp_path, passphrase):
    source = make_tree(tmp_path / "src")
    info = backup(Repository.init(sftp, passphrase), source)
    reopened = sftp_target(server, tmp_path / "repo")
    repo = Repository.open(reopened, passphrase)
    _, manifest = repo.load_snapshot(info.id)
    report = Restorer(repo, manifest).restore(tmp_path / "out")
    reopened.close()
    assert report.failed == {}
    assert same_tree(source, tmp_path / "out")
    assert not [n for n in files_under(tmp_path / "repo") if "/.tmp-" in f"/{n}"]


def test_verify_reads_every_pack_over_sftp_and_finds_damage(sftp, tmp_path):
    repo = Repository.init(sftp)
    info = backup(repo, make_tree(tmp_path / "src"))
    assert Verifier(Repository.open(sftp)).run(read_data=True).ok
    _, manifest = repo.load_snapshot(info.id)
    location = repo.load_index().get(bytes.fromhex(manifest.get("index.php").chunks[0]))
    path = tmp_path / "repo" / f"data/{location.pack[:2]}/{location.pack}"
    content = bytearray(path.read_bytes())
    content[location.offset + 3] ^= 0xFF
    path.write_bytes(bytes(content))
    report = Verifier(Repository.open(sftp)).run(read_data=True)
    assert [d.affected for d in report.damage] == [{info.id: ["index.php"]}]


def test_repository_lock_over_sftp(server, sftp, tmp_path):
    Repository.init(sftp)
    other = sftp_target(server, tmp_path / "repo")
    with Repository.open(sftp).locked():
        assert len(list(sftp.list("locks"))) == 1
        with pytest.raises(RepositoryLocked, match="in use by process"):
            Repository.open(other).locked().__enter__()
    with Repository.open(other).locked():
        pass
    assert list(sftp.list("locks")) == []
    other.close()


# ---- connecting ----
@pytest.mark.parametrize("client_key", ["ed25519", "rsa", "ecdsa"])
@pytest.mark.parametrize("host_key", ["ed25519", "rsa"])
def test_key_types_and_pinned_host_key_types(server, tmp_path, client_key, host_key):
    target = sftp_target(server, tmp_path, private_key=server.client_keys[client_key],
                         host_key=server.host_keys[host_key])
    target.write("probe", b"ok")
    assert target.seen_fingerprint == server.fingerprint(host_key)
    target.close()


def test_host_key_as_fingerprint_or_known_hosts_line(server, tmp_path):
    for pin in (server.fingerprint("rsa"), f"[127.0.0.1]:{server.port} {server.host_keys['ed25519']}"):
        target = sftp_target(server, tmp_path, host_key=pin)
        assert not target.exists("probe")
        target.close()


def test_wrong_host_key_is_refused_naming_both_fingerprints(server, tmp_path):
    impostor = load_private_key(server.stranger_key)
    for pin in (f"ssh-ed25519 {impostor.get_base64()}", fingerprint(impostor)):
        target = sftp_target(server, tmp_path, host_key=pin)
        with pytest.raises(HostKeyRefused, match="host key mismatch") as refused:
            target.exists("config")
        assert fingerprint(impostor) in str(refused.value)
        assert server.fingerprint("ed25519") in str(refused.value)
    assert not (tmp_path / "config").exists()


def test_unknown_host_key_is_refused_and_trust_on_first_use_exposes_it(server, tmp_path):
    unknown = sftp_target(server, tmp_path, host_key=None)
    with pytest.raises(HostKeyRefused, match="not known") as refused:
        unknown.exists("config")
    assert server.fingerprint("ed25519") in str(refused.value)

    trusting = sftp_target(server, tmp_path, host_key=None, trust_on_first_use=True)
    trusting.write("probe", b"ok")
    assert trusting.seen_host_key == server.host_keys["ed25519"]
    assert trusting.seen_fingerprint == server.fingerprint("ed25519")
    trusting.close()
    stored = sftp_target(server, tmp_path, host_key=trusting.seen_host_key)
    assert stored.read("probe") == b"ok"
    stored.close()


def test_wrong_client_key_and_password_are_refused(server, tmp_path):
    with pytest.raises(TargetError, match=r"authentication failed .*refused the key"):
        sftp_target(server, tmp_path, private_key=server.stranger_key).exists("config")
    with pytest.raises(TargetError, match=r"authentication failed .*refused the key"):  # pinned: a non-first key
        sftp_target(server, tmp_path, private_key=server.stranger_key, host_key=server.fingerprint("rsa")).exists("x")
    with pytest.raises(TargetError, match=r"authentication failed .*accepts only publickey"):
        sftp_target(server, tmp_path, private_key=None, password="rahasia").exists("config")


def test_unusable_credentials_are_refused_before_connecting(server, tmp_path):
    with pytest.raises(TargetError, match="not an ed25519, ECDSA or RSA key"):
        sftp_target(server, tmp_path, private_key="-----BEGIN NONSENSE-----\nAAAA\n")
    encrypted = tmp_path / "encrypted"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "sandi", "-f", str(encrypted)], check=True)
    with pytest.raises(TargetError, match="passphrase is needed"):
        sftp_target(server, tmp_path, private_key=encrypted.read_text())
    assert sftp_target(server, tmp_path, private_key=encrypted.read_text(), key_passphrase="sandi")
    with pytest.raises(TargetError, match="needs a password or a private key"):
        sftp_target(server, tmp_path, private_key=None)
    with pytest.raises(TargetError, match="neither 'type base64'"):
        sftp_target(server, tmp_path, host_key="ssh-ed25519 not-base64!")


def test_closed_port_fails_quickly_and_clearly(server, tmp_path):
    started = time.monotonic()
    with pytest.raises(TargetError, match=r"cannot connect to 127\.0\.0\.1:\d+: connection refused"):
        sftp_target(server, tmp_path, port=free_port()).exists("config")
    assert time.monotonic() - started < 2


def test_a_port_that_is_not_ssh_is_named(server, tmp_path):
    listener = socket.create_server(("127.0.0.1", 0))

    def answer_like_a_web_server() -> None:
        connection, _ = listener.accept()
        connection.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        connection.close()

    threading.Thread(target=answer_like_a_web_server, daemon=True).start()
    port = listener.getsockname()[1]
    with pytest.raises(TargetError, match=rf"no SSH session with 127\.0\.0\.1:{port}"):
        sftp_target(server, tmp_path, port=port, connect_timeout=3).exists("config")
    listener.close()


def test_a_dropped_connection_is_reopened_once(server, sftp):
    sftp.write("config", b"before")
    for pid in server.session_pids():  # the server side of our connection dies
        os.kill(pid, 9)
    assert sftp.read("config") == b"before"
    sftp.write("config", b"after")
    assert sftp.read("config") == b"after"


def test_a_server_that_stops_answering_times_out(server, tmp_path):
    target = sftp_target(server, tmp_path, operation_timeout=1)
    target.write("config", b"{}")
    frozen = server.session_pids()
    for pid in frozen:
        os.kill(pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        with pytest.raises(TargetError, match=r"stopped answering \(reading config\): no reply within 1 s"):
            target.read("config")
        assert time.monotonic() - started < 3
    finally:
        for pid in frozen:
            os.kill(pid, signal.SIGCONT)
    assert target.read("config") == b"{}"  # on a new connection
    target.close()


def test_permission_denied_is_named(sftp, tmp_path):
    sftp.write("config", b"{}")
    folder = tmp_path / "repo"
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False).returncode:
        pytest.skip("chattr +i is not possible here (not root, or the file system has no such flag)")
    try:
        with pytest.raises(TargetError, match="permission denied on sftp://"):
            sftp.write("snapshots/new", b"x")
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_full_disk_is_named_and_leaves_no_temporary_file(server, tmp_path):
    small = tmp_path / "small"
    small.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(small)],
                             capture_output=True, check=False)
    if mounted.returncode:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        target = sftp_target(server, small)
        target.write("config", b"{}")
        with pytest.raises(TargetError, match="is full"):
            target.write("data/ab/pack", os.urandom(2_000_000))
        assert files_under(small) == ["config"]
        target.close()
    finally:
        subprocess.run(["umount", str(small)], check=True)


# ---- the registry ----
def test_registry_builds_both_kinds(server, tmp_path):
    assert {kind: target_class(kind) for kind in TARGETS} == {"local": LocalTarget, "sftp": SFTPTarget}
    assert isinstance(build_target("local", root=tmp_path), LocalTarget)
    remote = build_target("sftp", host=server.host, path=str(tmp_path), port=server.port, username=server.username,
                          private_key=server.client_keys["ed25519"], host_key=server.host_keys["ed25519"])
    assert isinstance(remote, Target) and remote.describe() == f"sftp://{server.username}@127.0.0.1:{server.port}{tmp_path}"
    with pytest.raises(TargetError, match="unknown backup target kind 'ftp'"):
        build_target("ftp")


def test_parse_host_key_forms(server):
    line = server.host_keys["rsa"]
    assert parse_host_key(line) == ("ssh-rsa", server.fingerprint("rsa"))
    assert parse_host_key(server.fingerprint("rsa")) == (None, server.fingerprint("rsa"))
