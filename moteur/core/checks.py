"""What ``moteur doctor`` reports of a tool: checks, each one line, that a connector makes on its own account.

A *check* is what was checked, whether it passed, what was found, and the fix when it did not. A *warning*
is a failed check moteur can live with (the ICE field is skipped without Trello's Custom Fields Power-Up):
it does not make the doctor fail. ``code`` is the exit code a failure means: 3 for a token missing or
refused, as every command exits for one, else 1.

The texts are English (``doctor --json`` keys and values stay so); those moteur words are ``Phrase``s, said in
the reader's language where they are shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from moteur.core.errors import AuthError
from moteur.core.phrase import Phrase

AUTH_EXIT = AuthError.exit_code  # a token missing or refused: the exit code of every command (3)


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the doctor's report."""

    check: str
    ok: bool
    detail: str
    fix: str = ""
    warning: bool = False
    code: int = 1  # the exit code this check's failure means: 3 for a token missing or refused

    @property
    def fails(self) -> bool:
        return not self.ok and not self.warning


def unchecked(tool: str) -> Check:
    """The line for a tool whose connector checks nothing of its account: a warning, never a failure."""
    return Check(
        Phrase("{tool}: access", tool=tool),
        False,
        Phrase("not checked: the {tool} connector has no account checks", tool=tool),
        Phrase("run `moteur plan` on one of its boards to see that it reads"),
        warning=True,
    )
