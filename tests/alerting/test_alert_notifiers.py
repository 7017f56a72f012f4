"""Notifiers against real receivers on 127.0.0.1: Prometheus Alertmanager (grouping, resolve),
DingTalk over HTTPS verifying the documented signature, WeCom markdown, a signed webhook, SMTP
with STARTTLS (aiosmtpd), and receivers that fail (500) or hang (timeout)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import ssl
import time
import urllib.parse
from email import message_from_bytes
from email.policy import default as email_policy

import pytest
from alerting_helpers import T0, Recorder, reach, self_signed

from netmon.lab.alertmanager import alertmanager_binary, start_alertmanager
from netmon.lab.procs import free_port

DING_SECRET = "SECtest0123456789abcdef"  # test-only values
DING_TOKEN = "tok-abc"
HOOK_SECRET = "hook-secret-42"
WECOM_KEY = "wk-693a91f6"
ENV = {
    "DING_SECRET": DING_SECRET,
    "DING_TOKEN": DING_TOKEN,
    "HOOK_SECRET": HOOK_SECRET,
    "WECOM_KEY": WECOM_KEY,
    "SMTP_PASS": "mail-pw-7",
}


def _engine(make_engine, receivers: dict, **extra):
    section = {
        "rules": [],
        "receivers": receivers,
        "groups": {"noc": list(receivers)},
        "default_groups": ["noc"],
        **extra,
    }
    return make_engine(section, env=ENV)


def _fire(eng, topology, names, t=None, up=0):
    t = time.time() if t is None else t
    eng.process([reach(topology.device(n), up, t) for n in names])
    eng.end_cycle(t)


@pytest.fixture(scope="module")
def am_hook():
    rec = Recorder().start()
    yield rec
    rec.stop()


@pytest.fixture(scope="module")
def alertmanager(tmp_path_factory, am_hook):
    if alertmanager_binary() is None:
        pytest.skip("prometheus-alertmanager is not installed (make test installs it when run as root)")
    am = start_alertmanager(tmp_path_factory.mktemp("am"), am_hook.url + "/am", group_wait="1s", group_interval="1s")
    yield am
    am.stop()


async def test_alertmanager_grouped_and_resolved(make_engine, topology, alertmanager, am_hook):
    eng = _engine(make_engine, {"am": {"type": "alertmanager", "url": alertmanager.url}})
    await eng.start()
    try:
        # two unrelated counties (different provinces): two alerts, one Alertmanager group
        names = ["gd-gz-th-in-core1", "zj-nb-yz-in-core1"]
        _fire(eng, topology, names)
        assert await eng.dispatcher.drain(10)
        assert eng.dispatcher.stats()["am"]["sent"] == 1
        held = alertmanager.alerts()  # independent truth: Alertmanager's own API
        assert sorted(a["labels"]["device"] for a in held) == sorted(names)
        assert all(a["status"]["state"] == "active" for a in held)
        reqs = am_hook.wait(1, timeout=15)
        firing = [r.json() for r in reqs if r.json()["status"] == "firing"]
        assert firing, [r.json() for r in reqs]
        group = firing[0]
        assert group["groupLabels"] == {"alertname": "device_unreachable"}
        assert sorted(a["labels"]["device"] for a in group["alerts"]) == sorted(names)
        assert "unreachable" in group["alerts"][0]["annotations"]["summary"]

        n0 = len(am_hook.requests)
        _fire(eng, topology, names, up=1)
        assert await eng.dispatcher.drain(10)
        deadline = time.time() + 15
        resolved = []
        while time.time() < deadline and not resolved:
            await asyncio.sleep(0.2)
            resolved = [r.json() for r in am_hook.requests[n0:] if r.json()["status"] == "resolved"]
        assert resolved, "Alertmanager never sent the resolve"
        assert sorted(a["labels"]["device"] for a in resolved[0]["alerts"]) == sorted(names)
        assert all(a["endsAt"] != "0001-01-01T00:00:00Z" for a in resolved[0]["alerts"])
    finally:
        await eng.aclose()


@pytest.fixture
def tls(tmp_path):
    return self_signed(tmp_path)


async def test_dingtalk_signed_https(make_engine, topology, tls, caplog):
    caplog.set_level(logging.DEBUG)
    rec = Recorder().start(tls)
    try:
        eng = _engine(
            make_engine,
            {
                "ding": {
                    "type": "dingtalk",
                    "url": rec.url + "/robot/send",
                    "access_token": "env:DING_TOKEN",
                    "secret": "env:DING_SECRET",
                    "ca_file": str(tls[0]),
                }
            },
        )
        await eng.start()
        _fire(eng, topology, ["gd-in-core1"])
        assert await eng.dispatcher.drain(10)
        await eng.aclose()
        (req,) = rec.wait(1)
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(req.path).query)
        # the receiver's check, as DingTalk documents it
        ts = q["timestamp"][0]
        assert abs(int(ts) / 1000 - time.time()) < 3600
        expect = base64.b64encode(
            hmac.new(DING_SECRET.encode(), f"{ts}\n{DING_SECRET}".encode(), hashlib.sha256).digest()
        )
        assert q["sign"][0].encode() == expect
        assert q["access_token"] == [DING_TOKEN]
        body = req.json()
        assert body["msgtype"] == "markdown"
        assert "gd-in-core1" in body["markdown"]["text"] and "不可达" in body["markdown"]["text"]
        assert "影响" in body["markdown"]["text"]  # the incident lists its impact
        # the token and secret never reach the logs (httpx would log the URL with its query)
        assert DING_TOKEN not in caplog.text and DING_SECRET not in caplog.text and q["sign"][0] not in caplog.text
    finally:
        rec.stop()


async def test_dingtalk_rate_limit_respected(make_engine):
    """21 messages to a robot limited to 20/min: the 21st waits (checked on the limiter, no 60 s sleep)."""
    from pydantic import SecretStr

    from netmon.alerting.notify.dingtalk import DingTalkNotifier

    n = DingTalkNotifier("d", "http://127.0.0.1:9", SecretStr("t"), None, 20, 1, 0, 1, "zh", None)
    for _ in range(20):
        await asyncio.wait_for(n.wait_rate(), 0.5)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(n.wait_rate(), 0.5)


async def test_wecom_markdown(make_engine, topology):
    rec = Recorder().start()
    try:
        eng = _engine(
            make_engine,
            {
                "wx": {
                    "type": "wecom",
                    "url": rec.url + "/cgi-bin/webhook/send",
                    "key": "env:WECOM_KEY",
                    "language": "zh",
                }
            },
        )
        await eng.start()
        _fire(eng, topology, ["sc-cd-wh-in-core1"])
        assert await eng.dispatcher.drain(10)
        await eng.aclose()
        (req,) = rec.wait(1)
        assert urllib.parse.parse_qs(urllib.parse.urlsplit(req.path).query) == {"key": [WECOM_KEY]}
        body = req.json()
        assert body["msgtype"] == "markdown"
        content = body["markdown"]["content"]
        assert "sc-cd-wh-in-core1" in content and "紧急" in content and len(content.encode()) <= 4096
    finally:
        rec.stop()


async def test_webhook_hmac_and_retry_after_500(make_engine, topology):
    rec = Recorder(fail_first=2).start()
    try:
        eng = _engine(
            make_engine,
            {
                "hook": {
                    "type": "webhook",
                    "url": rec.url + "/in",
                    "secret": "env:HOOK_SECRET",
                    "retries": 3,
                    "backoff": 0.05,
                }
            },
        )
        await eng.start()
        _fire(eng, topology, ["zj-in-core1"])
        assert await eng.dispatcher.drain(10)
        st = eng.dispatcher.stats()["hook"]
        await eng.aclose()
        reqs = rec.wait(3)
        assert len(reqs) == 3 and st["retries"] == 2 and st["sent"] == 1 and st["failed"] == 0
        req = reqs[-1]
        sig = req.headers["X-Netmon-Signature"]
        assert sig == "sha256=" + hmac.new(HOOK_SECRET.encode(), req.body, hashlib.sha256).hexdigest()
        body = req.json()
        assert body["alerts"][0]["labels"]["device"] == "zj-in-core1" and body["alerts"][0]["kind"] == "firing"
        assert HOOK_SECRET not in req.body.decode()
    finally:
        rec.stop()


async def test_hanging_receiver_never_blocks_the_engine(make_engine, topology):
    rec = Recorder(delay=3.0).start()
    try:
        eng = _engine(
            make_engine,
            {"slow": {"type": "webhook", "url": rec.url + "/slow", "timeout": 0.3, "retries": 1, "backoff": 0.05}},
        )
        await eng.start()
        t = time.monotonic()
        for i in range(20):
            _fire(eng, topology, ["gd-gz-th-in-core1"], T0 + i * 60, up=i % 2)
        assert time.monotonic() - t < 1.0  # processing does not wait for the receiver
        assert await eng.dispatcher.drain(10)
        st = eng.dispatcher.stats()["slow"]
        assert st["failed"] >= 1 and "timed out" in st["last_error"]
        await eng.aclose()
    finally:
        rec.stop()


async def test_email_starttls(make_engine, topology, tls):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    got: list[bytes] = []
    logins: list[tuple[bytes, bytes]] = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            got.append(envelope.content)
            return "250 OK"

    def auth(server, session, envelope, mechanism, data):
        logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"mail-pw-7")

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(str(tls[0]), str(tls[1]))
    port = free_port()
    ctl = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=port,
        tls_context=ctx,
        require_starttls=True,
        authenticator=auth,
        auth_require_tls=True,
    )
    ctl.start()
    try:
        eng = _engine(
            make_engine,
            {
                "mail": {
                    "type": "email",
                    "host": "localhost",
                    "port": port,
                    "username": "noc",
                    "password": "env:SMTP_PASS",
                    "from": "netmon@gov.example",
                    "to": ["oncall@gov.example"],
                    "ca_file": str(tls[0]),
                }
            },
        )
        await eng.start()
        _fire(eng, topology, ["sc-in-core1"])
        assert await eng.dispatcher.drain(15)
        st = eng.dispatcher.stats()["mail"]
        await eng.aclose()
        assert st["sent"] == 1, st
        assert logins == [(b"noc", b"mail-pw-7")]
        msg = message_from_bytes(got[0], policy=email_policy)
        assert "sc-in-core1" in str(msg["Subject"]) and msg["To"] == "oncall@gov.example"
        assert "impact" in msg.get_body(("plain",)).get_content()
    finally:
        ctl.stop()
