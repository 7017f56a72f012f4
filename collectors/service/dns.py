"""DNS probe: ask one resolver one question (dnspython), check rcode and expected records."""

from __future__ import annotations

import dns.asyncquery
import dns.exception
import dns.message
import dns.rcode
import dns.rdatatype

from netmon.model import FieldValue

from .result import Phases, ProbeFailed, ProbeResult
from .settings import Target


def _norm(text: str) -> str:
    """Compare records as text, case- and trailing-dot-insensitive (a CNAME may be written either way)."""
    return text.strip().rstrip(".").lower()


async def probe_dns(target: Target, ph: Phases, timeout: float) -> ProbeResult:
    assert target.query
    server, port = target.dns_server
    q = dns.message.make_query(target.query, dns.rdatatype.from_text(target.record_type))
    t0 = ph.begin("dns")
    try:
        if target.transport == "tcp":
            resp = await dns.asyncquery.tcp(q, server, timeout=timeout, port=port)
        else:
            resp = await dns.asyncquery.udp(q, server, timeout=timeout, port=port, raise_on_truncation=True)
    except dns.message.Truncated:
        resp = await dns.asyncquery.tcp(q, server, timeout=timeout, port=port)  # answer too big for UDP
    except dns.exception.Timeout:
        raise ProbeFailed("timeout", f"no answer from {server}:{port} within {timeout:g}s") from None
    except ConnectionRefusedError:
        raise ProbeFailed("refused", f"{server}:{port} refused the query") from None
    except OSError as exc:
        raise ProbeFailed("socket", f"{server}:{port}: {exc.strerror or exc}") from None
    except dns.exception.DNSException as exc:
        raise ProbeFailed("protocol", f"{server}:{port}: {exc}") from None
    ph.end("dns", t0)
    rcode = dns.rcode.to_text(resp.rcode())
    rdtype = dns.rdatatype.from_text(target.record_type)
    answers = sorted({rd.to_text() for rrset in resp.answer if rrset.rdtype == rdtype for rd in rrset})
    fields: dict[str, FieldValue] = {"rcode": rcode, "answer_count": len(answers), "answers": " ".join(answers)[:4000]}
    got = {_norm(a) for a in answers}
    missing = [e for e in target.expect if _norm(e) not in got]
    fields["expected_ok"] = int(not missing)
    if rcode != target.expect_rcode:
        return ProbeResult(False, "rcode", f"rcode {rcode}, expected {target.expect_rcode}", fields)
    if missing:
        return ProbeResult(
            False, "answer", f"answer lacks {', '.join(missing)} (got {', '.join(answers) or 'nothing'})", fields
        )
    if rcode == "NOERROR" and not answers and not target.expect:
        return ProbeResult(False, "answer", f"no {target.record_type} record for {target.query}", fields)
    return ProbeResult(True, "", "", fields)
