"""Line protocol: influxdb-client's serializer out, our decoder back, exact round trip."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st
from influxdb_client import Point as ClientPoint

from netmon.model import Point
from netmon.storage import Encoder, decode
from netmon.storage.lineproto import MAX_STRING, clean_key

NASTY = ["a b", "a,b", "a=b", 'a"b', "a'b", "广东/广州/天河", "天河政务中心 1号楼", "a\\b", "x=1,y=2 z"]
text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=20)
keys = text.filter(lambda s: clean_key(s).strip() != "" and clean_key(s) != "time" and not s.startswith("#"))
values = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.booleans(),
    st.text(max_size=50),
)


@settings(max_examples=300, deadline=None)
@given(
    m=keys,
    tags=st.dictionaries(keys, text, max_size=5),
    fields=st.dictionaries(keys, values, min_size=1, max_size=5),
    t=st.integers(min_value=0, max_value=2**60),  # up to 2006: later than a year ahead is refused
)
def test_round_trip_any_point(m, tags, fields, t):
    p = Point(m, tags, fields, t)
    payload, n, errors = Encoder().encode([p])
    assert (n, errors) == (1, [])
    (back,) = list(decode(payload))
    assert back.measurement == clean_key(m)
    assert back.tags == {clean_key(k): clean_key(v) for k, v in tags.items() if clean_key(v) and clean_key(k)}
    assert back.time_ns == t
    want = {clean_key(k): v for k, v in fields.items()}
    assert back.fields.keys() == want.keys()
    for k, v in want.items():
        assert type(back.fields[k]) is type(v) or (isinstance(v, float) and v == back.fields[k])
        assert back.fields[k] == v


def test_same_bytes_as_the_official_client_point():
    tags = {"device": "gd-gz-th-in-core1", "site": "天河政务中心 1号楼", "ifAlias": 'to "city", port=3'}
    fields = {"in_octets": 123, "util_pct": 12.5, "up": True, "descr": 'Huawei "VRP"\nline2 a=b, c'}
    ours, _n, _ = Encoder().encode([Point("interface", tags, fields, 1_700_000_000_123_456_789)])
    cp = ClientPoint("interface").time(1_700_000_000_123_456_789)
    for k, v in tags.items():
        cp.tag(k, v)
    for k, v in fields.items():
        cp.field(k, v)
    assert ours.decode() == cp.to_line_protocol() + "\n"


def test_bad_points_are_refused_one_by_one_with_reasons():
    good = Point("health", {"device": "d1"}, {"cpu_pct": 5.0}, 1)
    bad = [
        Point("health", {"device": "d2"}, {"cpu_pct": math.nan}, 1),
        Point("health", {"device": "d3"}, {"cpu_pct": math.inf}, 1),
        Point("health", {"device": "d4"}, {}, 1),
        Point("health", {"device": "d5"}, {"s": "x" * (MAX_STRING + 1)}, 1),
        Point("health", {"device": "d6"}, {"v": [1, 2]}, 1),  # type: ignore[dict-item]
        Point("", {"device": "d7"}, {"v": 1}, 1),
        Point("health", {"device": "d8"}, {"time": 1}, 1),
        Point("health", {"device": "d9"}, {"v": 2**64}, 1),
    ]
    payload, n, errors = Encoder().encode([bad[0], good, *bad[1:]])
    assert n == 1
    assert [p.fields for p in decode(payload)] == [{"cpu_pct": 5.0}]
    assert [e.device for e in errors] == [f"d{i}" for i in range(2, 10)]
    reasons = " | ".join(str(e) for e in errors)
    for needle in (
        "nan",
        "inf",
        "no fields",
        "bytes (limit",
        "unsupported type",
        "empty measurement",
        "'time'",
        "64-bit",
    ):
        assert needle in reasons


def test_control_characters_in_tags_become_spaces():
    payload, _, _ = Encoder().encode([Point("m", {"ifAlias": "line1\nline2\tx\\"}, {"v": 1}, 1)])
    (p,) = decode(payload)
    assert p.tags == {"ifAlias": "line1 line2 x"}


def test_nasty_strings_exact():
    pts = [Point(f"m {s}", {"t": s, s: "v"}, {"s": s, f"f {s}": 1}, i) for i, s in enumerate(NASTY)]
    payload, _n, _ = Encoder().encode(pts)
    assert list(decode(payload)) == pts


def test_precision_seconds():
    payload, _, _ = Encoder("s").encode([Point("m", {}, {"v": 1}, 1_700_000_000_999_999_999)])
    assert payload.endswith(b" 1700000000\n")
    assert next(decode(payload, "s")).time_ns == 1_700_000_000_000_000_000


clean_keys = keys.filter(lambda s: s == clean_key(s))


@settings(max_examples=300, deadline=None)
@given(
    m=clean_keys,
    tags=st.dictionaries(clean_keys, text.filter(lambda s: s == clean_key(s)), max_size=5),
    fields=st.dictionaries(clean_keys, values, min_size=1, max_size=6),
    t=st.integers(min_value=0, max_value=2**60),  # up to 2006: later than a year ahead is refused
)
def test_identical_to_the_official_serializer(m, tags, fields, t):
    """Our cached fast path must produce byte-for-byte what influxdb-client's Point produces."""
    cp = ClientPoint(m).time(t)
    for k, v in tags.items():
        cp.tag(k, v)
    for k, v in fields.items():
        cp.field(k, v)
    enc = Encoder()
    for _ in range(2):  # cold and cached
        ours, n, errors = enc.encode([Point(m, tags, fields, t)])
        assert ours.decode() == cp.to_line_protocol() + "\n"
        assert (n, errors) == (1, [])
