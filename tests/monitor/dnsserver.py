"""A DNS server on 127.0.0.1 (UDP and TCP, one port) answering from test data, built on dnspython's messages.

`records` maps (name, type) to the answers as zone-file text; tests change it while the server runs
to play a hijack. A name with no records of any type, and not above any name that has some, is
NXDOMAIN; a name that exists without the asked type answers NOERROR with no records (as a real
server does for portal.kominfo.go.id NS).
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

Records = dict[tuple[str, str], list[str]]


class DnsServer:
    def __init__(self, records: Records, *, silent: bool = False) -> None:
        self.records: Records = {}
        for (name, rdtype), values in records.items():
            self.set(name, rdtype, values)
        self.silent = silent  # receive and never answer: a resolver that times out
        self.queries: list[tuple[str, str]] = []
        self.tcp_queries = 0
        self.udp, self.tcp = self._bind_pair()
        self.port: int = self.udp.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @staticmethod
    def _bind_pair(attempts: int = 50) -> tuple[socket.socket, socket.socket]:
        """A UDP and a TCP socket on one free port (the free UDP port may be taken for TCP: try another)."""
        for _attempt in range(attempts):
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.bind(("127.0.0.1", 0))
            tcp = socket.socket()
            try:
                tcp.bind(("127.0.0.1", udp.getsockname()[1]))
            except OSError:
                udp.close()
                tcp.close()
                continue
            tcp.listen(8)
            return udp, tcp
        raise OSError("no port free for both UDP and TCP")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def set(self, name: str, rdtype: str, values: list[str]) -> None:
        self.records[(name.lower().rstrip("."), rdtype.upper())] = values

    def __enter__(self) -> DnsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.udp.close()
        self.tcp.close()

    def exists(self, name: str) -> bool:
        return any(owner == name or owner.endswith("." + name) for owner, _type in self.records)

    def answer(self, wire: bytes, *, udp: bool = False) -> bytes | None:
        try:
            query = dns.message.from_wire(wire)
        except Exception:  # garbage in: no answer, as real servers do
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        question = query.question[0]
        name = question.name.to_text().lower().rstrip(".")
        rdtype = dns.rdatatype.to_text(question.rdtype)
        self.queries.append((name, rdtype))
        values = self.records.get((name, rdtype))
        if values:
            response.answer.append(dns.rrset.from_text_list(question.name, 300, "IN", rdtype, values))
        elif not self.exists(name):
            response.set_rcode(dns.rcode.NXDOMAIN)
        if not udp:
            return response.to_wire()
        try:
            return response.to_wire(max_size=query.payload if query.edns >= 0 else 512)
        except dns.exception.TooBig:
            # Too large for a datagram: an empty truncated answer sends the client over to TCP.
            truncated = dns.message.make_response(query)
            truncated.flags |= dns.flags.AA | dns.flags.TC
            return truncated.to_wire()

    def _serve(self) -> None:
        while not self._stop.is_set():
            readable, _w, _x = select.select([self.udp, self.tcp], [], [], 0.1)
            for sock in readable:
                with contextlib.suppress(OSError):
                    if sock is self.udp:
                        wire, peer = self.udp.recvfrom(65535)
                        reply = None if self.silent else self.answer(wire, udp=True)
                        if reply is not None:
                            self.udp.sendto(reply, peer)
                    else:
                        self._serve_tcp()

    def _serve_tcp(self) -> None:
        conn, _addr = self.tcp.accept()
        self.tcp_queries += 1
        with conn:
            conn.settimeout(2)
            length = struct.unpack("!H", conn.recv(2))[0]
            wire = b""
            while len(wire) < length:
                chunk = conn.recv(length - len(wire))
                if not chunk:
                    return
                wire += chunk
            reply = None if self.silent else self.answer(wire)
            if reply is not None:
                conn.sendall(struct.pack("!H", len(reply)) + reply)
