"""The engine's state machine on the Point stream: pending -> firing -> resolved, hysteresis,
`for:`, dedup, persistence across restarts, flapping, absent data, events, acks and silences."""

from __future__ import annotations

import datetime as dt

import pytest
from alerting_helpers import T0, iface, reach

from netmon.alerting.state import AlertStore
from netmon.model import Point

RULES = """
rules:
  - id: util
    measurement: interface
    when: in_util_pct > 90
    recover: in_util_pct < 80
    for: 2m
    severity: warning
    summary: {en: "{device} {ifName} at {in_util_pct:.0f}%", zh: "{device} {ifName} 利用率 {in_util_pct:.0f}%"}
  - id: down
    measurement: snmp_reach
    when: up == 0
    root_cause: true
    severity: critical
    summary: {en: "{device} down", zh: "{device} 不可达"}
  - id: silent
    measurement: snmp_reach
    absent: 5m
    severity: major
    summary: {en: "{device} silent", zh: "{device} 无数据"}
  - id: spool
    measurement: netmon_self
    when: delta(spool_dropped) > 0
    recover: delta(spool_dropped) == 0
    severity: critical
    summary: {en: "spool dropping on {instance}", zh: "{instance} 缓存溢出"}
  - id: changed
    measurement: config_change
    event: true
    resolve_after: 10m
    severity: info
    summary: {en: "{device} config changed", zh: "{device} 配置变更"}
"""

WEBHOOK = {
    "receivers": {
        "hook": {"type": "webhook", "url": "http://127.0.0.1:9/none", "retries": 0},
        "boss": {"type": "webhook", "url": "http://127.0.0.1:9/boss", "retries": 0},
    },
    "groups": {"noc": ["hook"], "managers": ["boss"]},
    "default_groups": ["noc"],
}


def _dev(topology, name="gd-gz-th-in-core1"):
    return topology.device(name)


def _states(points):
    return [(p.tags["rule"], p.tags["state"]) for p in points]


def test_for_and_hysteresis(make_engine, topology):
    eng = make_engine(rules_yaml=RULES)
    d = _dev(topology)
    assert _states(eng.process([iface(d, 1, T0, in_util_pct=95.0)])) == [("util", "pending")]
    assert eng.process([iface(d, 1, T0 + 60, in_util_pct=96.0)]) == []  # still pending: for: 2m not over
    out = eng.process([iface(d, 1, T0 + 121, in_util_pct=97.0)])
    assert _states(out) == [("util", "firing")]
    assert out[0].fields["firing"] == 1 and out[0].fields["summary"] == f"{d.name} GE0/0/1 at 97%"
    # between recover (80) and when (90): hysteresis keeps it firing
    assert eng.process([iface(d, 1, T0 + 180, in_util_pct=85.0)]) == []
    assert [a.state for a in eng.active()] == ["firing"]
    assert _states(eng.process([iface(d, 1, T0 + 240, in_util_pct=50.0)])) == [("util", "resolved")]
    eng.end_cycle(T0 + 240)
    assert eng.active() == []


def test_pending_that_clears_never_fires_and_dedup(make_engine, topology):
    eng = make_engine(rules_yaml=RULES)
    d = _dev(topology)
    eng.process([iface(d, 1, T0, in_util_pct=95.0), iface(d, 1, T0 + 1, in_util_pct=99.0)])
    eng.process([iface(d, 2, T0, in_util_pct=95.0)])
    assert len(eng.active()) == 2  # one per (device, ifIndex): deduplicated by rule + labels
    eng.process([iface(d, 1, T0 + 30, in_util_pct=10.0)])
    eng.end_cycle(T0 + 30)
    assert [a.labels["ifIndex"] for a in eng.active()] == ["2"]
    assert not any(h.state == "firing" for _, h in eng.store.history(100))


def test_restart_neither_repages_nor_forgets(make_engine, topology, tmp_path):
    d = _dev(topology)
    eng = make_engine(WEBHOOK, rules_yaml=RULES)
    eng.process([reach(d, 0, T0)])
    eng.end_cycle(T0)
    slot = eng.dispatcher.slots["hook"]
    assert [n.kind for n in slot.queue] == ["firing"]
    aid = eng.active()[0].id
    eng.store.close()

    again = make_engine(WEBHOOK, rules_yaml=RULES)  # same state file
    assert [a.id for a in again.active()] == [aid] and again.active()[0].state == "firing"
    again.process([reach(d, 0, T0 + 60)])
    again.end_cycle(T0 + 60)
    again.tick(T0 + 61)
    assert list(again.dispatcher.slots["hook"].queue) == []  # not paged again
    again.process([reach(d, 1, T0 + 120)])
    again.end_cycle(T0 + 120)
    assert [n.kind for n in again.dispatcher.slots["hook"].queue] == ["resolved"]
    assert again.active() == []


def test_flapping_holds_notifications(make_engine, topology):
    eng = make_engine({**WEBHOOK, "flapping": {"changes": 4, "window": "10m"}}, rules_yaml=RULES)
    d = _dev(topology)
    t = T0
    for up in (0, 1, 0, 1, 0, 1, 0):
        eng.process([reach(d, up, t)])
        eng.end_cycle(t)
        t += 60
    kinds = [n.kind for n in eng.dispatcher.slots["hook"].queue]
    # firing, resolved, firing, then 4 changes in the window -> one "flapping", nothing more
    assert kinds == ["firing", "resolved", "firing", "flapping"]
    a = eng.active()[0]
    assert a.flapping and a.state == "firing"
    # settles: no change for the window -> flapping cleared, no re-page (receivers know it fires)
    eng.process([reach(d, 0, t + 700)])
    eng.end_cycle(t + 700)
    assert not eng.active()[0].flapping
    assert [n.kind for n in eng.dispatcher.slots["hook"].queue][4:] == []


def test_absent_data_fires_and_clears(make_engine, topology):
    eng = make_engine(rules_yaml=RULES)
    d = _dev(topology)
    eng.process([reach(d, 1, T0)])
    assert eng.tick(T0 + 200) == []
    out = eng.tick(T0 + 301)
    assert _states(out) == [("silent", "firing")]
    assert "silent" in out[0].fields["summary"]
    out = eng.process([reach(d, 1, T0 + 400)])
    assert ("silent", "resolved") in _states(out)


def test_spool_overflow_uses_delta(make_engine):
    eng = make_engine(rules_yaml=RULES)
    tags = {"instance": "poller-gd"}
    p = lambda dropped, t: Point("netmon_self", tags, {"spool_dropped": dropped}, int(t * 1e9))  # noqa: E731
    assert eng.process([p(0, T0), p(0, T0 + 10)]) == []  # a running count that does not grow is fine
    assert _states(eng.process([p(25, T0 + 20)])) == [("spool", "firing")]
    assert _states(eng.process([p(25, T0 + 30)])) == [("spool", "resolved")]


def test_event_rule_resolves_by_itself(make_engine, topology):
    eng = make_engine(rules_yaml=RULES)
    d = _dev(topology)
    ev = Point(
        "config_change",
        {**d.point_tags(), "change": "update"},
        {"lines_added": 3, "lines_removed": 1, "version": "v2"},
        int(T0 * 1e9),
    )
    assert _states(eng.process([ev])) == [("changed", "firing")]
    assert eng.tick(T0 + 300) == []
    assert _states(eng.tick(T0 + 601)) == [("changed", "resolved")]


def test_ack_stops_repeat_and_escalation(make_engine, topology):
    cfg = {
        **WEBHOOK,
        "routes": [
            {"match": ["severity=critical"], "groups": ["noc", "managers"], "repeat": "10m", "escalate_after": "15m"}
        ],
    }
    d = _dev(topology)
    eng = make_engine(cfg, rules_yaml=RULES)
    eng.process([reach(d, 0, T0)])
    eng.end_cycle(T0)
    q = eng.dispatcher.slots["hook"].queue
    eng.tick(T0 + 601)  # repeat after 10m (the device's "silent" alert folds into its incident)
    eng.tick(T0 + 901)  # escalation after 15m, to the next group
    assert [n.kind for n in q] == ["firing", "repeat"]
    assert [n.kind for n in eng.dispatcher.slots["boss"].queue] == ["escalation"]
    silent = [a for a in eng.active() if a.rule == "silent"]
    assert silent and silent[0].suppressed and silent[0].root_cause == d.name
    a = eng.active()[0]
    assert a.level == 1
    # ack from another process (the CLI writes the state file)
    cli = AlertStore(eng.store.path)
    cli.add_ack(a.id, "zhang.san", "on it")
    cli.close()
    eng.tick(T0 + 2000)
    eng.tick(T0 + 9000)
    assert [n.kind for n in q] == ["firing", "repeat"]
    assert [n.kind for n in eng.dispatcher.slots["boss"].queue] == ["escalation"]
    assert [x.acked_by for x in eng.active() if x.id == a.id] == ["zhang.san"]


def test_silence_holds_then_releases(make_engine, topology):
    d = _dev(topology)
    eng = make_engine(WEBHOOK, rules_yaml=RULES)
    cli = AlertStore(eng.store.path)
    cli.add_silence(["region=广东/*", "alertname=down"], T0 - 1, T0 + 300, "li.si", "line work")
    cli.close()
    eng.tick(T0)
    eng.process([reach(d, 0, T0)])
    eng.end_cycle(T0)
    q = eng.dispatcher.slots["hook"].queue
    assert list(q) == [] and eng.active()[0].silenced_by
    eng.tick(T0 + 301)  # silence over, still down: page now
    assert [n.kind for n in q] == ["firing"]


def test_maintenance_window_from_config(make_engine, topology):
    d = _dev(topology)
    cfg = {
        **WEBHOOK,
        "maintenance": [
            {
                "match": ["device=gd-gz-*"],
                "start": "2027-01-15T08:00:00+08:00",
                "end": "2027-01-15T10:00:00+08:00",
                "comment": "割接",
            }
        ],
    }
    eng = make_engine(cfg, rules_yaml=RULES)
    start = dt.datetime.fromisoformat("2027-01-15T08:30:00+08:00").timestamp()
    eng.process([reach(d, 0, start)])
    eng.end_cycle(start)
    assert list(eng.dispatcher.slots["hook"].queue) == []
    other = topology.device("zj-hz-xh-in-core1")
    eng.process([reach(other, 0, start)])
    eng.end_cycle(start)
    assert [n.alert.labels["device"] for n in eng.dispatcher.slots["hook"].queue] == ["zj-hz-xh-in-core1"]


def test_corrupt_state_file_is_a_clear_error(make_engine, tmp_path):
    from netmon.errors import NetmonError

    bad = tmp_path / "garbage.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(NetmonError) as ei:
        make_engine(rules_yaml=RULES, state=bad)
    assert "garbage.db" in str(ei.value) and "cannot open the alert state file" in str(ei.value)


def test_unknown_point_kinds_and_missing_fields_are_ignored(make_engine, topology):
    eng = make_engine(rules_yaml=RULES)
    d = _dev(topology)
    pts = [
        Point("nonsense", {}, {"x": 1}),
        Point("interface", d.point_tags(), {}, int(T0 * 1e9)),  # no fields at all
        Point("interface", {}, {"in_util_pct": "high"}, int(T0 * 1e9)),  # no device, a string value
        Point("snmp_reach", {"device": "not-in-inventory"}, {"up": 0}, int(T0 * 1e9)),
    ]
    out = eng.process(pts)
    assert _states(out) == [("down", "firing")]  # an unknown device is still alerted on its own tags
    eng.end_cycle(T0)
    assert eng.incidents()[0]["device"] == "not-in-inventory"


def test_alertmanager_resend_keeps_alert_alive(make_engine, topology):
    """Alertmanager drops an alert not re-sent within resolve_timeout: firing ones are re-sent every `resend`."""
    cfg = {
        "receivers": {"am": {"type": "alertmanager", "url": "http://127.0.0.1:9", "resend": "60s"}},
        "groups": {"noc": ["am"]},
        "default_groups": ["noc"],
    }
    eng = make_engine(cfg, rules_yaml=RULES)
    d = _dev(topology)
    eng.process([reach(d, 0, T0)])
    eng.end_cycle(T0)
    eng.tick(T0 + 30)
    eng.process([reach(d, 0, T0 + 60)])  # keep it from going silent
    eng.tick(T0 + 61)
    q = eng.dispatcher.slots["am"].queue
    assert [(n.kind, n.alert.rule) for n in q] == [("firing", "down"), ("repeat", "down")]


def test_full_queue_drops_oldest_counted():
    from netmon.alerting.notify import Dispatcher, Notice
    from netmon.alerting.notify.webhook import WebhookNotifier
    from netmon.alerting.state import Alert

    n = WebhookNotifier("w", "http://127.0.0.1:9", None, "X-Sig", 1, 0, 1, "en", None)
    disp = Dispatcher({"w": n}, max_queue=3)
    for i in range(5):
        disp.enqueue("w", Notice("firing", Alert(f"id{i}", "r", "info", {}), T0))
    assert [x.alert.id for x in disp.slots["w"].queue] == ["id2", "id3", "id4"]
    assert disp.stats()["w"]["dropped"] == 2 and disp.stats()["w"]["queued"] == 3
