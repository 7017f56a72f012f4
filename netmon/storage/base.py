"""What every sink and query helper provides, and how write failures are classified."""

from __future__ import annotations

import abc

from ..errors import NetmonError
from ..model import Point
from .partial import PartialWrite
from .urls import SinkURL


class SinkUnavailable(NetmonError):
    """Worth retrying: connection refused, timeout, HTTP 5xx/429, database busy."""


class SinkRejected(NetmonError):
    """The sink refused the data or the credentials (HTTP 4xx): retrying the same batch won't help."""

    def __init__(self, message: str, status: int = 400, partial: PartialWrite | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.partial = partial  # the sink stored the rest of the batch: only these points were refused


class Sink(abc.ABC):
    """A time-series database that takes line protocol (the spool's record payload)."""

    def __init__(self, url: SinkURL) -> None:
        self.url = url

    @property
    def precision(self) -> str:
        return self.url.precision

    async def start(self) -> None:
        """Check the sink: raise NetmonError for a configuration problem (bad credentials,
        missing database), SinkUnavailable if it cannot be reached right now."""
        return None

    @abc.abstractmethod
    async def write(self, payload: bytes, points: int) -> None:
        """Store the points; raise SinkUnavailable or SinkRejected."""

    async def close(self) -> None:
        return None


class Query(abc.ABC):
    """Read points back: used by alerting, reports and the demo.

    ``where`` selects series by exact tag values; ``fields`` limits the fields (default all).
    Each result is a Point: one series at one instant with the fields stored at that instant.
    """

    @abc.abstractmethod
    async def latest(
        self, measurement: str, where: dict[str, str] | None = None, fields: list[str] | None = None
    ) -> list[Point]:
        """The most recent point of every matching series."""

    @abc.abstractmethod
    async def range(
        self,
        measurement: str,
        start_ns: int,
        end_ns: int,
        where: dict[str, str] | None = None,
        fields: list[str] | None = None,
    ) -> list[Point]:
        """Every point of the matching series with start_ns <= time < end_ns, oldest first."""

    async def close(self) -> None:
        return None
