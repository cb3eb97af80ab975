"""Webhook authenticity: what a receiver checks before trusting a delivery from Trello, Asana or monday.com.

Pure functions over the raw request (body bytes, header values); no web framework. Every comparison of a
signature is constant-time (``hmac.compare_digest``) so that timing does not reveal how much of a forged
signature was right. Terms, per vendor (each one's webhook documentation):

- *Trello signature*: header ``X-Trello-Webhook`` = base64(HMAC-SHA1(key=the application's secret,
  msg=raw body + the callback URL exactly as given when the webhook was created)). The secret is the app's
  OAuth secret, not the user token.
- *Asana handshake*: when a webhook is created Asana POSTs with an ``X-Hook-Secret`` header; the receiver
  answers 200 echoing that header and stores the secret. *Asana signature*: each later delivery carries
  ``X-Hook-Signature`` = hex(HMAC-SHA256(key=that secret, msg=raw body)).
- *monday challenge*: when a webhook is created monday POSTs ``{"challenge": "…"}`` and the receiver answers
  with the identical JSON. *monday JWT*: deliveries to an app's endpoint carry ``Authorization: <JWT>``, an
  HS256 token signed with the app's signing secret; the receiver checks the signature, ``exp`` (and ``nbf``,
  and ``aud`` when it knows its own URL). Webhooks made with a personal token carry no JWT at all.

A failed check raises ``SignatureError`` whose message says which check failed but never repeats a secret or
the expected signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

TRELLO_HEADER = "X-Trello-Webhook"
ASANA_SECRET_HEADER = "X-Hook-Secret"
ASANA_SIGNATURE_HEADER = "X-Hook-Signature"
MONDAY_AUTH_HEADER = "Authorization"


class SignatureError(ValueError):
    """A delivery that cannot be shown to come from the tool: answer it 401 and ignore its content."""


def header(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header ``name``, whatever the case its sender or framework gave the key."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def _secret_bytes(secret: str | bytes) -> bytes:
    if not secret:
        raise SignatureError("no webhook secret configured: cannot verify any delivery")
    return secret.encode("utf-8") if isinstance(secret, str) else secret


def _same(expected: str, given: str) -> bool:
    # compare_digest on bytes: on str it refuses non-ASCII, and a forged header may well contain some.
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


# -- Trello -----------------------------------------------------------------------------------------------


def trello_signature(secret: str | bytes, body: bytes, callback_url: str) -> str:
    """What ``X-Trello-Webhook`` must be for ``body`` posted to ``callback_url``."""
    digest = hmac.new(_secret_bytes(secret), body + callback_url.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_trello(secret: str | bytes, body: bytes, callback_url: str, signature: str | None) -> None:
    """Raise ``SignatureError`` unless ``signature`` (the ``X-Trello-Webhook`` value) signs this delivery."""
    if not signature:
        raise SignatureError(f"missing {TRELLO_HEADER} header")
    if not _same(trello_signature(secret, body, callback_url), signature.strip()):
        raise SignatureError(f"{TRELLO_HEADER} does not match the body and callback URL")


# -- Asana ------------------------------------------------------------------------------------------------


def asana_handshake(headers: Mapping[str, str]) -> str | None:
    """The secret of a handshake request (to store, and to echo in the answer's ``X-Hook-Secret``).

    ``None`` when the request is not a handshake (an ordinary delivery carries no ``X-Hook-Secret``).
    """
    secret = header(headers, ASANA_SECRET_HEADER)
    return secret.strip() if secret and secret.strip() else None


def asana_handshake_answer(secret: str) -> tuple[int, dict[str, str]]:
    """Status and headers that complete the handshake: 200 with the same ``X-Hook-Secret``."""
    return 200, {ASANA_SECRET_HEADER: secret}


def asana_signature(secret: str | bytes, body: bytes) -> str:
    """What ``X-Hook-Signature`` must be for ``body`` (lower-case hex)."""
    return hmac.new(_secret_bytes(secret), body, hashlib.sha256).hexdigest()


def verify_asana(secret: str | bytes, body: bytes, signature: str | None) -> None:
    """Raise ``SignatureError`` unless ``signature`` (the ``X-Hook-Signature`` value) signs ``body``."""
    if not signature:
        raise SignatureError(f"missing {ASANA_SIGNATURE_HEADER} header")
    if not _same(asana_signature(secret, body), signature.strip().lower()):
        raise SignatureError(f"{ASANA_SIGNATURE_HEADER} does not match the body")


# -- monday.com -------------------------------------------------------------------------------------------


def monday_challenge(body: bytes) -> bytes | None:
    """The answer to a creation challenge (the same JSON, re-encoded), or ``None`` for any other body."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or set(data) != {"challenge"} or not isinstance(data["challenge"], str):
        return None
    return json.dumps({"challenge": data["challenge"]}).encode("utf-8")


def _b64url(part: str) -> bytes:
    if not part or any(c in part for c in "+/="):
        raise SignatureError("JWT is not three base64url parts")
    try:
        # validate=True: a character outside the alphabet is an error, not silently skipped.
        return base64.b64decode(part + "=" * (-len(part) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureError("JWT is not three base64url parts") from exc


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SignatureError(f"JWT {what} is not JSON") from exc
    if not isinstance(value, dict):
        raise SignatureError(f"JWT {what} is not a JSON object")
    return value


def _number(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SignatureError(f"JWT claim {name!r} is not a number")
    return float(value)


def verify_monday_jwt(
    secret: str | bytes,
    authorization: str | None,
    *,
    audience: str | None = None,
    now: Callable[[], float] = time.time,
    leeway: float = 0.0,
) -> dict[str, Any]:
    """Check an app webhook's ``Authorization`` JWT and return its claims; ``SignatureError`` otherwise.

    Only HS256 is accepted (the header's ``alg`` is checked, so ``none`` or an RSA/HMAC confusion cannot
    slip through); ``exp`` is required; ``nbf`` and, when ``audience`` is given, ``aud`` are checked too.
    ``leeway`` seconds allow for clock skew between monday and us.
    """
    if not authorization or not authorization.strip():
        raise SignatureError(f"missing {MONDAY_AUTH_HEADER} header")
    token = authorization.strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    parts = token.split(".")
    if len(parts) != 3:
        raise SignatureError("JWT is not three base64url parts")
    head = _json_object(_b64url(parts[0]), "header")
    payload = _b64url(parts[1])
    signature = _b64url(parts[2])
    if head.get("alg") != "HS256":
        raise SignatureError(f"JWT algorithm {head.get('alg')!r} is not HS256")
    expected = hmac.new(_secret_bytes(secret), f"{parts[0]}.{parts[1]}".encode("ascii"), hashlib.sha256)
    if not hmac.compare_digest(expected.digest(), signature):
        raise SignatureError("JWT signature does not match the signing secret")
    # Claims are read only once the signature holds: nothing unauthenticated is interpreted before.
    claims = _json_object(payload, "payload")
    at = now()
    exp = _number(claims, "exp")
    if exp is None:
        raise SignatureError("JWT has no 'exp' claim")
    if at > exp + leeway:
        raise SignatureError("JWT has expired")
    nbf = _number(claims, "nbf")
    if nbf is not None and at + leeway < nbf:
        raise SignatureError("JWT is not valid yet ('nbf' is in the future)")
    if audience is not None:
        aud = claims.get("aud")
        allowed = aud if isinstance(aud, list) else [aud]
        if audience not in allowed:
            raise SignatureError("JWT audience is not this endpoint")
    return claims
