"""SSH logins to other servers (backup media over SFTP): a pinned host key, timeouts, key or password.

A server is known by its host key, stored as ``"type base64"`` (a line of the server's
``/etc/ssh/ssh_host_*_key.pub``) or as its ``SHA256:`` fingerprint. An unknown key is refused, unless
the caller trusts it on first use; either way the key the server showed is kept in `seen_host_key`
and `seen_fingerprint`, so it can be shown to an operator and stored.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import itertools
import socket

import paramiko

from jagaweb import net

CONNECT_TIMEOUT = 15.0  # TCP connect, SSH banner, key exchange and authentication, each
KEEPALIVE_SECONDS = 30  # keeps NAT and firewall state alive while we are busy on our side
# The negotiable algorithms of each key type, so the server shows the kind of key that is pinned.
HOST_KEY_ALGORITHMS = {
    "ssh-ed25519": ("ssh-ed25519",),
    "ssh-rsa": ("rsa-sha2-512", "rsa-sha2-256"),
    "ecdsa-sha2-nistp256": ("ecdsa-sha2-nistp256",),
    "ecdsa-sha2-nistp384": ("ecdsa-sha2-nistp384",),
    "ecdsa-sha2-nistp521": ("ecdsa-sha2-nistp521",),
}
KEY_CLASSES = (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey)


class SshError(Exception):
    """The SSH server cannot be reached or refuses us; the message says which and why."""


class HostKeyError(SshError):
    """The server's host key is not the stored one, or none is stored and first use is not trusted."""


def fingerprint(key: paramiko.PKey) -> str:
    """OpenSSH's SHA256 fingerprint, as `ssh-keygen -l` prints it."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(key.asbytes()).digest()).decode().rstrip("=")


def parse_host_key(value: str) -> tuple[str | None, str]:
    """(key type, or None for a bare fingerprint; SHA256 fingerprint) of a stored host key."""
    words = value.split()
    if words and words[0].startswith("SHA256:"):
        digest = words[0].removeprefix("SHA256:").rstrip("=")
        try:
            if len(base64.b64decode(digest + "=" * (-len(digest) % 4), validate=True)) == 32:
                return None, f"SHA256:{digest}"
        except binascii.Error:
            pass
    for key_type, blob in itertools.pairwise(words):  # also accepts a known_hosts line "host type key"
        if key_type in HOST_KEY_ALGORITHMS:
            try:
                return key_type, fingerprint(paramiko.PKey.from_type_string(key_type, base64.b64decode(blob)))
            except (binascii.Error, ValueError, paramiko.SSHException):
                break
    raise SshError(
        f"the host key {value[:60]!r} is neither 'type base64' (a line of /etc/ssh/ssh_host_*_key.pub) "
        "nor a 'SHA256:...' fingerprint"
    )


def load_private_key(text: str, passphrase: str | None = None) -> paramiko.PKey:
    """An ed25519, ECDSA or RSA private key, in the OpenSSH or the PEM format."""
    for key_class in KEY_CLASSES:
        try:
            return key_class.from_private_key(io.StringIO(text.strip() + "\n"), password=passphrase)
        except paramiko.PasswordRequiredException:
            raise SshError("the private key is encrypted: its passphrase is needed") from None
        except (paramiko.SSHException, ValueError):
            continue  # not this type; paramiko only knows by trying
    raise SshError("the private key is not an ed25519, ECDSA or RSA key in OpenSSH or PEM format, "
                   "or its passphrase is wrong")


class SshLogin:
    """Where and how to log in; `connect()` gives an authenticated transport or raises SshError."""

    def __init__(
        self, host: str, port: int, username: str, *, password: str | None = None, private_key: str | None = None,
        key_passphrase: str | None = None, host_key: str | None = None, trust_on_first_use: bool = False,
        timeout: float = CONNECT_TIMEOUT,
    ) -> None:
        if not password and not private_key:
            raise SshError(f"logging in to {host} needs a password or a private key")
        self.host, self.port, self.username, self.password = host, int(port), username, password
        self.pkey = load_private_key(private_key, key_passphrase) if private_key else None
        self.pinned = parse_host_key(host_key) if host_key else None
        self.trust_on_first_use, self.timeout = trust_on_first_use, timeout
        self.seen_host_key: str | None = None  # "type base64" of the key the server showed
        self.seen_fingerprint: str | None = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def connect(self) -> paramiko.Transport:
        if self.pinned is not None and self.pinned[0] is None:
            return self._connect_by_fingerprint()
        return self._connect(self.pinned[0] if self.pinned else None)

    def _connect_by_fingerprint(self) -> paramiko.Transport:
        """A bare fingerprint does not say which of the server's keys it is: ask for each type in turn."""
        try:
            return self._connect(None)
        except HostKeyError:
            shown = (self.seen_host_key, self.seen_fingerprint)
            for key_type in HOST_KEY_ALGORITHMS:
                if shown[0] and shown[0].startswith(f"{key_type} "):
                    continue
                try:
                    return self._connect(key_type)
                except HostKeyError:
                    continue  # not the pinned one either
                except SshError:
                    if self.pinned is not None and self.pinned[0]:
                        raise  # the key matched (and got its type); logging in failed
                    # the server has no key of this type
            self.seen_host_key, self.seen_fingerprint = shown
            raise

    def _connect(self, key_type: str | None) -> paramiko.Transport:
        transport = paramiko.Transport(self._open_socket())
        try:
            self._handshake(transport, key_type)
            self._check_host_key(transport.get_remote_server_key())
            self._authenticate(transport)
        except BaseException:
            transport.close()
            raise
        transport.set_keepalive(KEEPALIVE_SECONDS)
        return transport

    def _open_socket(self) -> socket.socket:
        try:
            return net.connect_tcp(self.host, self.port, timeout=self.timeout)
        except net.UnresolvableHost as exc:
            raise SshError(f"cannot resolve the host name {self.host}: {exc}") from None
        except ConnectionRefusedError:
            raise SshError(f"cannot connect to {self.address}: connection refused "
                           "(is the SSH server running, and is the port right?)") from None
        except socket.gaierror as exc:
            raise SshError(f"cannot resolve the host name {self.host}: {exc.strerror}") from None
        except TimeoutError:
            raise SshError(f"cannot connect to {self.address}: no answer within {self.timeout:.0f} s "
                           "(host down, or the port filtered?)") from None
        except OSError as exc:
            raise SshError(f"cannot connect to {self.address}: {exc.strerror or exc}") from None

    def _handshake(self, transport: paramiko.Transport, pinned_type: str | None) -> None:
        transport.banner_timeout = transport.handshake_timeout = transport.auth_timeout = self.timeout
        if pinned_type:
            transport.get_security_options().key_types = HOST_KEY_ALGORITHMS[pinned_type]
        try:
            transport.start_client(timeout=self.timeout)
        except (paramiko.SSHException, EOFError, OSError) as exc:
            hint = f" (the stored host key is {pinned_type}: does the server still have one?)" if pinned_type else ""
            raise SshError(f"no SSH session with {self.address}: {exc or type(exc).__name__}{hint}") from None

    def _check_host_key(self, key: paramiko.PKey) -> None:
        self.seen_host_key = f"{key.get_name()} {key.get_base64()}"
        self.seen_fingerprint = seen = fingerprint(key)
        if self.pinned is None and not self.trust_on_first_use:
            raise HostKeyError(
                f"the host key of {self.address} is not known: the server shows {seen} ({key.get_name()}). "
                "Compare it with `ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub` on that server, then store it."
            )
        if self.pinned is None or self.pinned[1] == seen:
            self.pinned = (key.get_name(), seen)  # a reconnect must meet this key, and asks for its type
        else:
            raise HostKeyError(
                f"host key mismatch for {self.address}: expected {self.pinned[1]}, the server shows {seen} "
                f"({key.get_name()}). If that server was reinstalled, store its new key; otherwise the "
                "connection may be intercepted."
            )

    def _authenticate(self, transport: paramiko.Transport) -> None:
        who = f"{self.username}@{self.address}"
        try:
            if self.pkey is not None:
                transport.auth_publickey(self.username, self.pkey)
            else:
                transport.auth_password(self.username, self.password)
        except paramiko.BadAuthenticationType as exc:
            raise SshError(f"authentication failed for {who}: the server accepts only "
                           f"{', '.join(exc.allowed_types)}") from None
        except paramiko.AuthenticationException:
            method = "key" if self.pkey is not None else "password"
            raise SshError(f"authentication failed for {who}: the server refused the {method}") from None
        except (paramiko.SSHException, EOFError, OSError) as exc:
            raise SshError(f"authentication failed for {who}: {exc or type(exc).__name__}") from None
        if not transport.is_authenticated():
            raise SshError(f"authentication failed for {who}: the server asks for a further method")
