"""Webhook signature checks against known vectors (RFC 2202 / RFC 4231 / the jwt.io HS256 example) and
against values computed here from the vendors' documented formulas, and every way a delivery can be forged."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from moteur.webhooks import (
    SignatureError,
    asana_handshake,
    asana_handshake_answer,
    asana_signature,
    header,
    monday_challenge,
    trello_signature,
    verify_asana,
    verify_monday_jwt,
    verify_trello,
)

# RFC 2202 test case 2 (HMAC-SHA1) and RFC 4231 test case 2 (HMAC-SHA256): key "Jefe".
RFC_KEY = "Jefe"
RFC_DATA = b"what do ya want for nothing?"
RFC2202_SHA1 = "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
RFC4231_SHA256 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"

# jwt.io's HS256 example: valid signature with this secret, and no "exp" claim.
JWT_IO_SECRET = "your-256-bit-secret"
JWT_IO_TOKEN = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2"
    "MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)

TRELLO_SECRET = "trello-app-secret-0123456789abcdef"
CALLBACK = "https://hooks.example.org/moteur/trello?board=5f1"
TRELLO_BODY = json.dumps({"action": {"type": "updateCard", "id": "a1"}, "model": {"id": "b1"}}).encode()
ASANA_SECRET = "asana-hook-secret-b5e1c0"
ASANA_BODY = b'{"events":[{"action":"changed","resource":{"gid":"1203","resource_type":"task"}}]}'
MONDAY_SECRET = "monday-signing-secret-42"
NOW = 1_790_000_000.0


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def make_jwt(claims: dict[str, object], secret: str = MONDAY_SECRET, alg: str = "HS256") -> str:
    """A JWT built by hand from RFC 7519 / 7515, independent of the code under test."""
    head = _b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = _b64url(json.dumps(claims).encode())
    sig = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64url(sig)}"


# -- Trello -----------------------------------------------------------------------------------------------


def test_trello_signature_matches_rfc2202_when_body_and_url_split_the_message() -> None:
    expected = base64.b64encode(bytes.fromhex(RFC2202_SHA1)).decode()
    assert trello_signature(RFC_KEY, b"what do ya want ", "for nothing?") == expected


def test_trello_delivery_signed_per_the_documented_formula_verifies() -> None:
    digest = hmac.new(TRELLO_SECRET.encode(), TRELLO_BODY + CALLBACK.encode(), hashlib.sha1).digest()
    verify_trello(TRELLO_SECRET, TRELLO_BODY, CALLBACK, base64.b64encode(digest).decode())


@pytest.mark.parametrize(
    ("secret", "body", "url", "signature", "reason"),
    [
        (TRELLO_SECRET, TRELLO_BODY + b" ", CALLBACK, None, "does not match"),  # tampered body
        ("another-secret", TRELLO_BODY, CALLBACK, None, "does not match"),  # wrong secret
        (TRELLO_SECRET, TRELLO_BODY, CALLBACK + "&x=1", None, "does not match"),  # other callback URL
        (TRELLO_SECRET, TRELLO_BODY, CALLBACK, "", "missing"),
        (TRELLO_SECRET, TRELLO_BODY, CALLBACK, "not base64 at all é", "does not match"),
    ],
    ids=["tampered-body", "wrong-secret", "other-url", "no-header", "garbage-header"],
)
def test_trello_forgeries_are_refused(
    secret: str, body: bytes, url: str, signature: str | None, reason: str
) -> None:
    good = trello_signature(TRELLO_SECRET, TRELLO_BODY, CALLBACK)
    with pytest.raises(SignatureError, match=reason) as caught:
        verify_trello(secret, body, url, good if signature is None else signature)
    assert good not in str(caught.value) and TRELLO_SECRET not in str(caught.value)


def test_no_configured_secret_refuses_rather_than_accepting_everything() -> None:
    with pytest.raises(SignatureError, match="no webhook secret"):
        verify_trello("", TRELLO_BODY, CALLBACK, "anything")


# -- Asana ------------------------------------------------------------------------------------------------


def test_asana_signature_is_rfc4231_hex() -> None:
    assert asana_signature(RFC_KEY, RFC_DATA) == RFC4231_SHA256


def test_asana_handshake_echoes_the_secret_and_plain_deliveries_are_not_handshakes() -> None:
    secret = asana_handshake({"x-hook-secret": ASANA_SECRET, "Content-Type": "application/json"})
    assert secret == ASANA_SECRET
    assert asana_handshake_answer(secret) == (200, {"X-Hook-Secret": ASANA_SECRET})
    assert asana_handshake({"X-Hook-Signature": "ab"}) is None
    assert asana_handshake({"X-Hook-Secret": "  "}) is None


def test_asana_delivery_verifies_with_the_stored_secret_in_either_hex_case() -> None:
    hexdigest = hmac.new(ASANA_SECRET.encode(), ASANA_BODY, hashlib.sha256).hexdigest()
    verify_asana(ASANA_SECRET, ASANA_BODY, hexdigest)
    verify_asana(ASANA_SECRET, ASANA_BODY, hexdigest.upper())


@pytest.mark.parametrize(
    ("secret", "body", "signature", "reason"),
    [
        (ASANA_SECRET, ASANA_BODY.replace(b"changed", b"deleted"), None, "does not match"),
        ("wrong-secret", ASANA_BODY, None, "does not match"),
        (ASANA_SECRET, ASANA_BODY, "", "missing"),
        (ASANA_SECRET, ASANA_BODY, "zz" * 32, "does not match"),
    ],
    ids=["tampered-body", "wrong-secret", "no-header", "not-hex"],
)
def test_asana_forgeries_are_refused(secret: str, body: bytes, signature: str | None, reason: str) -> None:
    good = asana_signature(ASANA_SECRET, ASANA_BODY)
    with pytest.raises(SignatureError, match=reason):
        verify_asana(secret, body, good if signature is None else signature)


# -- monday.com -------------------------------------------------------------------------------------------


def test_monday_challenge_is_echoed_and_other_bodies_are_not_challenges() -> None:
    answer = monday_challenge(b'{"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}')
    assert answer is not None
    assert json.loads(answer) == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}
    for body in (b'{"event": {"type": "create_item"}}', b"not json", b'["challenge"]', b'{"challenge": 3}'):
        assert monday_challenge(body) is None


def test_monday_jwt_with_good_signature_and_future_exp_gives_its_claims() -> None:
    claims = {"accountId": 1234, "aud": "https://hooks.example.org/monday", "exp": NOW + 60}
    token = make_jwt(claims)
    assert verify_monday_jwt(MONDAY_SECRET, token, audience=claims["aud"], now=lambda: NOW) == claims  # type: ignore[arg-type]
    assert verify_monday_jwt(MONDAY_SECRET, f"Bearer {token}", now=lambda: NOW)["accountId"] == 1234


def test_jwt_io_example_passes_the_signature_then_stops_for_lack_of_exp() -> None:
    with pytest.raises(SignatureError, match="no 'exp'"):
        verify_monday_jwt(JWT_IO_SECRET, JWT_IO_TOKEN, now=lambda: NOW)
    with pytest.raises(SignatureError, match="signature does not match"):
        verify_monday_jwt("not-the-secret", JWT_IO_TOKEN, now=lambda: NOW)


def test_expired_jwt_is_refused_unless_within_the_leeway() -> None:
    token = make_jwt({"exp": NOW - 10})
    with pytest.raises(SignatureError, match="expired"):
        verify_monday_jwt(MONDAY_SECRET, token, now=lambda: NOW)
    assert verify_monday_jwt(MONDAY_SECRET, token, now=lambda: NOW, leeway=30)["exp"] == NOW - 10


def _tampered_payload() -> str:
    head, _, sig = make_jwt({"exp": NOW + 60, "accountId": 1}).split(".")
    return f"{head}.{_b64url(json.dumps({'exp': NOW + 60, 'accountId': 2}).encode())}.{sig}"


@pytest.mark.parametrize(
    ("authorization", "reason"),
    [
        (None, "missing"),
        ("", "missing"),
        ("abc.def", "three base64url parts"),
        ("a.b.c.d", "three base64url parts"),
        ("eyJhbGciOiJIUzI1NiJ9.e30.***", "three base64url parts"),
        (_b64url(b"[1]") + ".e30.AAAA", "not a JSON object"),
        (make_jwt({"exp": NOW + 60}, secret="wrong"), "signature does not match"),
        (make_jwt({"exp": NOW + 60}, alg="none"), "not HS256"),
        (make_jwt({"exp": NOW + 60}, alg="HS512"), "not HS256"),
        (_tampered_payload(), "signature does not match"),
        (make_jwt({"exp": "tomorrow"}), "not a number"),
        (make_jwt({"exp": NOW + 60, "nbf": NOW + 30}), "not valid yet"),
        (make_jwt({"exp": NOW + 60, "aud": "https://elsewhere.example"}), "audience"),
    ],
    ids=[
        "none",
        "empty",
        "two-parts",
        "four-parts",
        "bad-base64",
        "header-not-object",
        "wrong-secret",
        "alg-none",
        "alg-hs512",
        "tampered-payload",
        "exp-not-number",
        "nbf-future",
        "wrong-audience",
    ],
)
def test_monday_jwt_forgeries_and_malformed_headers_are_refused(
    authorization: str | None, reason: str
) -> None:
    with pytest.raises(SignatureError, match=reason) as caught:
        verify_monday_jwt(
            MONDAY_SECRET, authorization, audience="https://hooks.example.org/monday", now=lambda: NOW
        )
    assert MONDAY_SECRET not in str(caught.value)


def test_header_lookup_ignores_case() -> None:
    assert header({"x-trello-webhook": "abc"}, "X-Trello-Webhook") == "abc"
    assert header({}, "X-Trello-Webhook") is None
