"""Errors that reach the user: each names where (file, line, field) and why.

The CLI turns an ``InputError`` into a list of messages and exit code 2, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one piece of input."""

    source: str  # file path, device name or URL
    reason: str
    line: int | None = None  # 1-based line (YAML) or row (CSV)
    field: str | None = None

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            where += f": {self.field}"
        return f"{where}: {self.reason}"


@dataclass
class InputError(Exception):
    """Bad input; carries every problem found so the user can fix them in one go."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    @classmethod
    def one(cls, source: str, reason: str, line: int | None = None, field: str | None = None) -> InputError:
        return cls([Problem(source, reason, line, field)])


class NetmonError(Exception):
    """An operational failure with a message fit for the user (exit code 1)."""


EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2
