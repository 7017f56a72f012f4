from pathlib import Path

import pytest

from netmon.errors import InputError
from netmon.storage import parse_sink_url


def test_sqlite_absolute_and_relative(tmp_path):
    assert parse_sink_url("sqlite:///var/lib/netmon/netmon.db").path == Path("/var/lib/netmon/netmon.db")
    assert parse_sink_url("sqlite:////abs/x.db").path == Path("/abs/x.db")
    u = parse_sink_url("sqlite:data/netmon.db?retention_days=7", base_dir=tmp_path)
    assert u.path == tmp_path / "data/netmon.db"
    assert u.retention_days == 7


def test_influx_forms():
    u = parse_sink_url("influxdb1://ops@db.gov.cn:8087/netmon?rp=week&precision=s&gzip=1")
    assert (u.kind, u.base_url, u.database, u.user, u.rp, u.precision, u.gzip) == (
        "influxdb1",
        "http://db.gov.cn:8087",
        "netmon",
        "ops",
        "week",
        "s",
        True,
    )
    assert u.secret_env == "INFLUX_PASSWORD"
    assert u.secret({"INFLUX_PASSWORD": "pw"}) == "pw"
    v = parse_sink_url("influxdb://10.0.0.1?org=gov&bucket=netmon&tls=1&token_env=MY_TOKEN")
    assert (v.base_url, v.org, v.bucket, v.secret_env) == ("https://10.0.0.1:8086", "gov", "netmon", "MY_TOKEN")


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("postgres://x/y", "unknown sink scheme"),
        ("", "empty"),
        ("sqlite://host/x.db", "no host"),
        ("sqlite:", "missing database file"),
        ("influxdb1://127.0.0.1:8086", "name one database"),
        ("influxdb1://127.0.0.1:80x/db", "port"),
        ("influxdb://127.0.0.1:8086?org=gov", "missing bucket"),
        ("influxdb://127.0.0.1:8086?org=gov&bucket=b&precision=min", "precision"),
        ("influxdb1://127.0.0.1/db?colour=red", "unknown option"),
        ("influxdb1://u:hunter2@127.0.0.1/db", "environment variable INFLUX_PASSWORD"),
    ],
)
def test_bad_urls_are_named(url, needle):
    with pytest.raises(InputError) as ei:
        parse_sink_url(url)
    msg = str(ei.value)
    assert needle in msg
    assert "hunter2" not in msg  # a password typed into a URL is never echoed
