"""The registry of connectors: which class adapts which tool, and opening one from the settings.

The interface itself — ``Connector``, what every tool adapter offers — lives in ``core/ports.py``; it is
named here too because commands open connectors from this module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from moteur.core.errors import UsageError
from moteur.core.model import BoardRef, Tool
from moteur.core.ports import Connector, ToolDescription

if TYPE_CHECKING:
    from moteur.runtime import Runtime
    from moteur.settings import Settings

__all__ = ["Connector", "connector_class", "connector_for", "describe", "open_connector"]

TOOLS = (Tool.TRELLO, Tool.ASANA, Tool.MONDAY, Tool.FILE)


def connector_class(tool: Tool) -> type[Connector]:
    """The class that adapts ``tool`` (imported on demand: a run loads only the tools it uses)."""
    if tool is Tool.FILE:
        from moteur.connectors.files.connector import FileConnector

        return FileConnector
    if tool is Tool.TRELLO:
        from moteur.connectors.trello import TrelloConnector

        return TrelloConnector
    if tool is Tool.ASANA:
        from moteur.connectors.asana import AsanaConnector

        return AsanaConnector
    if tool is Tool.MONDAY:
        from moteur.connectors.monday import MondayConnector

        return MondayConnector
    raise UsageError(
        f"the {tool.value} connector is not available yet in this version",
        hint="use a file: board for now",
    )


def describe(tool: Tool) -> ToolDescription:
    return connector_class(tool).describe()


def connector_for(tool: Tool, settings: Settings, *, runtime: Runtime | None = None) -> Connector:
    """A connector of ``tool``, configured from ``settings``; an HTTP one paces with ``runtime`` (the
    process's, ``runtime.current()``, when None)."""
    # The interface in core leaves construction out (core knows no settings): each class is called here as
    # what it is, a factory of the settings (and, for the tools behind HTTP, of the runtime).
    factory = cast("Callable[..., Connector]", connector_class(tool))
    if tool is Tool.FILE or runtime is None:
        return factory(settings)
    return factory(settings, runtime=runtime)


def open_connector(ref: BoardRef, settings: Settings, *, runtime: Runtime | None = None) -> Connector:
    """The connector for ``ref``'s tool, configured from ``settings``."""
    return connector_for(ref.tool, settings, runtime=runtime)
