"""Secret hygiene: one place that scrubs tokens and keys out of any text before it is shown or logged.

Secrets are *registered* when settings are loaded; ``scrub`` replaces every registered value and every
credential-looking query parameter or header (``key=``, ``token=``, ``Authorization:``) with ``***``, and
the user information of any URL (``https://user:pw@host/`` → ``https://***@host/``).

The user information of the configured URLs (``MOTEUR_TRELLO_URL=http://user:pw@proxy/…``) is registered
too (``register_url``): a message may name the host without the scheme (``cannot reach user:pw@proxy``),
where the URL pattern cannot see it.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import unquote, urlsplit

_lock = threading.Lock()
_secrets: dict[str, str] = {}  # secret -> what replaces it

_PATTERNS = (
    re.compile(r"(?i)\b(key|token|api_key|apikey|access_token|oauth_token|oauth_consumer_key)=([^&\s\"'#]+)"),
    re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?)(bearer\s+|oauth\s+)?([^\s\"',]+)"),
    # scheme://userinfo@ : the userinfo stops at the first "/", "?", "#" or space (RFC 3986 §3.2).
    re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s@]+@"),
)


def register_secret(value: str | None) -> None:
    """Remember a secret so that ``scrub`` hides it (values shorter than 6 characters are ignored)."""
    if value and len(value) >= 6:
        with _lock:
            _secrets.setdefault(value, "***")


def register_url(url: str | None) -> None:
    """Remember the user information of ``url`` (``user:pw`` of ``http://user:pw@host``), of any length.

    ``user:pw@`` becomes ``***@`` wherever it appears, however short (with its ``@`` it is specific enough
    not to hit other text); the password alone is hidden from 6 characters, like any secret.
    """
    if not url:
        return
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # not a URL at all: nothing to remember
        return
    userinfo, at, _ = parts.netloc.rpartition("@")
    if not at or not userinfo:
        return
    with _lock:
        for shown in (userinfo, unquote(userinfo)):
            _secrets[shown + "@"] = "***@"
    register_secret(parts.password)
    register_secret(unquote(parts.password or ""))


def scrub(text: str) -> str:
    with _lock:
        secrets = sorted(_secrets.items(), key=lambda item: len(item[0]), reverse=True)
    for secret, replacement in secrets:
        if secret in text:
            text = text.replace(secret, replacement)
    text = _PATTERNS[0].sub(lambda m: f"{m.group(1)}=***", text)
    text = _PATTERNS[1].sub(lambda m: f"{m.group(1)}{m.group(2) or ''}***", text)
    text = _PATTERNS[2].sub(lambda m: f"{m.group(1)}***@", text)
    return text
