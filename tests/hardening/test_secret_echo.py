"""Issue 16: no secret is echoed from a receiver's error page or from a URL netmon prints."""

from __future__ import annotations

import yaml

from tests.conftest import ROOT, run_netmon

from .echo_server import EchoServer

DING_TOKEN = "dt-0a1b2c3d4e5f60718293a4b5c6d7e8f9"
DING_SIGN_SECRET = "SECf00dfacecafe1234567890abcdef"
WECOM_KEY = "wk-693a91f6-7e9c-4a5b-bb2d-1f0e9d8c7b6a"
HOOK_PATH_TOKEN = "hp-T0KEN-in-the-path-5c1e"
HOOK_QUERY_TOKEN = "hq-q7u9e3r5y-token"
ENV = {"HR_DING_TOKEN": DING_TOKEN, "HR_DING_SECRET": DING_SIGN_SECRET, "HR_WECOM_KEY": WECOM_KEY}


def _config(tmp_path, url: str) -> str:
    receivers = {
        # DingTalk answering 400 with an HTML page quoting the request (URL with token and sign)
        "ding-400": {"type": "dingtalk", "url": f"{url}/d400/robot/send", "access_token": "env:HR_DING_TOKEN",
                     "secret": "env:HR_DING_SECRET", "retries": 0},
        # DingTalk answering 200 with JSON whose errmsg quotes the request
        "ding-json": {"type": "dingtalk", "url": f"{url}/djson/robot/send", "access_token": "env:HR_DING_TOKEN",
                      "secret": "env:HR_DING_SECRET", "retries": 0},
        # DingTalk answering 200 with something that is not JSON (a proxy's page), quoting the request
        "ding-html": {"type": "dingtalk", "url": f"{url}/dhtml/robot/send", "access_token": "env:HR_DING_TOKEN",
                      "retries": 0},
        "wecom-403": {"type": "wecom", "url": f"{url}/w403/send", "key": "env:HR_WECOM_KEY", "retries": 0},
        # a webhook whose URL carries its own credential in the path and the query
        "hook-401": {"type": "webhook", "url": f"{url}/h401/{HOOK_PATH_TOKEN}?token={HOOK_QUERY_TOKEN}",
                     "retries": 0},
    }  # fmt: skip
    cfg = {
        "inventory": [str(ROOT / "configs" / "inventory" / "small.yaml")],
        "alerting": {"state": str(tmp_path / "alerts.db"), "receivers": receivers, "default_groups": []},
    }
    path = tmp_path / "netmon.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return str(path)


def test_receiver_error_pages_are_never_echoed(tmp_path) -> None:
    answers = {
        "/d400/": (400, "text/html", "<html><body>bad request: {echo}</body></html>"),
        "/djson/": (200, "application/json", '{"errcode": 310000, "errmsg": "sign not match: {echo}"}'),
        "/dhtml/": (200, "text/html", "<p>proxy says: {echo}</p>"),
        "/w403/": (403, "text/plain", "forbidden {echo}"),
        "/h401/": (401, "text/plain", "unauthorized {echo}"),
    }
    with EchoServer(answers) as srv:
        r = run_netmon("alerts", "test", "-c", _config(tmp_path, srv.url), env=ENV)
        assert len(srv.requests) == 5  # every receiver was really tried
        sent = "\n".join(srv.requests)
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    assert "Traceback" not in out
    # the receivers' answers did carry the secrets (the server saw and echoed them) ...
    assert DING_TOKEN in sent and WECOM_KEY in sent and HOOK_PATH_TOKEN in sent and "sign=" in sent
    # ... and none of them reaches the user
    sign = [p.split("sign=")[1].split("&")[0] for p in srv.requests if "sign=" in p]
    for secret in (DING_TOKEN, DING_SIGN_SECRET, WECOM_KEY, HOOK_PATH_TOKEN, HOOK_QUERY_TOKEN, *sign):
        assert secret not in out, secret
    assert "access_token" not in out and "<html>" not in out and "errmsg" not in out
    # what is said instead: receiver name, status code, the standard reason
    lines = {ln.split()[1].rstrip(":"): ln for ln in r.stderr.splitlines() if ln.startswith("failed ")}
    assert "HTTP 400 Bad Request" in lines["ding-400"]
    assert "errcode 310000" in lines["ding-json"]
    assert "not the expected JSON" in lines["ding-html"]
    assert "HTTP 403 Forbidden" in lines["wecom-403"]
    assert "HTTP 401 Unauthorized" in lines["hook-401"] and "127.0.0.1" in lines["hook-401"]


SINKS = [
    "influxdb://127.0.0.1:8086?org=gov&bucket=netmon&token=SINKTOKEN1",
    "influxdb1://admin:SINKPASS2@127.0.0.1:8086/netmon",
    "influxdb1://127.0.0.1:8086/netmon?password=SINKPASS3",
    "influxdb1://127.0.0.1:8086/netmon?precision=zz&auth_token=SINKTOKEN4",
    "sqlite:///tmp/x.db?password=SINKPASS5",
    "nats://poller:SINKPASS6@127.0.0.1:4222/?subject=netmon.telemetry.gd",
    "nats://127.0.0.1:4222/?subject=netmon.telemetry.gd&token=SINKTOKEN7",
    "bogus://admin:SINKPASS8@127.0.0.1/?access_token=SINKTOKEN9",
]


def _run_config(tmp_path) -> str:
    path = tmp_path / "netmon.yaml"
    path.write_text(
        f"inventory: [{ROOT / 'configs' / 'inventory' / 'small.yaml'}]\nspool: {{dir: {tmp_path / 'spool'}}}\n"
        "http: {listen: ''}\n"
        "credentials: {snmp: {v3-intranet: {version: '2c', community: 'env:HR_C'}, "
        "v3-extranet: {version: '2c', community: 'env:HR_C'}}}\n",
        encoding="utf-8",
    )
    return str(path)


def test_refused_sink_urls_are_masked(tmp_path) -> None:
    cfg = _run_config(tmp_path)
    for url in SINKS:
        secret = next(
            w for w in url.replace("@", "&").replace("=", "&").replace(":", "&").split("&") if w.startswith("SINK")
        )
        r = run_netmon("run", "-c", cfg, "--sink", url, "--cycles", "1", env={"HR_C": "x"})
        out = r.stdout + r.stderr
        assert r.returncode == 2, (url, out)
        assert "Traceback" not in out
        assert secret not in out, (url, out)
        assert "sink" in out and "***" in out, (url, out)  # the URL is still recognisable, masked


def test_grafana_url_with_token_is_masked(tmp_path) -> None:
    r = run_netmon("dashboards", "push", "--url", "ftp://grafana.example/?auth_token=GRAFTOKEN1", "--dry-run",
                   env={"NETMON_GRAFANA_TOKEN": "glsa_x"})  # fmt: skip
    assert r.returncode == 2 and "GRAFTOKEN1" not in r.stdout + r.stderr and "--url" in r.stderr
    with EchoServer({}) as srv:  # answers 404 to everything: not Grafana
        r = run_netmon("dashboards", "push", "--url", f"{srv.url}/?api_key=GRAFTOKEN2", "--dry-run",
                       env={"NETMON_GRAFANA_TOKEN": "glsa_x"})  # fmt: skip
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    assert "GRAFTOKEN2" not in out and "api_key=***" in out and "Traceback" not in out
