"""Secret hygiene: one place that scrubs tokens and keys out of any text before it is shown or logged.

Secrets are *registered* when settings are loaded; ``scrub`` replaces every registered value and every
credential-looking query parameter or header (``key=``, ``token=``, ``Authorization:``) with ``***``.
"""

from __future__ import annotations

import re
import threading

_lock = threading.Lock()
_secrets: set[str] = set()

_PATTERNS = (
    re.compile(r"(?i)\b(key|token|api_key|apikey|access_token|oauth_token|oauth_consumer_key)=([^&\s\"'#]+)"),
    re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?)(bearer\s+|oauth\s+)?([^\s\"',]+)"),
)


def register_secret(value: str | None) -> None:
    """Remember a secret so that ``scrub`` hides it (values shorter than 6 characters are ignored)."""
    if value and len(value) >= 6:
        with _lock:
            _secrets.add(value)


def scrub(text: str) -> str:
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, "***")
    text = _PATTERNS[0].sub(lambda m: f"{m.group(1)}=***", text)
    text = _PATTERNS[1].sub(lambda m: f"{m.group(1)}{m.group(2) or ''}***", text)
    return text
