"""Validating a request against monday's official SDL of the ``API-Version`` it asked for.

Terms:

- *Official SDL*: the schema monday publishes for one API version, shipped in
  ``moteur/sandbox/contracts/monday_schema_<v>.graphql`` (source and licence in that folder's README).
  2026-07 and 2026-10 are there; every older version the emulator accepts for cassette replay (2024-07…
  2026-04) is validated against 2026-07, the oldest SDL at hand: a field those versions lacked is not
  caught, one that 2026-07 lacks is.
- *Two validations*: a document is first validated against the official SDL of its version — a refusal there
  is monday's own (``Field 'x' doesn't exist on type 'Y'``…), so a field that exists in 2026-10 but not in
  2026-07 is refused under 2026-07 exactly as monday refuses it, and a field 2026-10 removed
  (``User.is_pending``) is refused under 2026-10. Only a document monday would accept is then validated
  against the emulator's served subset (:mod:`moteur.sandbox.monday.schema`); a refusal there is the
  sandbox's, said as such (:func:`not_emulated`), never a fake success.

Each SDL is parsed and built once per process (about 0.4 s each); a validation is cached per
(version, document text), since a client sends the same few documents again and again.
"""

from __future__ import annotations

from functools import cache, lru_cache
from importlib import resources
from typing import Any

from graphql import GraphQLError, GraphQLSchema, build_schema, parse, validate

SDL_VERSIONS = ("2026-07", "2026-10")
"""The versions whose official SDL is shipped."""


def sdl_version(version: str) -> str:
    """The shipped SDL a request of ``version`` is validated against (2026-07 for every older one)."""
    return version if version in SDL_VERSIONS else SDL_VERSIONS[0]


@cache
def official_schema(version: str) -> GraphQLSchema:
    """monday's schema of ``version`` (one of :data:`SDL_VERSIONS`), built once."""
    text = (
        resources.files("moteur.sandbox")
        .joinpath("contracts", f"monday_schema_{version}.graphql")
        .read_text(encoding="utf-8")
    )
    return build_schema(text)


@lru_cache(maxsize=512)
def official_problems(version: str, query: str) -> tuple[GraphQLError, ...]:
    """What monday's own validation says of ``query`` under ``version`` (empty: monday accepts it).

    ``query`` must parse (the caller parsed it already; a syntax error is answered before this).
    """
    return tuple(validate(official_schema(sdl_version(version)), parse(query)))


@lru_cache(maxsize=512)
def subset_problems(schema: GraphQLSchema, query: str) -> tuple[GraphQLError, ...]:
    """The served subset's validation of a document monday accepts (cached like the official one)."""
    return tuple(validate(schema, parse(query)))


NOT_EMULATED = "SANDBOX_NOT_EMULATED"
"""``extensions.code`` of a document valid for monday that the emulator does not serve (not a monday code)."""


def not_emulated(problems: tuple[GraphQLError, ...], version: str) -> dict[str, Any]:
    """The answer to a valid monday document outside the served subset: an error naming what is missing."""
    what = "; ".join(dict.fromkeys(p.message for p in problems))
    return {
        "message": f"The moteur sandbox does not emulate this part of monday's API {version}: {what}",
        "extensions": {
            "code": NOT_EMULATED,
            "status_code": 501,
            "error_data": {"api_version": version, "served_subset": "moteur/sandbox/monday_schema.graphql"},
        },
    }
