"""Service probes: portals, DNS, TCP services and certificates, per target and vantage point."""

# ruff: noqa: S608  # InfluxQL templates built from constants in this file, never from user input

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as db

from .. import panels as P
from ..base import new
from ..influxql import InfluxQL, match, where
from ..variables import query_variable

UID = "netmon-services"
SEL = where(match("target", "target"), match("vantage", "vantage"))
CERT_STEPS: P.Steps = ((None, "red"), (0, "orange"), (30, "green"))


def _by_target(field: str, agg: str = "mean", measurement: str = "service", extra: str = "") -> InfluxQL:
    cond = where(match("target", "target"), match("vantage", "vantage"), extra)
    return InfluxQL(
        "A",
        f'SELECT {agg}("{field}") FROM "{measurement}" WHERE {cond} GROUP BY time($__interval), "target", "vantage" fill(null)',
        alias="$tag_target @ $tag_vantage",
    )


def build() -> db.Dashboard:
    d = new(
        UID,
        "netmon · services 服务探测",
        "Service probes (collectors/service): HTTP(S) portals, DNS, TCP services and TLS certificates, "
        "as seen from each vantage point (poller). A target down from one vantage only is usually that "
        "poller's own link; down from two or more is the service.",
        tags=["services"],
        time_from="now-6h",
        refresh="1m",
        variables=[
            query_variable("vantage", "Vantage 监测点", 'SHOW TAG VALUES FROM "service" WITH KEY = "vantage"'),
            query_variable("target", "Target 目标", 'SHOW TAG VALUES FROM "service" WITH KEY = "target"'),
        ],
    )
    last_up = f'SELECT last("up") AS "up" FROM "service" WHERE {SEL} GROUP BY "target", "vantage"'
    return (
        d.with_panel(P.stat("Targets × vantages up", [InfluxQL("A", f'SELECT sum("up") FROM ({last_up})')], w=6))
        .with_panel(
            P.stat(
                "Targets × vantages down",
                [InfluxQL("A", f'SELECT count("up") - sum("up") FROM ({last_up})')],
                w=6,
                steps=P.ZERO_IS_GOOD,
            )
        )
        .with_panel(
            P.stat(
                "Fewest certificate days left",
                [
                    InfluxQL(
                        "A",
                        f'SELECT min("d") FROM (SELECT last("days_left") AS "d" FROM "service_cert" WHERE {SEL} GROUP BY "target")',
                    )
                ],
                "d",
                w=6,
                steps=CERT_STEPS,
            )
        )
        .with_panel(
            P.stat(
                "Availability (probes up)",
                [InfluxQL("A", f'SELECT mean("up") * 100 FROM "service" WHERE {SEL}')],
                "percent",
                w=6,
                steps=P.AVAILABILITY_STEPS,
            )
        )
        .with_panel(
            P.table(
                "Status per target and vantage",
                [
                    InfluxQL(
                        "A",
                        'SELECT last("up") AS "up", last("status_code") AS "status", last("duration_ms") AS "total ms", '
                        'last("error") AS "error", last("detail") AS "detail", mean("up") * 100 AS "availability %" '
                        f'FROM "service" WHERE {SEL} GROUP BY "target", "kind", "vantage"',
                        table=True,
                    )
                ],
                w=24,
                units={"total ms": "ms", "availability %": "percent"},
                steps=P.AVAILABILITY_STEPS,
            )
        )
        .with_panel(
            P.timeline(
                "Up / down per target and vantage",
                [_by_target("up", "last")],
                w=24,
                value_mappings=P.UP_DOWN,
            )
        )
        .with_panel(
            P.ts(
                "Total probe time",
                [_by_target("duration_ms")],
                "ms",
                description="DNS + connect + TLS + first byte + transfer.",
            )
        )
        .with_panel(P.ts("Time to first byte (HTTP)", [_by_target("first_byte_ms")], "ms"))
        .with_panel(P.ts("TLS handshake", [_by_target("tls_ms")], "ms"))
        .with_panel(P.ts("DNS answer time", [_by_target("dns_ms", extra="\"kind\" = 'dns'")], "ms"))
        .with_panel(
            P.table(
                "Certificates",
                [
                    InfluxQL(
                        "A",
                        'SELECT last("days_left") AS "days left", last("subject") AS "subject", last("issuer") AS "issuer", '
                        'last("key_type") AS "key", last("sig_alg") AS "signature", last("chain_valid") AS "chain valid", '
                        f'last("chain_error") AS "chain error" FROM "service_cert" WHERE {SEL} GROUP BY "target"',
                        table=True,
                    )
                ],
                w=24,
                units={"days left": "d"},
                steps=CERT_STEPS,
                description="Days left < 30 raises certificate_expiring (configs/alerts/services.yaml). SM2 chains show SM2-with-SM3.",
            )
        )
        .with_panel(
            P.table(
                "OCSP / CRL of the certificates' own URLs",
                [
                    InfluxQL(
                        "A",
                        'SELECT last("status") AS "status", last("reachable") AS "reachable", last("response_ms") AS "ms", '
                        f'last("url") AS "url", last("error") AS "error" FROM "service_revocation" WHERE {SEL} '
                        'GROUP BY "target", "method"',
                        table=True,
                    )
                ],
                w=24,
                units={"ms": "ms"},
            )
        )
    )
