"""``quorum:`` — a state rule that fires only when ``when`` holds for at least ``min`` distinct values
of a tag, e.g. a portal down as seen from two vantage points (one poller's own link failing is
not the portal failing).

Each value's latest point is a vote, forgotten after ``within``. The engine's state machine then
runs unchanged on a representative point: one that satisfies ``when`` while the quorum holds,
one that does not once it is lost, with ``quorum_count`` and ``quorum_values`` added for templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from ..model import FieldValue
from .durations import Duration

if TYPE_CHECKING:
    from .rules import Rule

QUORUM_FIELDS = ("quorum_count", "quorum_values")


class Quorum(BaseModel):
    model_config = ConfigDict(extra="forbid")

    by: str = Field(description="tag whose distinct values vote, e.g. vantage")
    min: int = Field(2, ge=1, description="values that must agree before the alert fires")
    within: Duration = Field(300.0, description="a value's vote counts this long after its last point")


class Votes:
    def __init__(self) -> None:
        self._votes: dict[str, dict[str, tuple[bool, float, Mapping[str, FieldValue]]]] = {}

    def vote(
        self, rule: Rule, aid: str, tags: Mapping[str, str], fields: Mapping[str, FieldValue], t: float
    ) -> dict[str, FieldValue] | None:
        """The point the rule's state machine should see, or None when nothing can be decided yet."""
        q = rule.spec.quorum
        when = rule.when
        assert q is not None and when is not None
        box = self._votes.setdefault(aid, {})
        fire = bool(when(fields, None))
        box[tags.get(q.by, "")] = (fire, t, fields)
        for k in [k for k, (_, tt, _) in box.items() if t - tt > q.within]:
            del box[k]
        agreeing = sorted(k for k, (f, _, _) in box.items() if f)
        if len(agreeing) >= q.min:
            rep = fields if fire else box[agreeing[0]][2]
        else:
            other = fields if not fire else next((fl for f, _, fl in box.values() if not f), None)
            if other is None:
                return None  # only agreeing votes so far, too few: no verdict either way
            rep = other
        return {**rep, "quorum_count": len(agreeing), "quorum_values": ", ".join(agreeing)}
