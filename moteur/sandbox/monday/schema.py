"""The monday.com GraphQL schema the emulator serves: a *subset* of the official SDL.

Terms:

- *Official SDL*: monday's published schema for one API version
  (``moteur/sandbox/contracts/monday_schema_<v>.graphql``).
- *Subset SDL*: ``moteur/sandbox/monday_schema.graphql``, shipped with the package. Every type, field and
  argument in it exists in the official SDL of 2026-07 with the same type, and in 2026-10 too except the
  2026-07 fields 2026-10 removed (``User.is_pending``…), which a request under 2026-10 cannot reach: it is
  validated against the official SDL of its version first (:mod:`moteur.sandbox.monday.official`). A test
  checks both.
  It is not hand-written: :func:`extract_subset` cuts it out of the official SDL's syntax tree following
  :data:`SELECTION`, so descriptions, defaults and deprecations are monday's own. Regenerate it with
  ``python -m moteur.sandbox.monday.schema <official.graphql> > moteur/sandbox/monday_schema.graphql``.

Rules of the cut: object and interface types keep only the selected fields; a field keeps the arguments
whose types are kept (built-in scalars, selected types, and enums, which are pulled in whole); an argument
that is required but whose type is not kept is an error (select its type). Input types listed in
:data:`SELECTION` keep all their fields.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from functools import cache
from importlib import resources

from graphql import (
    DefinitionNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    GraphQLSchema,
    InputObjectTypeDefinitionNode,
    InterfaceTypeDefinitionNode,
    NamedTypeNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ScalarTypeDefinitionNode,
    SchemaDefinitionNode,
    TypeNode,
    build_schema,
    parse,
    print_ast,
)

BUILTIN_SCALARS = frozenset({"Int", "Float", "String", "Boolean", "ID"})

# type name -> fields kept ("*" keeps every field: input types, enums, scalars).
SELECTION: dict[str, tuple[str, ...]] = {
    "Query": (
        "boards",
        "items",
        "me",
        "users",
        "account",
        "workspaces",
        "updates",
        "complexity",
        "version",
        "versions",
        "next_items_page",
        "platform_api",
    ),
    "Mutation": (
        "create_board",
        "delete_board",
        "create_group",
        "create_column",
        "change_column_metadata",
        "create_item",
        "create_subitem",
        "change_column_value",
        "change_simple_column_value",
        "change_multiple_column_values",
        "move_item_to_group",
        "create_update",
        "archive_item",
        "delete_item",
    ),
    "Board": (
        "id",
        "name",
        "description",
        "state",
        "board_kind",
        "workspace_id",
        "workspace",
        "columns",
        "groups",
        "items_page",
        "items_count",
        "updated_at",
        "created_at",
        "activity_logs",
        "updates",
        "url",
        "permissions",
        "subscribers",
        "owners",
    ),
    "Column": ("id", "title", "description", "type", "archived", "settings", "settings_str", "width"),
    "Group": ("id", "title", "position", "color", "archived", "deleted", "items_page"),
    "ItemsResponse": ("cursor", "items"),
    "Item": (
        "id",
        "name",
        "state",
        "created_at",
        "updated_at",
        "creator_id",
        "group",
        "board",
        "column_values",
        "subitems",
        "parent_item",
        "updates",
        "url",
        "relative_link",
    ),
    "ColumnValue": ("id", "type", "text", "value", "column"),
    "StatusValue": ("id", "type", "text", "value", "column", "index", "label", "is_done"),
    "DropdownValue": ("id", "type", "text", "value", "column", "values"),
    "DropdownValueOption": ("id", "label"),
    "NumbersValue": ("id", "type", "text", "value", "column", "number"),
    "TextValue": ("id", "type", "text", "value", "column"),
    "LongTextValue": ("id", "type", "text", "value", "column"),
    "DateValue": ("id", "type", "text", "value", "column", "date", "time"),
    "PeopleValue": ("id", "type", "text", "value", "column", "persons_and_teams"),
    "CheckboxValue": ("id", "type", "text", "value", "column", "checked"),
    "PeopleEntity": ("id", "kind"),
    "Update": ("id", "body", "text_body", "creator_id", "creator", "created_at", "updated_at", "item_id"),
    # kind / status are in both SDLs; the four booleans are 2026-07's (deprecated there, removed in 2026-10:
    # the official validation refuses them under 2026-10, as monday does).
    "User": (
        "id",
        "name",
        "email",
        "account",
        "created_at",
        "title",
        "kind",
        "status",
        "enabled",
        "is_guest",
        "is_pending",
        "is_view_only",
    ),
    "Account": ("id", "name", "slug", "tier", "is_during_trial", "plan"),
    "Plan": ("tier", "max_users", "period", "version"),
    "PlatformApi": ("daily_limit", "daily_analytics"),
    "DailyLimit": ("base", "total"),
    "DailyAnalytics": ("by_day", "last_updated"),
    "PlatformApiDailyAnalyticsByDay": ("day", "usage"),
    "Workspace": ("id", "name", "kind", "description", "created_at", "state"),
    "ActivityLogType": ("id", "event", "entity", "data", "created_at", "user_id", "account_id"),
    "Complexity": ("before", "after", "query", "reset_in_x_seconds"),
    "Version": ("display_name", "kind", "value"),
    "ItemsQuery": ("*",),
    "ItemsQueryRule": ("*",),
    "ItemsQueryGroup": ("*",),
    "ItemsQueryOrderBy": ("*",),
    "Date": ("*",),
    "ISO8601DateTime": ("*",),
    "JSON": ("*",),
    "CompareValue": ("*",),
}


def _named(type_node: TypeNode) -> str:
    while not isinstance(type_node, NamedTypeNode):
        type_node = type_node.type  # type: ignore[attr-defined]
    return type_node.name.value


def extract_subset(official_sdl: str, selection: dict[str, tuple[str, ...]] = SELECTION) -> str:
    """Cut the subset SDL out of ``official_sdl`` (see the module docstring for the rules)."""
    document = parse(official_sdl, no_location=True)
    by_name = {d.name.value: d for d in document.definitions if hasattr(d, "name") and d.name is not None}
    enums = {name for name, d in by_name.items() if isinstance(d, EnumTypeDefinitionNode)}
    kept_names = set(selection)
    pulled_enums: set[str] = set()

    def keepable(type_name: str) -> bool:
        return type_name in BUILTIN_SCALARS or type_name in kept_names or type_name in enums

    definitions: list[DefinitionNode] = []
    for name, fields in selection.items():
        node = by_name[name]
        if isinstance(node, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
            kept_fields = []
            for field in node.fields or ():
                if field.name.value not in fields:
                    continue
                if not keepable(_named(field.type)):
                    raise ValueError(
                        f"{name}.{field.name.value} returns an unselected type {_named(field.type)}"
                    )
                args = []
                for arg in field.arguments or ():
                    arg_type = _named(arg.type)
                    if keepable(arg_type):
                        args.append(arg)
                        if arg_type in enums:
                            pulled_enums.add(arg_type)
                    elif isinstance(arg.type, NonNullTypeNode) and arg.default_value is None:
                        raise ValueError(f"{name}.{field.name.value}({arg.name.value}) needs type {arg_type}")
                if _named(field.type) in enums:
                    pulled_enums.add(_named(field.type))
                kept_fields.append(replace(field, arguments=tuple(args)))
            missing = set(fields) - {f.name.value for f in kept_fields}
            if missing:
                raise ValueError(f"{name} has no fields {sorted(missing)}")
            interfaces = tuple(i for i in (node.interfaces or ()) if i.name.value in kept_names)
            definitions.append(replace(node, fields=tuple(kept_fields), interfaces=interfaces))
        elif isinstance(node, InputObjectTypeDefinitionNode):
            for input_field in node.fields or ():
                field_type = _named(input_field.type)
                if field_type in enums:
                    pulled_enums.add(field_type)
                elif not keepable(field_type):
                    raise ValueError(f"input {name}.{input_field.name.value} needs type {field_type}")
            definitions.append(node)
        elif isinstance(node, ScalarTypeDefinitionNode):
            definitions.append(node)
        else:
            raise ValueError(f"cannot select {name}")
    definitions.extend(by_name[e] for e in sorted(pulled_enums))
    schema_node = next(d for d in document.definitions if isinstance(d, SchemaDefinitionNode))
    out = DocumentNode(definitions=(schema_node, *definitions))
    return print_ast(out) + "\n"


@cache
def subset_sdl() -> str:
    """The shipped subset SDL's text."""
    return resources.files("moteur.sandbox").joinpath("monday_schema.graphql").read_text(encoding="utf-8")


@cache
def served_schema() -> GraphQLSchema:
    """The executable schema (resolvers are attached by :mod:`moteur.sandbox.monday.resolvers`)."""
    return build_schema(subset_sdl())


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    with open(sys.argv[1], encoding="utf-8") as official:
        sys.stdout.write(extract_subset(official.read()))
