"""One connector per tool over the sandbox, built as every test builds it: credentials and URLs from the
sandbox's environment, short timeouts, and a runtime of its own on a virtual clock, so that pacing, backoff
and rate windows cost no real time and no limiter is shared with another connector (or another test).

``connector_for(tool, env)`` is the one way tests open a connector; ``tier`` and ``workers`` are Asana's
(the workspace's plan as the settings say it, and how many batches go at once).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, overload

from virtual_clock import VirtualClock

from moteur.connectors.asana import AsanaConnector
from moteur.connectors.asana.transport import asana_client, asana_options
from moteur.connectors.files.connector import FileConnector
from moteur.connectors.monday import MondayConnector
from moteur.connectors.monday.transport import monday_client, monday_options
from moteur.connectors.trello import TrelloConnector
from moteur.connectors.trello.transport import trello_client, trello_options
from moteur.core.model import Tool
from moteur.core.ports import Connector
from moteur.runtime import Runtime
from moteur.settings import Settings

TIMEOUT = (2.0, 5.0)  # connect, read: a sandbox answers at once, so a hung request fails fast


@overload
def connector_for(
    tool: Literal[Tool.TRELLO],
    env: Mapping[str, str],
    *,
    tier: str = ...,
    workers: int = ...,
    runtime: Runtime | None = ...,
    timeout: tuple[float, float] = ...,
) -> TrelloConnector: ...
@overload
def connector_for(
    tool: Literal[Tool.ASANA],
    env: Mapping[str, str],
    *,
    tier: str = ...,
    workers: int = ...,
    runtime: Runtime | None = ...,
    timeout: tuple[float, float] = ...,
) -> AsanaConnector: ...
@overload
def connector_for(
    tool: Literal[Tool.MONDAY],
    env: Mapping[str, str],
    *,
    tier: str = ...,
    workers: int = ...,
    runtime: Runtime | None = ...,
    timeout: tuple[float, float] = ...,
) -> MondayConnector: ...
@overload
def connector_for(
    tool: Tool,
    env: Mapping[str, str],
    *,
    tier: str = ...,
    workers: int = ...,
    runtime: Runtime | None = ...,
    timeout: tuple[float, float] = ...,
) -> Connector: ...
def connector_for(
    tool: Tool,
    env: Mapping[str, str],
    *,
    tier: str = "paid",
    workers: int = 2,
    runtime: Runtime | None = None,
    timeout: tuple[float, float] = TIMEOUT,
) -> Connector:
    """The ``tool``'s connector over the sandbox whose environment is ``env`` (a file board needs none)."""
    runtime = runtime or VirtualClock().runtime()
    if tool is Tool.TRELLO:
        key, token = env["MOTEUR_TRELLO_API_KEY"], env["MOTEUR_TRELLO_TOKEN"]
        settings = Settings(trello_api_key=key, trello_token=token, trello_url=env["MOTEUR_TRELLO_URL"])
        options = trello_options(key, token, runtime=runtime, timeout=timeout)
        return TrelloConnector(settings, http=trello_client(settings, options), runtime=runtime)
    if tool is Tool.ASANA:
        token = env["MOTEUR_ASANA_TOKEN"]
        settings = Settings(asana_token=token, asana_url=env["MOTEUR_ASANA_URL"], asana_tier=tier)
        options = asana_options(token, tier, runtime=runtime, timeout=timeout)
        http = asana_client(settings, options)
        return AsanaConnector(settings, http=http, workers=workers, runtime=runtime)
    if tool is Tool.MONDAY:
        token = env["MOTEUR_MONDAY_TOKEN"]
        settings = Settings(monday_token=token, monday_url=env["MOTEUR_MONDAY_URL"])
        options = monday_options(token, settings.monday_api_version, runtime=runtime, timeout=timeout)
        http, _ = monday_client(settings, options)
        return MondayConnector(settings, http=http, runtime=runtime)
    return FileConnector(Settings())
