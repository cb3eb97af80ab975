"""The identity a migrated item carries on its target: the footer line of its description.

``moteur-source: trello:5f1c…:6a96…`` as the last line lets a migration rebuild its links from the target
alone when the state database is lost, and lets a lookup after an ambiguous create (timeout, connection cut
after the write) find the item instead of creating it twice. Every tool has a description, so the footer
works everywhere; connectors that have a better place (a custom field) may use it in addition.
"""

from __future__ import annotations

import re

FOOTER_PREFIX = "moteur-source: "
_FOOTER = re.compile(r"(?:\n\n)?^moteur-source: (\S+)\s*\Z", re.MULTILINE)


def with_identity(description: str, key: str) -> str:
    """``description`` with the identity footer of source item ``key`` (replacing any earlier one)."""
    body, _ = split_identity(description)
    body = body.rstrip()
    return f"{body}\n\n{FOOTER_PREFIX}{key}" if body else f"{FOOTER_PREFIX}{key}"


def split_identity(description: str | None) -> tuple[str, str | None]:
    """(description without the footer, source key or None)."""
    text = description or ""
    match = _FOOTER.search(text)
    if match is None:
        return text, None
    return text[: match.start()].rstrip(), match.group(1)
