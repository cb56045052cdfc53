"""Choosing ports on 127.0.0.1 for the demo: the usual ones when free, any free one otherwise."""

from __future__ import annotations

import socket
from collections.abc import Iterable

LOOPBACK = "127.0.0.1"


def port_is_free(port: int, host: str = LOOPBACK) -> bool:
    # SO_REUSEADDR as the servers themselves use it, so a port still in TIME_WAIT counts as free.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def any_free_port(host: str = LOOPBACK) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def pick_port(preferred: int | None, taken: set[int]) -> int:
    """`preferred` if it is free and not already given out, else any free port; adds it to `taken`."""
    if preferred and preferred not in taken and port_is_free(preferred):
        port = preferred
    else:
        port = any_free_port()
        while port in taken:
            port = any_free_port()
    taken.add(port)
    return port


def pick_ports(preferred: Iterable[int | None], taken: set[int]) -> list[int]:
    return [pick_port(port, taken) for port in preferred]
