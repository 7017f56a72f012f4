"""The Point: the one record every collector emits and every sink and the alert engine consume."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

FieldValue = float | int | str | bool


@dataclass(slots=True)
class Point:
    """One measurement at one instant.

    ``time_ns`` is the collection time (Unix epoch, nanoseconds) and is kept end to end, so a
    point replayed from the spool after an outage lands at the moment it was measured.
    Tags come from the inventory (tier, region, province, site, network, device, vendor, role)
    plus the collector's own (ifName, ...). Tag values are strings; empty tags are dropped by sinks.
    """

    measurement: str
    tags: dict[str, str]
    fields: dict[str, FieldValue]
    time_ns: int = field(default_factory=time.time_ns)

    def to_json(self) -> dict[str, object]:
        return {"measurement": self.measurement, "tags": self.tags, "fields": self.fields, "time": self.time_ns}
