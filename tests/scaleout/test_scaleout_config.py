"""nats:// URLs and the nats: section: bad input gets a clear message, secrets stay out."""

from __future__ import annotations

import pytest

from netmon.errors import InputError
from netmon.scaleout.settings import load_nats_settings
from netmon.storage.factory import open_query, open_sink
from netmon.storage.urls import parse_sink_url


def test_nats_url_parses_with_defaults() -> None:
    u = parse_sink_url("nats://poller@10.1.2.3/?subject=netmon.telemetry.gd&domain=gd")
    assert (u.kind, u.base_url, u.user) == ("nats", "nats://10.1.2.3:4222", "poller")
    assert u.params["password"] == "env:NATS_PASSWORD"  # a reference, never the secret
    assert type(open_sink(u)).__name__ == "NatsSink"


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("nats://poller:hunter2@10.1.2.3/?subject=a.b", "password in the sink URL"),
        ("nats://poller@10.1.2.3/?subject=a.b&password=hunter2", "must be a reference"),
        ("nats://10.1.2.3/?stream=T", "subject= must name one concrete subject"),
        ("nats://10.1.2.3/?subject=a.*", "subject= must name one concrete subject"),
        ("nats://10.1.2.3/?subject=a.b&domain=g.d", "JetStream domain"),
        ("nats://10.1.2.3/?subject=a.b&colour=red", "unknown option(s) colour"),
        ("nats://10.1.2.3/TELEMETRY?subject=a.b", "not a path"),
    ],
)
def test_bad_nats_urls_are_refused_clearly(url: str, needle: str) -> None:
    with pytest.raises(InputError) as ei:
        parse_sink_url(url)
    text = str(ei.value.problems[0])
    assert needle in text
    assert "hunter2" not in text


def test_nats_is_not_a_query_backend() -> None:
    with pytest.raises(InputError, match="query the central database"):
        open_query("nats://h/?subject=a.b")


def test_settings_validate_and_size_streams() -> None:
    s = load_nats_settings(
        {"hub": "nats://relay@hub:4222", "password": "env:X", "outage_hours": 8,
         "provinces": [{"name": "广东", "domain": "gd", "points_per_s": 2000}]}
    )  # fmt: skip
    p = s.province("广东")
    assert s.province("gd") is p
    assert p.telemetry_subject == "netmon.telemetry.gd" and p.api == "$JS.gd.API"
    # 2000 points/s for 8 h at 250 bytes with 1.5x headroom
    assert s.max_bytes(p) == 2000 * 8 * 3600 * 250 * 3 // 2
    assert s.hub_server == "nats://hub:4222" and s.hub_auth().user == "relay"
    with pytest.raises(InputError, match="unknown province '上海'; known: 广东 \\(gd\\)"):
        s.province("上海")


@pytest.mark.parametrize(
    ("section", "needle"),
    [
        ({"password": "hunter2"}, "inline secrets are not allowed"),
        ({"provinces": [{"name": "a", "domain": "gd"}, {"name": "b", "domain": "gd"}]}, "listed twice"),
        ({"provinces": [{"name": "a", "domain": "hub"}]}, "centre's own"),
        ({"provinces": [{"name": "a"}]}, "nats.provinces.0.domain"),
        ({"stream": "A.B"}, "nats.stream"),
    ],
)
def test_bad_settings_name_the_field(section: dict[str, object], needle: str) -> None:
    with pytest.raises(InputError) as ei:
        load_nats_settings(section, "netmon.yaml")
    assert needle in " ".join(str(p) for p in ei.value.problems)
    assert "hunter2" not in " ".join(str(p) for p in ei.value.problems)
