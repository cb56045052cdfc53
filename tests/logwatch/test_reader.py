"""Reading log files in batches: gzip, byte offsets, unterminated last lines and exact line numbers."""

import gzip
import itertools

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from jagaweb.logwatch import compiled
from jagaweb.logwatch.reader import GZIP_MAGIC, LogReader, LogReadError, newlines
from tests.logwatch.native import require_native

LOG = b"first line\nsecond\n\nfourth, after an empty one\nfifth\n"


def read_all(reader: LogReader) -> list[tuple[int, bytes]]:
    """(line number, line) for every line handed out."""
    numbered = []
    for chunk in reader:
        lines = chunk.data.split(b"\n")
        if chunk.data.endswith(b"\n"):
            lines.pop()
        assert len(lines) == chunk.lines
        numbered += list(enumerate(lines, start=chunk.first_line))
    return numbered


def test_whole_file_in_one_batch(tmp_path):
    path = tmp_path / "access.log"
    path.write_bytes(LOG)
    reader = LogReader(path)
    assert read_all(reader) == list(enumerate(LOG.split(b"\n")[:-1], start=1))
    assert (reader.offset, reader.next_line, reader.read_bytes) == (len(LOG), 6, len(LOG))


@pytest.mark.parametrize("batch_bytes", [1, 2, 3, 7, 11, 64])
def test_tiny_batches_keep_line_numbers_and_offsets(tmp_path, batch_bytes):
    path = tmp_path / "access.log"
    path.write_bytes(LOG)
    reader = LogReader(path, batch_bytes=batch_bytes)
    offsets = []
    numbered = []
    for chunk in reader:
        offsets.append((chunk.start, chunk.end))
        numbered += [(chunk.first_line + index, line) for index, line in enumerate(chunk.data.splitlines())]
        # every batch ends at a line end, and its offsets match its bytes
        assert LOG[chunk.start:chunk.end] == chunk.data
    assert numbered == list(enumerate(LOG.split(b"\n")[:-1], start=1))
    assert all(end == next_start for (_, end), (next_start, _) in itertools.pairwise(offsets))
    assert reader.offset == len(LOG)


def test_gzip_is_read_by_content_not_by_name(tmp_path):
    path = tmp_path / "access.log.1"  # logrotate's name for a compressed file without .gz is still gzip inside
    path.write_bytes(gzip.compress(LOG))
    reader = LogReader(path, batch_bytes=5)
    assert reader.compressed
    assert read_all(reader) == list(enumerate(LOG.split(b"\n")[:-1], start=1))
    assert reader.offset == len(LOG)  # offsets count the log's text, not the compressed bytes
    assert reader.read_bytes == path.stat().st_size


def test_start_at_an_offset_with_its_line_number(tmp_path):
    path = tmp_path / "access.log"
    path.write_bytes(LOG)
    start = LOG.index(b"fourth")
    reader = LogReader(path, offset=start, first_line=4)
    assert read_all(reader) == [(4, b"fourth, after an empty one"), (5, b"fifth")]
    assert reader.offset == len(LOG)


def test_start_at_an_offset_in_gzip(tmp_path):
    path = tmp_path / "access.log.gz"
    path.write_bytes(gzip.compress(LOG))
    start = LOG.index(b"second")
    reader = LogReader(path, offset=start, first_line=2, batch_bytes=3)
    assert read_all(reader)[0] == (2, b"second")
    assert reader.offset == len(LOG)


def test_unterminated_last_line_is_left_for_later(tmp_path):
    path = tmp_path / "access.log"
    path.write_bytes(b"one\ntwo\nthree, still being writt")
    reader = LogReader(path, take_unterminated=False, batch_bytes=4)
    assert read_all(reader) == [(1, b"one"), (2, b"two")]
    resume = reader.offset
    assert resume == len(b"one\ntwo\n") and reader.next_line == 3
    with path.open("ab") as handle:
        handle.write(b"en\nfour\n")
    later = LogReader(path, offset=resume, first_line=reader.next_line, take_unterminated=False)
    assert read_all(later) == [(3, b"three, still being written"), (4, b"four")]


def test_unterminated_last_line_is_read_by_default(tmp_path):
    path = tmp_path / "access.log"
    path.write_bytes(b"one\ntwo")
    reader = LogReader(path)
    assert read_all(reader) == [(1, b"one"), (2, b"two")]
    assert reader.offset == 7


def write(path, data: bytes, compressed: bool):
    path.write_bytes(gzip.compress(data) if compressed else data)
    return path


@pytest.mark.parametrize("compressed", [False, True], ids=["mapped", "gzip"])
def test_over_long_line_is_cut_in_memory_but_counted_whole(tmp_path, compressed):
    long_line = b"x" * 50_000
    data = b"before\n" + long_line + b"\nafter\n"
    path = write(tmp_path / "access.log", data, compressed)
    reader = LogReader(path, batch_bytes=1000, max_line_bytes=4096)
    numbered = read_all(reader)
    assert [number for number, _ in numbered] == [1, 2, 3]
    assert numbered[2] == (3, b"after")
    # far shorter than the line, but longer than the limit, so the parser knows it was too long
    assert 4096 < len(numbered[1][1]) < 6000
    assert reader.offset == len(data)


@pytest.mark.parametrize("compressed", [False, True], ids=["mapped", "gzip"])
def test_no_newline_at_all_does_not_fill_memory(tmp_path, compressed):
    path = write(tmp_path / "core", b"\x7fELF" + b"\x00" * 2_000_000, compressed)
    chunks = list(LogReader(path, batch_bytes=65536, max_line_bytes=1024))
    assert len(chunks) == 1 and chunks[0].lines == 1 and len(chunks[0].data) <= 1025
    assert chunks[0].end == 2_000_004


def test_corrupt_gzip_raises_a_read_error(tmp_path):
    path = tmp_path / "access.log.gz"
    whole = gzip.compress(LOG * 100)
    path.write_bytes(whole[: len(whole) // 2])  # a rotation cut short
    with pytest.raises(LogReadError, match=r"access\.log\.gz"):
        list(LogReader(path))


def test_invalid_arguments(tmp_path):
    path = tmp_path / "access.log"
    path.write_bytes(LOG)
    with pytest.raises(ValueError):
        LogReader(path, offset=-1)
    with pytest.raises(ValueError):
        LogReader(path, first_line=0)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=300), batch_bytes=st.integers(min_value=1, max_value=40), compressed=st.booleans(),
       take_unterminated=st.booleans())
def test_any_batch_size_gives_the_same_lines(tmp_path_factory, data, batch_bytes, compressed, take_unterminated):
    """Plain files are memory-mapped, gzip files streamed: both must cut lines the same way."""
    assume(compressed or not data.startswith(GZIP_MAGIC))  # that would be a (broken) gzip file, tested above
    path = write(tmp_path_factory.mktemp("fuzz") / "access.log", data, compressed)
    expected = data.split(b"\n")
    unterminated = expected.pop()
    if unterminated and take_unterminated:
        expected.append(unterminated)
    reader = LogReader(path, batch_bytes=batch_bytes, max_line_bytes=1 << 20, take_unterminated=take_unterminated)
    assert [line for _, line in read_all(reader)] == expected
    assert reader.offset == (len(data) if take_unterminated else len(data) - len(unterminated))
    assert reader.next_line == len(expected) + 1


@settings(max_examples=200)
@given(data=st.binary(max_size=300))
def test_newlines_are_counted_natively_as_python_counts_them(data):
    require_native()
    native = compiled.native
    assert native is not None
    assert native.newlines(data) == data.count(b"\n")
    assert newlines(data) == data.count(b"\n")
