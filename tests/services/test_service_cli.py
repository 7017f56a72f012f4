"""`netmon services` as a user runs it, malformed target YAML, and the daemon's job contract."""

from __future__ import annotations

import asyncio
import json
import textwrap

from collectors.service import ServiceJob
from netmon.config import load_config
from netmon.runtime.scheduler import Job, Scheduler
from tests.conftest import ROOT, run_netmon
from tests.services.conftest import HOST


def _targets(svc_lab, path):
    path.write_text(textwrap.dedent(f"""\
        targets:
          - name: portal
            kind: http
            url: {svc_lab.url("valid")}
            ca_file: {svc_lab.d / "rsa" / "root.pem"}
            match: 政务服务
            vantages: [central]
            network: extranet
            tier: province
            region: 广东
          - name: dns
            kind: dns
            server: 127.0.0.1:{svc_lab.dns_port}
            query: {HOST}
            expect: [127.0.0.1]
          - name: hung
            kind: tls
            host: 127.0.0.1
            port: {svc_lab.hang.port}
            timeout: 1
            vantages: [广东]
        """), encoding="utf-8")  # fmt: skip
    return path


def test_check_json_and_exit_codes(svc_lab, tmp_path):
    f = _targets(svc_lab, tmp_path / "t.yaml")
    r = run_netmon("services", "check", "-f", str(f), "--format", "json")
    assert r.returncode == 0, r.stderr  # vantage central: portal and dns (hung is 广东's)
    objs = [json.loads(x) for x in r.stdout.replace("}\n{", "}\x00{").split("\x00")]
    names = {(o["measurement"], o["tags"]["target"]) for o in objs}
    assert ("service", "portal") in names and ("service", "dns") in names and ("service_cert", "portal") in names
    assert not any(o["tags"]["target"] == "hung" for o in objs)
    r = run_netmon("services", "check", "-f", str(f), "--vantage", "广东")
    assert r.returncode == 1 and "1 of 2 target(s) down" in r.stderr
    assert "hung" in r.stdout and "timeout" in r.stdout and "TLS handshake" in r.stdout
    r = run_netmon("services", "check", "-f", str(f), "--target", "nope")
    assert r.returncode == 2 and "no target named nope" in r.stderr
    r = run_netmon("services", "list", "-f", str(f))
    assert r.returncode == 0 and "portal" in r.stdout and "(all)" in r.stdout


def test_malformed_target_yaml(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text(textwrap.dedent("""\
        targets:
          - name: a
            kind: http
            url: ftp://x
          - name: b
            kind: dns
            query: x.example
          - name: c
            kind: tcp
            host: 10.0.0.1
            port: 70000
          - name: d
            kind: http
            url: https://x.example/
            match: "([unclosed"
            colour: blue
          - name: e
            kind: smtp
        """), encoding="utf-8")  # fmt: skip
    r = run_netmon("services", "check", "-f", str(f))
    assert r.returncode == 2, r.stdout
    err = r.stderr
    assert "Traceback" not in err
    assert f"{f}:2: targets.0: url 'ftp://x' is not http:// or https://" in err
    assert f"{f}:5: targets.1: a dns target needs `server`" in err
    assert f"{f}:11: targets.2.port:" in err
    assert f"{f}:15: targets.3.match: not a regular expression" in err
    assert f"{f}:16: targets.3.colour: unknown setting" in err
    assert f"{f}:18: targets.4.kind:" in err
    (tmp_path / "syntax.yaml").write_text("targets: [\n", encoding="utf-8")
    r = run_netmon("services", "check", "-f", str(tmp_path / "syntax.yaml"))
    assert r.returncode == 2 and "YAML syntax error" in r.stderr


def test_services_section_in_netmon_yaml(svc_lab, tmp_path):
    _targets(svc_lab, tmp_path / "targets.yaml")
    cfg = tmp_path / "netmon.yaml"
    cfg.write_text(textwrap.dedent(f"""\
        inventory: [{ROOT / "configs" / "inventory" / "small.yaml"}]
        timezone: Asia/Shanghai
        services:
          vantage: 广东
          files: [targets.yaml]
          timeout: 2
        """), encoding="utf-8")  # fmt: skip
    r = run_netmon("services", "list", "-c", str(cfg))
    assert r.returncode == 0 and "hung" in r.stdout
    cfg.write_text(cfg.read_text() + "  concurency: 5\n", encoding="utf-8")
    r = run_netmon("services", "list", "-c", str(cfg))
    assert r.returncode == 2 and f"{cfg}:7: services.concurency: unknown setting" in r.stderr


def test_job_on_the_scheduler(svc_lab, tmp_path):
    """The daemon's contract: one cycle emits the points of every target this vantage owns."""
    _targets(svc_lab, tmp_path / "targets.yaml")
    cfg_path = tmp_path / "netmon.yaml"
    cfg_path.write_text(
        f"inventory: [{ROOT / 'configs' / 'inventory' / 'small.yaml'}]\nservices:\n  vantage: 广东\n  files: [targets.yaml]\n"
    )
    cfg = load_config(cfg_path)
    got = []

    async def emit(points):
        got.extend(points)

    async def main():
        job = ServiceJob(cfg, emit)
        sched = Scheduler(emit, max_cycles=1, primary="services")
        sched.add(Job("services", 60, None, list, cycle_fn=job.cycle, jitter=0.0))
        await sched.run()
        return job

    job = asyncio.run(main())
    svc = {p.tags["target"]: p for p in got if p.measurement == "service"}
    assert set(svc) == {"dns", "hung"}  # portal is probed from the centre only
    assert svc["hung"].fields["up"] == 0 and svc["dns"].fields["up"] == 1
    assert all(p.tags["vantage"] == "广东" for p in got)
    assert job._down == {"hung": "timeout"}


def test_secret_headers_are_references_and_never_shown(svc_lab, tmp_path):
    from tests.services.servers import Handler

    f = tmp_path / "plain.yaml"
    f.write_text(f"targets:\n  - name: a\n    kind: http\n    url: http://127.0.0.1:{svc_lab.http.port}/\n"
                 "    headers: {Authorization: Bearer hunter2-token}\n", encoding="utf-8")  # fmt: skip
    r = run_netmon("services", "check", "-f", str(f))
    assert r.returncode == 2 and f"{f}:5: targets.0.headers: Authorization: inline secrets are not allowed" in r.stderr
    assert "hunter2" not in r.stderr + r.stdout
    f.write_text(
        f"targets:\n  - name: a\n    kind: http\n    url: http://ops:pw@127.0.0.1:{svc_lab.http.port}/\n",
        encoding="utf-8",
    )
    r = run_netmon("services", "check", "-f", str(f))
    assert r.returncode == 2 and "a password in the URL is not allowed" in r.stderr and "pw@" not in r.stderr
    f.write_text(f"targets:\n  - name: a\n    kind: http\n    url: http://127.0.0.1:{svc_lab.http.port}/\n"
                 "    headers: {Authorization: 'env:PORTAL_TOKEN'}\n", encoding="utf-8")  # fmt: skip
    r = run_netmon("services", "check", "-f", str(f))
    assert r.returncode == 2 and "environment variable PORTAL_TOKEN is not set" in r.stderr
    Handler.seen_auth.clear()
    r = run_netmon("services", "check", "-f", str(f), "--format", "json", env={"PORTAL_TOKEN": "Bearer s3cr3t-value"})
    assert r.returncode == 0, r.stderr
    assert Handler.seen_auth == ["Bearer s3cr3t-value"]  # sent to the server
    assert "s3cr3t" not in r.stdout + r.stderr  # never in the points or the output


def test_daemon_stores_service_points(svc_lab, tmp_path, monkeypatch):
    """`netmon run`'s main job wires the services job: its points reach the sink through the spool."""
    from netmon.runtime.mainjob import MainJob, RunOptions
    from netmon.storage import open_query

    _targets(svc_lab, tmp_path / "targets.yaml")
    inv = tmp_path / "inv.yaml"
    inv.write_text(f"devices:\n  - {{name: c1, address: 127.0.0.1, port: {svc_lab.closed_port}, network: intranet, tier: central, "
                   "site: 中心机房, role: core, vendor: huawei_vrp, snmp: v2}\n", encoding="utf-8")  # fmt: skip
    cfg_path = tmp_path / "netmon.yaml"
    cfg_path.write_text(textwrap.dedent(f"""\
        inventory: [inv.yaml]
        sink: sqlite:///{tmp_path / 'run.db'}
        spool: {{dir: {tmp_path / 'spool'}}}
        credentials: {{snmp: {{v2: {{version: 2c, community: "env:NETMON_TEST_COMMUNITY"}}}}}}
        intervals: {{snmp: 2, services: 2, jitter: 0}}
        snmp: {{timeout: 1, retries: 0}}
        services: {{vantage: central, files: [targets.yaml]}}
        """), encoding="utf-8")  # fmt: skip
    monkeypatch.setenv("NETMON_TEST_COMMUNITY", "public")
    job = MainJob(load_config(cfg_path), RunOptions(max_cycles=2, listen=""))
    assert asyncio.run(job.run()) == 0

    async def read():
        q = open_query(f"sqlite:///{tmp_path / 'run.db'}")
        try:
            return (
                await q.latest("service"),
                await q.latest("service_cert"),
                await q.latest("netmon_self", where={"collector": "services"}),
            )
        finally:
            await q.close()

    svc, certs, selfmon = asyncio.run(read())
    assert {p.tags["target"]: p.fields["up"] for p in svc} == {"portal": 1, "dns": 1}
    assert [c.tags["target"] for c in certs] == ["portal"] and certs[0].fields["chain_valid"] == 1
    assert selfmon and selfmon[0].fields["devices_up"] == 2  # the services cycle is self-monitored too
