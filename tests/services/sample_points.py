"""Service probe points shaped like collectors/service's, for the dashboard query tests."""

from __future__ import annotations

from collections.abc import Iterator

from netmon.model import Point

TARGETS = [("gd-portal", "http", "广东"), ("gd-dns", "dns", "广东"), ("zj-portal", "http", "浙江")]


def service_points(now_ns: int, hours: float = 2.0, step_s: int = 60) -> Iterator[Point]:
    steps = int(hours * 3600 / step_s)
    for i in range(steps + 1):
        t = now_ns - (steps - i) * step_s * 10**9
        for name, kind, prov in TARGETS:
            for vantage in ("central", prov):
                tags = {"target": name, "kind": kind, "vantage": vantage, "network": "extranet", "tier": "province", "region": prov,
                        "province": prov}  # fmt: skip
                up = 0 if (name == "zj-portal" and i > steps - 5) else 1
                f = {"up": up, "duration_ms": 40.0 + i % 7, "error": "" if up else "timeout", "detail": ""}
                if kind == "http":
                    f.update(
                        status_code=200 if up else 0,
                        dns_ms=1.5,
                        connect_ms=3.0,
                        tls_ms=12.0,
                        first_byte_ms=20.0,
                        transfer_ms=2.0,
                    )
                else:
                    f.update(dns_ms=4.0 + i % 3, rcode="NOERROR", answer_count=1, answers="10.1.8.20", expected_ok=1)
                yield Point("service", tags, f, t)
                if kind == "http":
                    yield Point("service_cert", tags, {"days_left": 200.0 - i / 1440 if prov == "广东" else 12.0, "subject": "CN=portal",
                                                       "issuer": "CN=CA", "key_type": "ec-prime256v1", "sig_alg": "SM2-with-SM3",
                                                       "chain_valid": 1, "chain_error": "", "hostname_ok": 1}, t)  # fmt: skip
                    yield Point("service_revocation", {**tags, "method": "ocsp"}, {"status": "good", "reachable": 1, "revoked": 0,
                                                                                    "response_ms": 8.0, "url": "http://ocsp.example/",
                                                                                    "error": ""}, t)  # fmt: skip
