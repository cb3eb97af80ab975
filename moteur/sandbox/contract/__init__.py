"""The strict sandbox: every request is held to the vendor's own contract before an emulator serves it.

Trello and Asana requests are checked here against their OpenAPI documents (``moteur/sandbox/contracts/``;
:mod:`.trello`, :mod:`.asana`), inner batch routes and batch actions included; monday.com documents are
validated by the monday emulator itself against the SDL of their ``API-Version``. A request the vendor would
refuse is answered with the vendor's error (:func:`refusal_response`) and never reaches the emulator.

Contracts are compiled on first use, once per process, and shared by every server in it.
"""

from __future__ import annotations

import json
import threading
from typing import Protocol

from werkzeug.wrappers import Request, Response

from moteur.sandbox.contract.refusal import Refusal

__all__ = ["Contract", "Refusal", "contract_for", "refusal_response"]

HELP = (
    "For more information on API status codes and how to handle them, read the docs on errors: "
    "https://developers.asana.com/docs/errors"
)


class Contract(Protocol):
    tool: str

    def check(self, request: Request, path: str) -> Refusal | None: ...


_LOCK = threading.Lock()
_CONTRACTS: dict[str, Contract] = {}


def contract_for(tool: str) -> Contract | None:
    """The compiled contract of ``tool`` (``None`` for monday, whose emulator validates its documents)."""
    with _LOCK:
        if tool not in _CONTRACTS:
            if tool == "trello":
                from moteur.sandbox.contract.trello import TrelloContract

                _CONTRACTS[tool] = TrelloContract()
            elif tool == "asana":
                from moteur.sandbox.contract.asana import AsanaContract

                _CONTRACTS[tool] = AsanaContract()
            else:
                return None
        return _CONTRACTS[tool]


def refusal_response(tool: str, refusal: Refusal) -> Response:
    """The refusal in the vendor's shape: Trello's plain text, Asana's ``{"errors": [...]}``."""
    if tool == "asana":
        body = {"errors": [{"message": refusal.text, "help": HELP}]}
        return Response(json.dumps(body), status=refusal.status, mimetype="application/json")
    return Response(refusal.text, status=refusal.status, mimetype="text/plain")
