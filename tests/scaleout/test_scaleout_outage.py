"""The whole path under failure: `netmon run --scope region=广东` polling the lab into the gd leaf
(whose WAN link we cut), a second province's pipeline on the zj leaf, the relay into influxd,
and the hub SIGKILLed and restarted. Afterwards every point is in InfluxDB exactly once with its
original timestamp and values, in order per series. Plus on-demand jobs over the work queue."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from netmon.config import BatchSettings, SpoolSettings, load_config
from netmon.errors import NetmonError
from netmon.inventory import Scope
from netmon.lab.influx import Influxd
from netmon.lab.lab import Lab
from netmon.model import Point
from netmon.runtime.mainjob import MainJob, RunOptions
from netmon.runtime.snmpjob import SnmpJob
from netmon.scaleout.settings import NatsSettings
from netmon.scaleout.workqueue import Job, WorkConsumer, submit_job
from netmon.storage import Pipeline
from netmon.storage.lineproto import Encoder, decode
from tests.scaleout.so_helpers import Hook, Topology, hub_client, influx_rows, wait_until
from tests.scaleout.test_scaleout_relay import _start_relay, _stop

FAST = BatchSettings(size=500, interval=0.1, retry_initial=0.05, retry_max=0.5)
T0 = 1_700_000_000_000_000_000


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    lab = Lab.start(tmp_path_factory.mktemp("solab"), ssh=False)
    try:
        yield lab
    finally:
        lab.stop()


def _poller_config(lab: Lab, tmp: Path, sink: str, alerting: dict[str, object] | None = None) -> Path:
    doc = yaml.safe_load(lab.config_path.read_text(encoding="utf-8"))
    doc["inventory"] = [str(lab.dir / "inventory.yaml")]
    doc["secrets_file"] = str(lab.dir / "secrets.yaml")
    doc["sink"] = sink
    doc["spool"] = {"dir": str(tmp / "spool"), "fsync": "batch"}
    doc["batch"] = {"size": 500, "interval": 0.1, "retry_initial": 0.05, "retry_max": 0.5}
    doc["intervals"] = {"snmp": 1, "health": 1, "jitter": 0.0}
    if alerting:
        doc["alerting"] = alerting
    path = tmp / "netmon.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _truth(points: list[Point]) -> dict[tuple[str, tuple[tuple[str, str], ...], int], dict[str, object]]:
    """What the database must hold: the points as line protocol would carry them (refused ones out)."""
    payload, _, _ = Encoder("ns").encode(points)
    out = {}
    for p in decode(payload):
        out[(p.measurement, tuple(sorted(p.tags.items())), p.time_ns)] = dict(p.fields)
    return out


def _stored(
    influxd: Influxd, db: str, measurements: set[str]
) -> dict[tuple[str, tuple[tuple[str, str], ...], int], dict[str, object]]:
    out: dict[tuple[str, tuple[tuple[str, str], ...], int], dict[str, object]] = {}
    for m in measurements:
        res = influxd.query(f'SELECT * FROM "{m}" GROUP BY *', db=db)["results"]
        assert isinstance(res, list)
        for s in res[0].get("series", []):
            tags = tuple(sorted((k, v) for k, v in (s.get("tags") or {}).items() if v != ""))
            for row in s["values"]:
                d = {c: x for c, x in zip(s["columns"], row, strict=True) if x is not None}
                t = int(d.pop("time"))
                key = (m, tags, t)
                assert key not in out, f"{key} stored twice"
                out[key] = d
    return out


async def test_link_cut_and_hub_kill_lose_nothing(
    topo: Topology, settings: NatsSettings, influxd: Influxd, influx_db: str, lab: Lab, tmp_path: Path
) -> None:
    cfg = load_config(_poller_config(lab, tmp_path, topo.sink_url(settings, "gd")))
    job = MainJob(cfg, RunOptions(scope=Scope.parse(["region=广东"]), listen="", stop_grace=2))
    polled: list[Point] = []
    job.observers.append(polled.extend)
    poller = asyncio.create_task(job.run())

    # Province zj: a known series through the real pipeline, one point every 20 ms.
    zj = await Pipeline.open(topo.sink_url(settings, "zj"), tmp_path / "zj-spool", SpoolSettings(fsync="batch"), FAST)
    sent: list[Point] = []
    stop = asyncio.Event()

    async def produce() -> None:
        i = 0
        while not stop.is_set():
            batch = [
                Point("series", {"device": f"zj-dev{k}"}, {"v": i, "x": i / 4}, T0 + i * 1_000_000) for k in range(5)
            ]
            await zj.submit(batch)
            sent.extend(batch)
            i += 1
            await asyncio.sleep(0.02)

    producer = asyncio.create_task(produce())
    relay, relay_task = await _start_relay(topo, settings, influxd, influx_db)
    try:
        await wait_until(lambda: relay.c.points > 0 and any(p.measurement == "snmp_reach" for p in polled), 30, "flow")
        # 1. cut gd's WAN link: its leaf keeps taking the poller's points
        topo.proxy.cut()
        await asyncio.sleep(3)
        cut_count = sum(1 for p in polled if p.measurement == "snmp_reach")
        topo.proxy.restore()
        await asyncio.to_thread(topo.wait_leaves)
        # 2. SIGKILL the hub while both provinces keep going
        topo.hub.kill()
        await asyncio.sleep(2)
        await asyncio.to_thread(topo.hub.start_again)
        await asyncio.to_thread(topo.wait_leaves)
        await asyncio.sleep(1)
    finally:
        stop.set()
        await producer
        job.request_stop()
        await asyncio.wait_for(poller, 60)
        assert await zj.flush(30)
        await zj.close()
        if not topo.proxy.up:
            topo.proxy.restore()
        if not topo.hub.alive():
            topo.hub.start_again()
    assert cut_count > 0
    truth = _truth(polled) | _truth(sent)
    try:
        await wait_until(lambda: len(_stored(influxd, influx_db, {k[0] for k in truth})) >= len(truth), 120, "catch-up")
    except AssertionError:
        missing = set(truth) - set(_stored(influxd, influx_db, {k[0] for k in truth}))
        print(f"relay {relay.c}; {len(missing)} points missing, e.g. {sorted(missing)[:2]}")
        nc = await hub_client(topo)
        print("hub", (await nc.jetstream().stream_info(settings.stream)).sources)
        for d in ("gd", "zj"):
            print(d, (await nc.jetstream(domain=d).stream_info(settings.province(d).stream)).state)
        await nc.close()
        raise
    finally:
        await _stop(relay, relay_task)
    stored = _stored(influxd, influx_db, {k[0] for k in truth})
    assert set(stored) == set(truth)  # every point, none twice (checked in _stored), same timestamps
    diff = [k for k in truth if {f: v for f, v in truth[k].items()} != {f: stored[k].get(f) for f in truth[k]}]
    assert not diff[:5], "values differ"
    # In order per series: the zj series read back oldest first are exactly what was sent, in order.
    for k in range(5):
        rows = [r for r in influx_rows(influxd, influx_db, "series") if r["device"] == f"zj-dev{k}"]
        assert [(r["time"], r["v"]) for r in rows] == [
            (p.time_ns, p.fields["v"]) for p in sent if p.tags["device"] == f"zj-dev{k}"
        ]


async def test_work_queue_poll_job_runs_in_the_province(
    topo: Topology, settings: NatsSettings, influxd: Influxd, influx_db: str, lab: Lab, tmp_path: Path
) -> None:
    cfg = load_config(_poller_config(lab, tmp_path, topo.sink_url(settings, "gd")))
    from netmon.inventory import Topology as NetTopology
    from netmon.inventory import load_inventory

    inv = load_inventory(cfg.inventory)
    devices = {d.name: d for d in Scope.parse(["region=广东"]).select(inv)}
    snmp = SnmpJob(cfg, NetTopology(inv))
    p = settings.province("gd")
    pipe = await Pipeline.open(topo.sink_url(settings, "gd"), tmp_path / "spool", SpoolSettings(fsync="batch"), FAST)
    leaf = await _leaf_client(topo)
    wc = WorkConsumer(leaf, p, {"poll": snmp.poll}, devices.get, pipe.submit)
    worker = asyncio.create_task(wc.run(max_jobs=2))
    relay, relay_task = await _start_relay(topo, settings, influxd, influx_db)
    nc = await hub_client(topo)
    try:
        await submit_job(nc, p, Job("poll", "gd-in-core1"))
        await submit_job(nc, p, Job("poll", "sc-in-core1"))  # not in this province's scope
        await asyncio.wait_for(worker, 30)
        assert await pipe.flush(10)
        await wait_until(
            lambda: len(influx_rows(influxd, influx_db, "netmon_job")) >= 2, 30, "job results at the centre"
        )
        # Link down: the centre is told the job was not queued.
        topo.proxy.cut()
        try:
            with pytest.raises(NetmonError, match=r"does not answer.*the job was not queued"):
                await submit_job(nc, p, Job("poll", "gd-in-core1"), timeout=2)
        finally:
            topo.proxy.restore()
    finally:
        await nc.close()
        await _stop(relay, relay_task)
        with contextlib.suppress(Exception):
            await leaf.close()
        await pipe.close()
        await snmp.close()
        await asyncio.to_thread(topo.wait_leaves)
    jobs = {r["device"]: r for r in influx_rows(influxd, influx_db, "netmon_job")}
    assert jobs["gd-in-core1"]["ok"] is True and jobs["gd-in-core1"]["points"] > 0
    assert jobs["sc-in-core1"]["ok"] is False and "not in this poller's inventory scope" in str(
        jobs["sc-in-core1"]["error"]
    )
    reach = [r for r in influx_rows(influxd, influx_db, "snmp_reach") if r["device"] == "gd-in-core1"]
    assert len(reach) == 1 and reach[0]["up"] in (1, 1.0, True)  # the job's poll itself, via the telemetry path
    assert wc.done == 1 and wc.failed == 1


async def _leaf_client(topo: Topology):  # type: ignore[no-untyped-def]
    import nats

    return await nats.connect(topo.gd.url, user="poller", password=topo.gd.users["poller"])


async def test_cut_off_province_keeps_alerting_and_the_centre_does_not_page(
    topo: Topology, settings: NatsSettings, influxd: Influxd, influx_db: str, lab: Lab, tmp_path: Path
) -> None:
    """Alerting stays local: with its WAN link cut, 广东's poller still pages its on-call; when the
    link returns the centre stores the alert history and nobody is paged again."""
    hook = Hook()
    victim = "gd-sz-ft-in-acc1"  # an access switch: nothing behind it
    alerting = {"state": str(tmp_path / "alerts.db"), "receivers": {"gd-oncall": {"type": "webhook", "url": hook.url, "retries": 0}},
                "groups": {"gd": ["gd-oncall"]}, "default_groups": ["gd"]}  # fmt: skip
    cfg = load_config(_poller_config(lab, tmp_path, topo.sink_url(settings, "gd"), alerting))
    job = MainJob(cfg, RunOptions(scope=Scope.parse(["region=广东"]), listen="", stop_grace=2))
    polled: list[Point] = []
    job.observers.append(polled.extend)
    topo.proxy.cut()
    poller = asyncio.create_task(job.run())

    def paged() -> list[object]:
        return [a for b in hook.bodies for a in b.get("alerts", []) if a.get("labels", {}).get("device") == victim]  # type: ignore[union-attr]

    try:
        await wait_until(lambda: any(p.measurement == "snmp_reach" for p in polled), 30, "first poll")
        lab.fault(victim)
        await wait_until(lambda: paged(), 30, "the province's on-call to be paged while cut off")
        assert not topo.proxy.up  # paged with the link down
    finally:
        lab.heal()
        topo.proxy.restore()
        job.request_stop()
        await asyncio.wait_for(poller, 60)
        await asyncio.to_thread(topo.wait_leaves)
    pages = len(hook.bodies)
    relay, relay_task = await _start_relay(topo, settings, influxd, influx_db)
    try:
        await wait_until(lambda: [r for r in influx_rows(influxd, influx_db, "alert") if r.get("device") == victim], 60,
                         "the alert history at the centre")  # fmt: skip
        await asyncio.sleep(1)
    finally:
        await _stop(relay, relay_task)
        hook.stop()
    assert len(hook.bodies) == pages  # the backlog reaching the centre paged nobody


async def test_worker_cli_runs_a_queued_job(topo: Topology, settings: NatsSettings, lab: Lab, tmp_path: Path) -> None:
    """`netmon relay worker` as deployed in a province: the job queued at the centre is run and
    its result published to the province's leaf stream."""
    import os

    import nats

    from tests.conftest import run_netmon

    path = _poller_config(lab, tmp_path, topo.sink_url(settings, "gd"))
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["nats"] = settings.model_dump(exclude_defaults=True)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    nc = await hub_client(topo)
    try:
        await submit_job(nc, settings.province("gd"), Job("poll", "gd-gz-in-core1"))
    finally:
        await nc.close()
    env = {k: v for k, v in os.environ.items() if k.startswith("NETMON_TEST_")}
    env["NATS_PASSWORD"] = topo.gd.users["poller"]  # the leaf user's password, by reference (default env)
    r = await asyncio.to_thread(
        run_netmon,
        "relay",
        "worker",
        "--province",
        "广东",
        "-c",
        str(path),
        "--scope",
        "region=广东",
        "--max-jobs",
        "1",
        env=env,
    )
    assert r.returncode == 0, r.stderr
    assert "1 jobs done, 0 failed" in r.stdout
    leaf = await nats.connect(topo.gd.url, user="poller", password=topo.gd.users["poller"])
    try:
        js = leaf.jetstream()
        p = settings.province("gd")
        info = await js.stream_info(p.stream)
        data = b"".join(
            [(await js.get_msg(p.stream, q)).data or b"" for q in range(info.state.first_seq, info.state.last_seq + 1)]
        )
        work = await js.stream_info(p.work_stream)
    finally:
        await leaf.close()
    jobs = [pt for pt in decode(data) if pt.measurement == "netmon_job" and pt.tags["device"] == "gd-gz-in-core1"]
    assert len(jobs) == 1 and jobs[0].fields["ok"] is True and int(jobs[0].fields["points"]) > 0
    assert work.state.messages == 0  # WorkQueue retention: taken and acknowledged, so gone
