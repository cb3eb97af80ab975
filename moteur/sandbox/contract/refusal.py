"""What the strict sandbox answers instead of serving a request the vendor would refuse."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Refusal:
    """The vendor's status and message, and every problem found (kept in the sandbox's request log)."""

    status: int
    text: str
    problems: list[str] = field(default_factory=list)
