"""``python -m netmon.lab.snmpsim_agent ARGS``: snmpsim's command responder, one data file per endpoint.

snmpsim 1.2 chooses a data file by the UDP endpoint a request arrived on (its transport ID
``1.3.6.1.6.1.1.N``) in its responders' ``handleMgmtOperation``; pysnmp 7 renamed that hook
to ``handle_management_operation``, so with pysnmp 7 snmpsim's lookup never runs: v2c always
gets the community's file and v3 without a context is refused by VACM. The lab needs "one
port per device, one community, one v3 user", so this launcher keeps snmpsim as it is and
installs the lookup under pysnmp 7's name: the JSON file named by ``NETMON_SNMPSIM_MAP`` maps
each transport ID to a data file's name (several endpoints may share one recording, which is
then indexed once), and that file answers every request on the endpoint (v1, v2c, v3 alike).
An endpoint without an entry gets no answer, like a dead agent.
"""

from __future__ import annotations

import json
import os
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

    mapping: dict[str, str] = {}
    if os.environ.get("NETMON_SNMPSIM_MAP"):
        with open(os.environ["NETMON_SNMPSIM_MAP"], encoding="utf-8") as fh:
            mapping = json.load(fh)

    def probe_by_endpoint(resp: Any, snmp_engine: Any) -> Any:
        exec_ctx = snmp_engine.observer.get_execution_context("rfc3412.receiveMessage:request")
        tid = ".".join(str(x) for x in exec_ctx["transportDomain"])
        name = mapping.get(tid, tid).encode()
        try:
            resp.snmpContext.getMibInstrum(name)
        except pysnmp_error.PySnmpError:
            raise responder.NoDataNotification() from None
        return name

    context.SnmpContext.unregister_context_name = unregister_context_name  # type: ignore[method-assign]

    def allow(cls: Any, view_type: Any, var_bind: Any, **ctx: Any) -> None:
        return None  # snmpsim serves its data to any authenticated request (it had no VACM either)

    for cls in (
        responder.GetCommandResponder,
        responder.NextCommandResponder,
        responder.BulkCommandResponder,
        responder.SetCommandResponder,
    ):
        base = cls.__mro__[1].handle_management_operation

        def handle(self: Any, engine: Any, state_ref: Any, ctx_name: Any, pdu: Any, _base: Any = base) -> None:
            try:
                name = probe_by_endpoint(self, engine)
            except responder.NoDataNotification:
                self.release_state_information(state_ref)
                return
            _base(self, engine, state_ref, name, pdu)

        cls.handle_management_operation = handle  # type: ignore[method-assign]
        cls.verify_access = classmethod(allow)  # type: ignore[method-assign,assignment]


def main(argv: list[str] | None = None) -> int:
    _patch()
    from snmpsim.commands import responder

    # v3 user and keys come by the environment so they never show in `ps` (the process's
    # /proc/PID/cmdline is fixed at exec; rewriting sys.argv here does not change it).
    secret_args = json.loads(os.environ.pop("NETMON_SNMPSIM_V3", "[]"))
    sys.argv = ["snmpsim-command-responder", *(sys.argv[1:] if argv is None else argv), *secret_args]
    return int(responder.main() or 0)


if __name__ == "__main__":
    sys.exit(main())
