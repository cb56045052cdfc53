"""The tolerant PHP unserialize reader and the texts found inside stored values."""

from __future__ import annotations

import json

import pytest

from jagaweb.guard.database.phpserial import MAX_DEPTH, PhpSerialError, looks_serialized, unserialize
from jagaweb.guard.database.values import Leaf, leaves, readable, structure


def php(value: object) -> str:
    """PHP's serialize() for the few types the tests need (byte lengths, as PHP counts them)."""
    if value is None:
        return "N;"
    if isinstance(value, bool):
        return f"b:{int(value)};"
    if isinstance(value, int):
        return f"i:{value};"
    if isinstance(value, str):
        return f's:{len(value.encode())}:"{value}";'
    if isinstance(value, list):
        value = dict(enumerate(value))
    if isinstance(value, dict):
        return f"a:{len(value)}:{{" + "".join(php(k) + php(v) for k, v in value.items()) + "}"
    raise TypeError(value)


def test_reads_what_php_writes() -> None:
    value = {"title": "Kontak", "text": "<p>Jl. Merdeka</p>", "filter": True, "count": 3, "none": None,
             7: ["a", "b"]}
    decoded = unserialize(php(value))
    assert decoded.complete
    assert decoded.value == {"title": "Kontak", "text": "<p>Jl. Merdeka</p>", "filter": True, "count": 3,
                             "none": None, 7: {0: "a", 1: "b"}}


def test_lengths_are_utf8_bytes() -> None:
    text = "Pengumuman ✓ Ďíšková — “kutip”"
    decoded = unserialize(php({"judul": text, "lain": "ok"}))
    assert decoded.complete
    assert decoded.value == {"judul": text, "lain": "ok"}


def test_string_with_wrong_length_is_still_read() -> None:
    """Spam pasted into a widget without fixing the byte count (PHP itself would refuse the whole value)."""
    good = '<p>Selamat datang</p>'
    spam = good + '<a href="https://slot.invalid/">slot gacor</a>'
    raw = f'a:2:{{i:2;a:1:{{s:7:"content";s:{len(good)}:"{spam}";}}s:12:"_multiwidget";i:1;}}'
    decoded = unserialize(raw)
    assert not decoded.complete
    assert decoded.value == {2: {"content": spam}, "_multiwidget": 1}


def test_string_containing_quote_semicolon_keeps_its_true_length() -> None:
    text = 'kata "kutip"; lalu s:3:"x"; selesai'
    assert unserialize(php([text, "b"])).value == {0: text, 1: "b"}


def test_broken_array_keeps_entries_read_so_far() -> None:
    raw = 'a:3:{s:1:"a";s:5:"first";s:1:"b";XYZ;s:1:"c";s:4:"last";}'
    decoded = unserialize(raw)
    assert not decoded.complete
    assert decoded.value["a"] == "first"


def test_fewer_entries_than_announced() -> None:
    decoded = unserialize('a:5:{i:0;s:3:"one";}')
    assert decoded.value == {0: "one"}
    assert not decoded.complete


def test_objects_and_private_properties() -> None:
    raw = ('O:8:"stdClass":3:{s:5:"title";s:4:"Menu";s:11:"\0Widget\0url";s:9:"/beranda/";'
           's:8:"\0*\0items";a:1:{i:0;s:4:"Home";}}')
    assert unserialize(raw).value == {"title": "Menu", "url": "/beranda/", "items": {0: "Home"}}


def test_scalars_references_and_custom_objects() -> None:
    assert unserialize("d:1.5;").value == 1.5
    assert unserialize("i:-42;").value == -42
    assert unserialize("b:0;").value is False
    assert unserialize("N;").value is None
    assert unserialize('a:2:{i:0;s:1:"x";i:1;R:2;}').value == {0: "x", 1: None}
    assert unserialize('C:11:"ArrayObject":21:{x:i:0;a:0:{};m:a:0:{}}').value == "x:i:0;a:0:{};m:a:0:{}"


@pytest.mark.parametrize("raw", ["", "hello", "x:1;", 's:10:"short'])
def test_not_serialized_at_all_raises(raw: str) -> None:
    with pytest.raises(PhpSerialError):
        unserialize(raw)


def test_cut_off_array_is_empty_and_incomplete() -> None:
    decoded = unserialize("a:1:{")
    assert decoded.value == {} and not decoded.complete


def test_hostile_counts_and_depth_are_bounded() -> None:
    huge = unserialize('a:999999999:{i:0;s:1:"x";}')
    assert huge.value == {0: "x"} and not huge.complete
    deep = "a:1:{i:0;" * (MAX_DEPTH + 10) + "N;" + "}" * (MAX_DEPTH + 10)
    decoded = unserialize(deep)  # cut at the depth limit, not a RecursionError
    assert not decoded.complete


def test_looks_serialized() -> None:
    assert looks_serialized(php({"a": 1}))
    assert looks_serialized('s:5:"hello";')
    assert looks_serialized("b:1;")
    assert not looks_serialized("slot gacor")
    assert not looks_serialized("a:b")
    assert not looks_serialized("https://diskominfo.contohkab.go.id")


def test_leaves_follow_nested_encodings() -> None:
    elementor = json.dumps([{"elType": "widget", "settings": {"editor": "<p>slot gacor</p>"}}])
    value = php({2: {"title": "Teks", "text": "<b>isi</b>"}, "builder": elementor, "_multiwidget": 1})
    found = leaves(value)
    assert Leaf("[2][title]", "Teks") in found
    assert Leaf("[2][text]", "<b>isi</b>") in found
    assert Leaf("[builder][0][settings][editor]", "<p>slot gacor</p>") in found
    assert {leaf.top for leaf in found} == {"[2]", "[builder]"}


def test_plain_values_stay_text() -> None:
    assert structure("Dinas Kominfo") == "Dinas Kominfo"
    assert structure("[caption]foto[/caption]") == "[caption]foto[/caption]"  # looks like JSON, is not
    assert readable(None) == ""
    assert readable(b"<p>bytes</p>") == "<p>bytes</p>"
    assert "<div>Teks</div>" in readable(php({"a": "Teks"}))


def test_hostile_nesting_in_json_is_read_as_far_as_sensible() -> None:
    bomb = "[" * 100_000 + "]" * 100_000
    assert structure(bomb) == bomb  # too deep for the JSON reader: kept as text
    deep = json.dumps({"a": "x"})
    for _ in range(200):
        deep = json.dumps([json.loads(deep)])
    assert leaves(deep) == []  # deeper than anything a CMS stores: no leaves, no crash
    assert leaves(json.dumps([[["<p>dekat</p>"]]])) == [Leaf("[0][0][0]", "<p>dekat</p>")]
