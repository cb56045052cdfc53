"""Types of the compiled part of the backup store (native/folder.c)."""

class Stat:
    st_mode: int
    st_ino: int
    st_dev: int
    st_nlink: int
    st_uid: int
    st_gid: int
    st_size: int
    st_atime_ns: int
    st_mtime_ns: int
    st_ctime_ns: int

def read_folder(path: str, follow: bool) -> list[tuple[str, Stat | int]]: ...
