"""The alert engine: rules on the Point stream, alert state, topology root cause, notifications.

How the daemon drives it (one asyncio loop)::

    engine = AlertEngine.from_config(cfg.alerting, topology, state_path, cfg.secret_store())
    await engine.start()                      # notifier tasks
    alert_points = engine.process(points)     # as a poll cycle's points arrive
    alert_points += engine.end_cycle(now)     # the cycle is complete: topology check, notify
    engine.tick(now)                          # every second or so: timers, acks, silences
    await engine.aclose()

Poll-driven alerts wait for ``end_cycle`` (at most ``cycle_grace``), so a county is never paged
before its city's reachability of the same cycle is known. Trap-driven and event alerts go out
on the next ``tick`` (the trap receiver calls it right away), within a second.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import math
import string
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any

from ..inventory import Topology
from ..model import FieldValue, Point
from ..secrets import SecretStore
from .config import AlertingConfig, AlertmanagerReceiver, parse_alerting
from .notify import Dispatcher, Notice, Notifier, build_notifiers
from .notify.message import Kind
from .quorum import Votes
from .rootcause import Analysis, RootCause
from .rules import DEFAULT_RULES_DIR, Rule, load_rules
from .selectors import DeviceSelector, LabelMatcher, tags_match
from .state import Alert, AlertStore, Silence, alert_id

log = logging.getLogger("netmon.alerting")

# Device context copied from a point onto its alert: routes, silences and messages use them.
CONTEXT_TAGS = ("device", "network", "tier", "region", "province", "site", "role", "vendor", "ifName", "ifAlias")


class _Fmt(string.Formatter):
    """Templates never fail at run time: a missing or non-numeric value prints as '?'."""

    def get_value(self, key: Any, args: Any, kwargs: Any) -> Any:
        return kwargs.get(key, "?")

    def format_field(self, value: Any, format_spec: str) -> str:
        try:
            return format(value, format_spec)
        except (ValueError, TypeError):
            return str(value)


_FMT = _Fmt()


@dataclass
class _Series:
    """A series an absent rule has seen: its labels and when it last sent a point."""

    rule: Rule
    labels: dict[str, str]
    identity: dict[str, str]
    last: float


class AlertEngine:
    def __init__(
        self,
        rules: list[Rule],
        cfg: AlertingConfig,
        topology: Topology | None,
        store: AlertStore,
        notifiers: Mapping[str, Notifier] | None = None,
    ) -> None:
        self.cfg = cfg
        self.rules = {r.id: r for r in rules}
        self.by_measurement: dict[str, list[Rule]] = {}
        for r in rules:
            self.by_measurement.setdefault(r.spec.measurement, []).append(r)
        # Per rule, what process() reads on every point, looked up once: its id, the tags of its
        # identity, and for a state rule whose "not firing" on a point without a live alert
        # changes nothing (no delta, quorum, root-cause bookkeeping) its test, so such points
        # (most interface points of most polls) stop there.
        self._plans: dict[Rule, tuple[str, tuple[str, ...], Any]] = {
            r: (
                r.id,
                tuple(tag for _, tag in r.label_map),
                r.when.test
                if r.kind == "state"
                and r.when is not None
                and not r.when.uses_delta
                and not (r.recover is not None and r.recover.uses_delta)
                and r.spec.quorum is None
                and not r.spec.root_cause
                else None,
            )
            for r in rules
        }
        self.topology = topology
        inv = topology.inventory if topology is not None else None
        self.rootcause = RootCause(topology)
        self.analysis = Analysis(frozenset())
        self.store = store
        self.dispatcher = Dispatcher(dict(notifiers or {}))
        self.routes = [(LabelMatcher(r.match, inv), r) for r in cfg.routes]
        self.alerts: dict[str, Alert] = {a.id: a for a in store.load_alerts()}
        self._ids: dict[tuple[str, tuple[str, ...]], str] = {}
        self._changes: dict[str, list[float]] = {a.id: a.changes for a in self.alerts.values()}
        self._prev: dict[str, Mapping[str, FieldValue]] = {}
        self._series: dict[str, _Series] = {}
        self._ifcache: dict[tuple[str, str], tuple[str, str]] = {}
        self._uplink_ifs = self._uplink_interfaces()
        self._dirty: set[str] = set()
        self._deleted: set[str] = set()
        self._events: list[tuple[float, Alert]] = []
        self._ack_seq = int(store.meta("ack_seq", "0") or 0)
        self._silences: list[tuple[Silence, LabelMatcher]] = []
        self._maintenance = [
            Silence(
                f"maint{i}", m.match, m.start.timestamp(), m.end.timestamp(), "netmon.yaml", m.comment, "maintenance"
            )
            for i, m in enumerate(cfg.maintenance)
        ]
        self._inv = inv
        self._applicable: dict[tuple[str, str], list[Rule]] = {}
        self._hits: dict[str, collections.deque[float]] = {}  # event rules with count/within
        self._window_count = 0
        self._started = False
        self._ticker: asyncio.Task[None] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.points_seen = 0
        self._quorum = Votes()
        # device -> time of its latest reachability (root_cause rule) point, and the down alerts
        # held until every parent has answered at least that recently (_hold_for_parents).
        self._observed: dict[str, float] = {}
        self._held: set[str] = set()
        self.reload_silences()

    # --- construction ------------------------------------------------------------------------
    @classmethod
    def from_config(
        cls,
        section: Mapping[str, Any] | AlertingConfig | None,
        topology: Topology | None,
        state_path: Path | None = None,
        secret_store: SecretStore | None = None,
        *,
        source: str = "netmon.yaml",
        base: Path | None = None,
    ) -> AlertEngine:
        """Validate the ``alerting:`` section, load rules, resolve secrets, open the state file.

        Bad input raises InputError (file, line, rule id, field); nothing is started.
        """
        cfg = section if isinstance(section, AlertingConfig) else parse_alerting(dict(section or {}), source, base)
        inv = topology.inventory if topology is not None else None
        rules = load_rules(cfg.rules or [DEFAULT_RULES_DIR], inv)
        notifiers = build_notifiers(cfg, secret_store or SecretStore(), source)
        store = AlertStore(state_path or cfg.state)
        return cls(rules, cfg, topology, store, notifiers)

    def _uplink_interfaces(self) -> set[tuple[str, str]]:
        """(device, ifName) of every interface the inventory names as a device's own uplink."""
        out: set[tuple[str, str]] = set()
        if self.topology is None:
            return out
        for d in self.topology.inventory:
            for up in d.uplinks:
                if up.local_interface:
                    out.add((d.name, up.local_interface))
        return out

    # --- the point stream --------------------------------------------------------------------
    def fields_needed(self) -> dict[str, frozenset[str] | None]:
        """Per measurement with rules, the fields ``process`` reads (None: all of them).

        A point trimmed to these fields (tags kept) gives the same alerts as the whole point:
        conditions, the reported value and the summaries read nothing else. Rules that keep
        more of a point (events, absent series, quorum votes, root causes) take every field.
        Used by ``netmon run --workers`` so workers send the parent only what alerting reads.
        """
        from .rules import _template_names

        out: dict[str, frozenset[str] | None] = {}
        for r in self.rules.values():
            m = r.spec.measurement
            if r.kind != "state" or r.spec.quorum is not None or r.spec.root_cause or r.field_groups:
                out[m] = None
                continue
            names: set[str] = set()
            for cond in (r.when, r.recover):
                if cond is not None:
                    names |= cond.fields
            for text in (r.spec.summary.en, r.spec.summary.zh):
                names |= _template_names(text)
            if m not in out:
                out[m] = frozenset(names)
            elif (known := out[m]) is not None:
                out[m] = known | names
        return out

    def process(self, points: Iterable[Point]) -> list[Point]:
        """Evaluate rules on points; returns the ``alert`` points of state changes (to store)."""
        if not self._started:
            self._autostart()
        out: list[Point] = []
        plans, alerts, ids = self._plans, self.alerts, self._ids
        for p in points:
            self.points_seen += 1
            rules = self.by_measurement.get(p.measurement)
            if not rules:
                continue
            tags = self._interface_tags(p) if p.measurement == "interface" else p.tags
            dev = tags.get("device", "")
            if self._inv is not None and dev in self._inv.devices:
                # selectors depend only on the inventory device: evaluate them once per device
                key_md = (p.measurement, dev)
                applicable = self._applicable.get(key_md)
                if applicable is None:
                    applicable = self._applicable[key_md] = [r for r in rules if r.selector.matches(tags)]
                rules = applicable
                selected = True
            else:
                selected = False
            # Only alerts of inventory devices wait for end_cycle's topology check; traps and
            # points about no device (netmon_self) go out on the next tick.
            immediate = p.measurement == "snmp_trap" or tags.get("source") == "trap" or not selected
            t = p.time_ns / 1e9
            for rule in rules:
                if rule.match_exact and any(tags.get(k) != v for k, v in rule.match_exact):
                    continue
                if len(rule.match_exact) != len(rule.match) and not tags_match(rule.match, tags):
                    continue
                if not selected and not rule.selector.matches(tags):
                    continue
                rtags = tags
                if rule.field_groups:  # group_by names a field: it joins the alert's identity
                    rtags = {**tags, **{f: str(p.fields.get(f, "")) for f in rule.field_groups}}
                rid, label_tags, plain_test = plans[rule]
                values = tuple(map(rtags.get, label_tags, repeat("")))
                key = (rid, values)
                aid = ids.get(key)
                if aid is None:
                    aid = ids[key] = alert_id(rid, dict(zip((lbl for lbl, _ in rule.label_map), values, strict=True)))
                fields = p.fields
                if plain_test is not None and not plain_test(fields, None):
                    a = alerts.get(aid)
                    if a is None or a.state == "resolved":
                        continue  # what _state would conclude, without its bookkeeping
                kind = rule.kind
                if rule.spec.root_cause:
                    # when the device last answered (or not): the poll's start plus its duration
                    rt = p.fields.get("response_ms")
                    seen = t + (rt / 1000.0 if isinstance(rt, int | float) else 0.0)
                    if seen > self._observed.get(dev, 0.0):
                        self._observed[dev] = seen
                if rule.spec.quorum is not None:  # "down from >= 2 vantage points" (quorum.py)
                    voted = self._quorum.vote(rule, aid, tags, fields, t)
                    if voted is None:
                        continue
                    fields = voted
                if kind == "state":
                    self._state(rule, aid, rtags, fields, t, immediate, out)
                elif kind == "event":
                    self._event(rule, aid, rtags, fields, t, out)
                else:
                    self._seen(rule, aid, rtags, fields, t, out)
        if out:
            self._save()
        return out

    def process_now(self, points: Iterable[Point]) -> list[Point]:
        """For event sources (the trap receiver): evaluate, then notify at once (process + tick)."""
        out = self.process(points)
        out += self.tick()
        return out

    def _interface_tags(self, p: Point) -> Mapping[str, str]:
        tags = p.tags
        dev, idx = tags.get("device", ""), tags.get("ifIndex", "")
        if tags.get("source") != "trap":
            if idx and (dev, idx) not in self._ifcache:
                self._ifcache[(dev, idx)] = (tags.get("ifName", ""), tags.get("uplink", ""))
            return tags
        # A trap knows the ifIndex; name and uplink-ness come from the last poll or the inventory.
        name, uplink = self._ifcache.get((dev, idx), ("", ""))
        name = tags.get("ifName") or name
        if not uplink and name:
            uplink = "1" if (dev, name) in self._uplink_ifs else "0"
        return {**tags, "ifName": name, "uplink": tags.get("uplink") or uplink}

    def _new(self, rule: Rule, aid: str, tags: Mapping[str, str], t: float) -> Alert:
        labels = {k: tags[k] for k in CONTEXT_TAGS if tags.get(k)}
        labels.update({lbl: tags.get(tag, "") for lbl, tag in rule.label_map})
        labels.update(rule.spec.labels)
        a = Alert(aid, rule.id, rule.spec.severity, labels, started=t, last_seen=t)
        self.alerts[aid] = a
        self._deleted.discard(aid)
        return a

    def _render(self, rule: Rule, a: Alert, tags: Mapping[str, str], fields: Mapping[str, FieldValue]) -> None:
        ctx: dict[str, Any] = {
            **tags,
            **fields,
            **a.labels,
            "alertname": rule.id,
            "severity": a.severity,
            "value": a.value,
        }
        ctx["root_cause"] = a.root_cause
        a.summary_en = _FMT.format(rule.spec.summary.en, **ctx)
        a.summary_zh = _FMT.format(rule.spec.summary.zh, **ctx)

    def _value(self, rule: Rule, fields: Mapping[str, FieldValue]) -> float | str:
        if rule.spec.count > 1:
            return float(self._window_count)  # hits within the window
        name = rule.when.first_field if rule.when else ""
        v = fields.get(name, 0.0) if name else fields.get("count", 1.0)
        return float(v) if isinstance(v, int | float) else str(v)

    def _state(
        self,
        rule: Rule,
        aid: str,
        tags: Mapping[str, str],
        fields: Mapping[str, FieldValue],
        t: float,
        immediate: bool,
        out: list[Point],
    ) -> None:
        assert rule.when is not None
        prev = self._prev.get(aid)
        if rule.when.uses_delta or (rule.recover is not None and rule.recover.uses_delta):
            self._prev[aid] = dict(fields)
        fire = rule.when(fields, prev)
        a = self.alerts.get(aid)
        if a is None or a.state == "resolved":
            if not fire:
                return
            if a is None:
                a = self._new(rule, aid, tags, t)
            a.state, a.started, a.resolved = "pending", t, None
            a.value = self._value(rule, fields)
            self._render(rule, a, tags, fields)
            if rule.spec.for_ <= 0:
                self._fire(rule, a, t, immediate, out)
            else:
                self._change(a, t, out)
            return
        a.last_seen = t
        if a.state == "pending":
            if not fire:
                a.state = "resolved"  # never fired: dropped without a notice
                a.resolved = t
                self._change(a, t, out)
            elif t - a.started >= rule.spec.for_:
                a.value = self._value(rule, fields)
                self._render(rule, a, tags, fields)
                self._fire(rule, a, t, immediate, out)
            return
        recovered = rule.recover(fields, prev) if rule.recover is not None else not fire
        if recovered:
            a.value = self._value(rule, fields)
            self._resolve(a, t, out)
        elif fire:
            a.value = self._value(rule, fields)

    def _event(
        self,
        rule: Rule,
        aid: str,
        tags: Mapping[str, str],
        fields: Mapping[str, FieldValue],
        t: float,
        out: list[Point],
    ) -> None:
        if rule.when is not None and not rule.when(fields, None):
            return
        if rule.spec.count > 1 and not self._counted(rule, aid, t):
            return
        a = self.alerts.get(aid)
        if a is None or a.state != "firing":
            if a is None:
                a = self._new(rule, aid, tags, t)
            a.state, a.started, a.resolved, a.last_seen = "pending", t, None, t
            a.value = self._value(rule, fields)
            self._render(rule, a, tags, fields)
            self._fire(rule, a, t, True, out)
        else:
            a.last_seen = t
            a.value = self._value(rule, fields)
            self._render(rule, a, tags, fields)

    def _counted(self, rule: Rule, aid: str, t: float) -> bool:
        """Sliding window of an event rule with ``count``: True from the count-th hit within ``within``."""
        window = rule.spec.within or 0.0
        hits = self._hits.setdefault(aid, collections.deque())
        hits.append(t)
        while hits and t - hits[0] > window:
            hits.popleft()
        if len(self._hits) > 50_000:  # many sources seen once: forget the stale windows
            for k in [k for k, h in self._hits.items() if not h or t - h[-1] > window]:
                del self._hits[k]
        if len(hits) < rule.spec.count:
            return False
        self._window_count = len(hits)
        return True

    def _seen(
        self,
        rule: Rule,
        aid: str,
        tags: Mapping[str, str],
        fields: Mapping[str, FieldValue],
        t: float,
        out: list[Point],
    ) -> None:
        s = self._series.get(aid)
        if s is None:
            labels = {k: tags[k] for k in CONTEXT_TAGS if tags.get(k)}
            identity = {lbl: tags.get(tag, "") for lbl, tag in rule.label_map}
            self._series[aid] = _Series(rule, labels, identity, t)
        else:
            s.last = max(s.last, t)
        a = self.alerts.get(aid)
        if a is not None and a.state in ("pending", "firing"):
            self._resolve(a, t, out)

    # --- transitions -------------------------------------------------------------------------
    def _fire(self, rule: Rule, a: Alert, t: float, immediate: bool, out: list[Point]) -> None:
        a.state, a.fired = "firing", t
        a.awaiting_cycle = not immediate
        if a.notified_state != "firing":
            a.route = self._route(a)
        self._flap(a, t)
        self._change(a, t, out)

    def _resolve(self, a: Alert, t: float, out: list[Point]) -> None:
        a.state, a.resolved = "resolved", t
        a.awaiting_cycle = False
        self._flap(a, t)
        self._change(a, t, out)

    def _flap(self, a: Alert, t: float) -> None:
        fl = self.cfg.flapping
        # kept beside the alert: a resolved alert is dropped, its history of changes is not
        a.changes = [c for c in self._changes.get(a.id, a.changes) if t - c < fl.window] + [t]
        self._changes[a.id] = a.changes
        if not a.flapping and len(a.changes) >= fl.changes:
            a.flapping = True
            log.info("alert %s (%s) is flapping: %d changes in %.0fs", a.id, a.rule, len(a.changes), fl.window)
            self._notify(a, "flapping", self._receivers(a, 0), t)

    def _change(self, a: Alert, t: float, out: list[Point] | None) -> None:
        self._dirty.add(a.id)
        snap = Alert.from_json(a.to_json())
        self._events.append((t, snap))
        if out is not None:
            out.append(self.alert_point(a, t))

    def alert_point(self, a: Alert, t: float) -> Point:
        tags = {k: v for k, v in a.labels.items() if v}
        tags.update({"rule": a.rule, "severity": a.severity, "state": a.display_state})
        value = a.value if isinstance(a.value, float) and math.isfinite(a.value) else 0.0
        fields: dict[str, FieldValue] = {
            "value": value,
            "summary": a.summary_en,
            "root_cause": a.root_cause,
            "firing": int(a.state == "firing"),
        }
        return Point("alert", tags, fields, int(t * 1e9))

    # --- cycles and timers -------------------------------------------------------------------
    def down_devices(self) -> set[str]:
        return {
            a.labels.get("device", "")
            for a in self.alerts.values()
            if a.state in ("pending", "firing")
            and self.rules.get(a.rule) is not None
            and self.rules[a.rule].spec.root_cause
        } - {""}

    def end_cycle(self, now: float | None = None) -> list[Point]:
        """A poll cycle is complete: decide root causes with every device's reachability known, then notify."""
        now = time.time() if now is None else now
        out: list[Point] = []
        self._apply_topology(now, out)
        for a in self.alerts.values():
            a.awaiting_cycle = False
        out += self.tick(now)  # timers too, for callers that never tick
        return out

    def _cause_for(self, a: Alert, an: Analysis) -> str:
        """The root cause that suppresses this alert, or ""."""
        dev = a.labels.get("device", "")
        rule = self.rules.get(a.rule)
        if rule is not None and not rule.suppressible:
            return ""  # not a consequence of reachability: pages even during an outage
        cause = an.cause_of.get(dev, "")
        if not cause and not (rule is not None and rule.spec.root_cause):
            if dev in an.roots:
                cause = dev  # a down device's other alerts fold into its incident
            else:
                cause = an.uplink_ends.get((dev, a.labels.get("ifName", "")), "")
        return cause

    def _apply_topology(self, now: float, out: list[Point]) -> None:
        an = self.analysis = self.rootcause.analyse(self.down_devices())
        for a in self.alerts.values():
            if a.state not in ("pending", "firing"):
                continue
            cause = self._cause_for(a, an)
            if (bool(cause), cause) != (a.suppressed, a.root_cause):
                a.suppressed, a.root_cause = bool(cause), cause
                self._change(a, now, out)
            rule = self.rules.get(a.rule)
            if rule is not None and rule.spec.root_cause:
                dev = a.labels.get("device", "")
                impact = an.impact.get(dev, {}) if dev in an.roots else {}
                if impact != a.impact:
                    a.impact = impact
                    self._dirty.add(a.id)
        self._hold_for_parents(an, now)

    def _hold_for_parents(self, an: Analysis, now: float) -> None:
        """Hold the page of a device that looks like a root while a parent's latest answer is
        older than the device's failure (the parent's poll ended before the device's unanswered
        poll started; polls running together do not hold): the parent may have been polled (up) just before the
        outage that took both, and its next poll would show the device is merely cut off. Without
        this a county seen down one cycle before its province pages on its own, then the province
        pages too (issue 16). The hold ends when every such parent has answered again (then the
        root is known: one page naming it), or after ``parent_wait``. A parent never seen gives no
        reason to wait (it may be polled by another netmon)."""
        held: set[str] = set()
        topo = self.topology
        if topo is not None:
            for a in self.alerts.values():
                rule = self.rules.get(a.rule)
                dev = a.labels.get("device", "")
                if (
                    rule is None
                    or not rule.spec.root_cause
                    or a.state != "firing"
                    or a.suppressed
                    or a.notified_state == "firing"
                    or dev not in an.roots
                    or dev not in topo.inventory.devices
                    or now - a.started >= self.cfg.parent_wait
                ):
                    continue
                if any(p not in an.down and self._observed.get(p, a.started) < a.started for p in topo.ancestors(dev)):
                    held.add(a.id)
        for aid in self._held - held:
            log.debug("alert %s: parents polled again, page decided", aid)
        self._held = held

    def tick(self, now: float | None = None) -> list[Point]:
        """Timers: absent data, event expiry, acks, silences, repeats, escalation; then notify."""
        now = time.time() if now is None else now
        out: list[Point] = []
        self._read_acks()
        self.reload_silences()
        for aid, s in self._series.items():
            if now - s.last >= (s.rule.spec.absent or 0):
                a = self.alerts.get(aid)
                if a is None or a.state == "resolved":
                    if a is None:
                        a = self._new(s.rule, aid, {**s.labels, **s.identity}, now)
                    a.state, a.started, a.resolved, a.value = "pending", now, None, now - s.last
                    self._render(s.rule, a, s.labels, {})
                    self._fire(s.rule, a, now, True, out)
        for a in list(self.alerts.values()):
            rule = self.rules.get(a.rule)
            if (
                a.state == "firing"
                and rule is not None
                and rule.kind == "event"
                and now - a.last_seen >= rule.spec.resolve_after
            ):
                self._resolve(a, now, out)
        if any(a.awaiting_cycle and now - (a.fired or now) >= self.cfg.cycle_grace for a in self.alerts.values()):
            # the poller never called end_cycle: decide with what we know rather than never page
            self._apply_topology(now, out)
        if self._held and any(
            now - self.alerts[i].started >= self.cfg.parent_wait for i in self._held if i in self.alerts
        ):
            self._apply_topology(now, out)  # a parent never answered again: page with what we know
        self._apply_topology_for_immediate(now, out)
        self._dispatch(now)
        self._save()
        return out

    def _apply_topology_for_immediate(self, now: float, out: list[Point]) -> None:
        """Trap/event/absent alerts of devices already known down or cut off are suppressed before they page."""
        an = self.analysis
        if not an.down:
            return
        for a in self.alerts.values():
            if a.state == "firing" and not a.awaiting_cycle and a.notified_state != "firing" and not a.suppressed:
                cause = self._cause_for(a, an)
                if cause:
                    a.suppressed, a.root_cause = True, cause
                    self._change(a, now, out)

    def _read_acks(self) -> None:
        for seq, aid, by, comment, ts in self.store.acks_after(self._ack_seq):
            self._ack_seq = seq
            a = self.alerts.get(aid)
            if a is not None and not a.acked_by:
                a.acked_by, a.acked_at, a.ack_comment = by, ts, comment
                self._dirty.add(aid)
                self._events.append((ts, Alert.from_json(a.to_json())))
            self.store.set_meta("ack_seq", str(seq))

    def reload_silences(self) -> None:
        self._silences = []
        for s in [*self._maintenance, *self.store.silences()]:
            try:
                self._silences.append((s, LabelMatcher(s.matchers, self._inv)))
            except Exception:  # a bad silence from an old CLI: ignore it, never crash the daemon
                log.warning("ignoring silence %s with bad matchers %s", s.id, s.matchers)

    def silenced_by(self, a: Alert, now: float) -> str:
        labels = {**a.labels, "alertname": a.rule, "severity": a.severity}
        for s, m in self._silences:
            if s.active(now) and m.matches(labels):
                return s.id
        return ""

    # --- notification ------------------------------------------------------------------------
    def _route(self, a: Alert) -> int:
        labels = {**a.labels, "alertname": a.rule, "severity": a.severity}
        for i, (m, _) in enumerate(self.routes):
            if m.matches(labels):
                return i
        return -1

    def _chain(self, a: Alert) -> list[str]:
        return self.cfg.routes[a.route].groups if a.route >= 0 else self.cfg.default_groups

    def _receivers(self, a: Alert, level: int) -> list[str]:
        chain = self._chain(a)
        if not chain:
            return []
        out: list[str] = []
        for g in chain[: level + 1]:
            out.extend(r for r in self.cfg.groups.get(g, []) if r not in out)
        return out

    def _notify(self, a: Alert, kind: Kind, receivers: Iterable[str], now: float) -> None:
        snap = Alert.from_json(a.to_json())
        for r in receivers:
            self.dispatcher.enqueue(r, Notice(kind, snap, now))
            a.notified[r] = now
        a.last_notify = now
        self._dirty.add(a.id)

    def _dispatch(self, now: float) -> None:
        window = self.cfg.flapping.window
        for aid in [
            i for i, ch in self._changes.items() if i not in self.alerts and (not ch or now - ch[-1] >= window)
        ]:
            del self._changes[aid]
        for a in list(self.alerts.values()):
            if a.flapping and a.changes and now - a.changes[-1] >= self.cfg.flapping.window:
                a.flapping = False  # settled: notify the state it settled in
                self._dirty.add(a.id)
            sil = self.silenced_by(a, now)
            if sil != a.silenced_by:
                a.silenced_by = sil
                self._dirty.add(a.id)
            if a.state == "firing":
                self._dispatch_firing(a, now)
            elif a.state == "resolved":
                if a.flapping:
                    continue
                if a.notified_state == "firing":
                    self._notify(a, "resolved", list(a.notified), now)
                    a.notified_state = "resolved"
                del self.alerts[a.id]
                self._dirty.discard(a.id)
                self._deleted.add(a.id)
                self._prev.pop(a.id, None)

    def _dispatch_firing(self, a: Alert, now: float) -> None:
        if a.awaiting_cycle or a.suppressed or a.flapping or a.silenced_by or a.id in self._held:
            return
        if a.notified_state != "firing":
            a.route, a.level = self._route(a), 0
            self._notify(a, "firing", self._receivers(a, 0), now)
            a.notified_state = "firing"
            return
        route = self.cfg.routes[a.route] if a.route >= 0 else None
        if not a.acked_by:
            esc = (
                route.escalate_after
                if route is not None and route.escalate_after is not None
                else self.cfg.escalate_after
            )
            chain = self._chain(a)
            if esc and a.level + 1 < len(chain) and now - (a.fired or now) >= esc * (a.level + 1):
                a.level += 1
                new = [r for r in self._receivers(a, a.level) if r not in self._receivers(a, a.level - 1)]
                self._notify(a, "escalation", new, now)
                return
            repeat = route.repeat if route is not None and route.repeat is not None else self.cfg.repeat
            if now - a.last_notify >= repeat:
                self._notify(a, "repeat", self._receivers(a, a.level), now)
                return
        # Alertmanager forgets an alert not re-sent within its resolve_timeout: keep it alive.
        for r, last in list(a.notified.items()):
            rc = self.cfg.receivers.get(r)
            if isinstance(rc, AlertmanagerReceiver) and now - last >= rc.resend:
                self.dispatcher.enqueue(r, Notice("repeat", Alert.from_json(a.to_json()), now))
                a.notified[r] = now

    def _save(self) -> None:
        if not (self._dirty or self._deleted or self._events):
            return
        changed = [self.alerts[i] for i in self._dirty if i in self.alerts]
        try:
            self.store.save(changed, self._deleted, self._events, self.cfg.history_keep)
        except Exception as exc:  # a full disk must not stop alerting; retry on the next save
            log.error("cannot write alert state %s: %s", self.store.path, exc)
            return
        self._dirty.clear()
        self._deleted.clear()
        self._events.clear()

    # --- queries and lifecycle ---------------------------------------------------------------
    def active(self) -> list[Alert]:
        """Pending and firing alerts (suppressed ones included, with their root cause)."""
        return sorted((a for a in self.alerts.values() if a.state in ("pending", "firing")), key=lambda a: a.started)

    def incidents(self) -> list[dict[str, Any]]:
        """One entry per root-cause device currently down: its alert, impact and suppressed alerts."""
        out = []
        for a in self.active():
            rule = self.rules.get(a.rule)
            if rule is None or not rule.spec.root_cause or a.suppressed:
                continue
            dev = a.labels.get("device", "")
            out.append(
                {
                    "alert": a.id,
                    "device": dev,
                    "network": a.labels.get("network", ""),
                    "summary": a.summary_en,
                    "impact": a.impact,
                    "suppressed": sorted(x.id for x in self.alerts.values() if x.root_cause == dev and x.suppressed),
                }
            )
        return out

    def stats(self) -> dict[str, Any]:
        firing = [a for a in self.alerts.values() if a.state == "firing"]
        return {
            "points": self.points_seen,
            "firing": len(firing),
            "suppressed": sum(a.suppressed for a in firing),
            "pending": sum(a.state == "pending" for a in self.alerts.values()),
            "notifiers": self.dispatcher.stats(),
        }

    def _autostart(self) -> None:
        """Called from process(): inside a running loop, start the notifier and timer tasks if nobody did."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # synchronous use (tests, tools): notices wait in the queues
        self._started = True
        self._tasks.append(loop.create_task(self.start()))

    async def start(self, tick_every: float = 1.0) -> None:
        """Start the notifier tasks and a timer task calling tick() every ``tick_every`` seconds."""
        self._started = True
        await self.dispatcher.start()
        if self._ticker is None:
            self._ticker = asyncio.create_task(self._tick_loop(tick_every), name="alert-ticker")

    async def _tick_loop(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                self.tick()
            except Exception:  # a timer must never die
                log.exception("alert tick failed")

    async def aclose(self) -> None:
        """Stop the timer, deliver what is queued (up to 5 s), close the state file."""
        for t in [self._ticker, *self._tasks]:
            if t is not None:
                t.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await t
        self._ticker = None
        await self.dispatcher.aclose()
        self._save()
        self.store.close()

    def set_topology(self, topology: Topology | None) -> None:
        """A reloaded inventory: new tree, selectors and caches; alert state is kept."""
        self.topology = topology
        inv = topology.inventory if topology is not None else None
        self._inv = inv
        for r in self.rules.values():
            r.selector = DeviceSelector(r.selector.scope, inv)
        self.rootcause = RootCause(topology)
        self.analysis = Analysis(frozenset())
        self._applicable.clear()
        self._uplink_ifs = self._uplink_interfaces()
        self.routes = [(LabelMatcher(r.match, inv), r) for r in self.cfg.routes]
        self.reload_silences()
