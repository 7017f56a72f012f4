"""``python -m netmon.lab.snmpsim_agent ARGS``: snmpsim's command responder, one data file per endpoint.

snmpsim 1.2 can choose a data file by the UDP endpoint a request arrived on (its transport
ID ``1.3.6.1.6.1.1.N``), but in this release the lookup misses for v2c (the hashed community
path never matches) and v3 requests with an empty context are dropped before the lookup (the
default context is unregistered). The lab needs "one port per device, one community, one v3
user", so this launcher keeps snmpsim as it is and replaces only the context lookup: the data
file named ``<transport ID>.snmprec`` answers every request on that endpoint, for v1, v2c and
v3 alike; a request on an endpoint without a data file gets no answer, like a dead agent.
"""

from __future__ import annotations

import sys
from typing import Any


def _patch() -> None:
    from pysnmp.entity.rfc3413 import context
    from pysnmp.proto import error as pysnmp_error
    from snmpsim.commands import responder

    original_unregister = context.SnmpContext.unregister_context_name

    def unregister_context_name(self: Any, name: Any) -> None:
        # Keep the default (empty) context so v3 requests without a context reach the lookup.
        if name in (b"", ""):
            return
        original_unregister(self, name)

    def probe_by_endpoint(resp: Any, snmp_engine: Any) -> Any:
        exec_ctx = snmp_engine.observer.getExecutionContext("rfc3412.receiveMessage:request")
        name = ".".join(str(x) for x in exec_ctx["transportDomain"]).encode()
        try:
            resp.snmpContext.getMibInstrum(name)
        except pysnmp_error.PySnmpError:
            raise responder.NoDataNotification() from None
        return name

    context.SnmpContext.unregister_context_name = unregister_context_name  # type: ignore[method-assign]
    responder.probe_hash_context = probe_by_endpoint


def main(argv: list[str] | None = None) -> int:
    _patch()
    from snmpsim.commands import responder

    sys.argv = ["snmpsim-command-responder", *(sys.argv[1:] if argv is None else argv)]
    return int(responder.main() or 0)


if __name__ == "__main__":
    sys.exit(main())
