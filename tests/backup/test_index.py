"""The index makes its lookup table only when a location is asked for; until then, and after, it
answers as if it had made it at once: the first pack to list a blob is where it is found."""

from jagaweb.backup.store.index import Index, Location, write_index
from jagaweb.backup.store.sealing import Plain
from jagaweb.backup.targets.local import LocalTarget

A, B, C = "aa" * 32, "bb" * 32, "cc" * 32


def test_lookups_before_and_after_the_table_is_made(tmp_path):
    target = LocalTarget(tmp_path)
    write_index(target, Plain(), {"pack1": [(A, 0, 10, 20), (B, 10, 5, 5)]})
    index = Index()
    index.load(target, Plain())
    index.add_pack("pack2", [(B, 0, 7, 5), (C, 7, 3, 3)])  # B again: pack1 listed it first

    assert index._blobs == {}  # nothing made yet
    assert bytes.fromhex(A) in index and bytes.fromhex(C) in index and bytes.fromhex("dd" * 32) not in index
    assert index.listed_packs() == {"pack1", "pack2"}
    assert index._blobs == {}

    assert index.get(bytes.fromhex(B)) == Location("pack1", 10, 5, 5)
    assert index.get(bytes.fromhex(C)) == Location("pack2", 7, 3, 3)
    assert len(index) == 3 and index.packs() == {"pack1", "pack2"}
    index.add_pack("pack3", [(A, 0, 1, 1)])  # made already: added at once, the first still wins
    assert index.get(bytes.fromhex(A)) == Location("pack1", 0, 10, 20)
    assert index.listed_packs() == {"pack1", "pack2"}  # pack3 provides no blob and no index file lists it
