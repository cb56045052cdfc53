"""Does a symlink lead out of the web root? Answered without following it.

The target is resolved one name at a time, as the kernel would, but every step is an lstat or a
readlink of a path inside the root whose folders were already seen to be real folders: nothing
outside the root is looked at, and a loop of links ends after MAX_HOPS (the kernel's own limit), as
leading nowhere. A target through a name that does not exist is judged by its text alone ("gone/../../x"
climbs out once "gone" is made), so a dangling link that would escape is reported too.
"""

from __future__ import annotations

import os
import stat
from collections import deque

MAX_HOPS = 40


def inside_parts(target: str, roots: tuple[str, ...]) -> list[str] | None:
    """An absolute target as names below the root, or None when it is not below any spelling of it."""
    normal = os.path.normpath(target)
    for root in roots:
        if normal == root:
            return []
        if normal.startswith(root.rstrip("/") + "/"):
            return normal[len(root.rstrip("/")) + 1:].split("/")
    return None


def leads_outside(root_fd: int, roots: tuple[str, ...], link: str, target: str) -> bool:
    """`link`: the symlink's path relative to the root; `roots`: the root's absolute path and real path."""
    parts = link.split("/")[:-1]  # the folder the link is in
    todo: deque[str] = deque()
    hops = 0

    def follow(text: str) -> bool:
        """Queue a link's text; False when it is absolute and outside the root."""
        nonlocal parts
        if text.startswith("/"):
            below = inside_parts(text, roots)
            if below is None:
                return False
            parts = []
            todo.extendleft(reversed(below))
        else:
            todo.extendleft(reversed(text.split("/")))
        return True

    if not follow(target):
        return True
    resolving = True  # False once a name is missing: the rest is judged by its text
    while todo:
        part = todo.popleft()
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return True
            parts.pop()
            continue
        parts.append(part)
        if not resolving:
            continue
        try:
            st = os.stat("/".join(parts), dir_fd=root_fd, follow_symlinks=False)
        except OSError:
            resolving = False
            continue
        if stat.S_ISLNK(st.st_mode):
            hops += 1
            if hops > MAX_HOPS:
                return False  # a loop: it leads nowhere
            try:
                text = os.readlink("/".join(parts), dir_fd=root_fd)
            except OSError:
                resolving = False
                continue
            parts.pop()
            if not follow(text):
                return True
        elif not stat.S_ISDIR(st.st_mode):
            resolving = False  # a file: any further name fails (ENOTDIR); its text decides
    return False
