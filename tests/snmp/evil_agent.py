"""A misbehaving v2c agent on 127.0.0.1 (a thread): loops, garbage, or silence, per community."""

from __future__ import annotations

import socket
import threading

from pyasn1.codec.ber import decoder, encoder
from pysnmp.proto import api

P = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]


class EvilAgent:
    """community "loop": every GETBULK answers the requested OIDs themselves (never increasing);
    "garbage": random bytes; "truncated": a valid response cut in half; anything else: silence."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self._stop = False
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                data, addr = self.sock.recvfrom(65535)
            except OSError:
                continue
            try:
                msg, _ = decoder.decode(data, asn1Spec=P.Message())
            except Exception:
                continue
            community = bytes(P.apiMessage.get_community(msg))
            req = P.apiMessage.get_pdu(msg)
            rsp = P.apiPDU.get_response(req)
            if community == b"loop":
                vbs = [(oid, P.Integer(1)) for oid, _ in P.apiPDU.get_varbinds(req)]
                P.apiPDU.set_varbinds(rsp, vbs * 3)
            elif community in (b"garbage", b"truncated"):
                pass
            else:
                continue
            out = P.Message()
            P.apiMessage.set_defaults(out)
            P.apiMessage.set_community(out, community)
            P.apiMessage.set_pdu(out, rsp)
            wire = encoder.encode(out)
            if community == b"garbage":
                wire = b"\x30\x03\xff\xff\xff" + wire[::-1]
            elif community == b"truncated":
                wire = wire[: len(wire) // 2]
            self.sock.sendto(wire, addr)

    def stop(self) -> None:
        self._stop = True
        self._t.join(2)
        self.sock.close()
