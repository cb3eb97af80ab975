"""The GraphQL documents of a migration to or from monday.com, always with variables (see ``documents``).

Terms:

- *Full item*: what ``read_full`` asks of each item: the sync read's ``ItemFields`` plus its ``subitems``
  (name and status: a checklist item and its done state) and its ``updates`` (the comments), nested in the
  same ``items_page`` so a board of N items still reads in ⌈N/500⌉ requests.
- *Aliased mutation*: ``n`` independent mutations in one document, aliased ``m0`` … ``m{n-1}``, with
  numbered variables (``$b{k}``, ``$v{k}``…). Built from one fixed template per kind and cached per ``n``;
  monday applies each alias on its own (a failed one answers ``null`` with an error whose ``path`` names it).

Every document here validates against monday's official SDLs 2026-07 and 2026-10
(``tests/connectors/test_monday_migration_documents.py``).
"""

from __future__ import annotations

from functools import lru_cache

from moteur.connectors.monday.daily import DAILY_FIELDS
from moteur.connectors.monday.documents import COMPLEXITY, ITEM_FIELDS

UPDATES_LIMIT = 100  # comments read per item in the board query; an item with more gets its next pages
CREATE_BATCH = 20  # creates per request: monday's own MCP tool caps creates at 20 per call
CHILD_BATCH = 25  # subitems / updates per request
MAX_BATCH = 50

FULL_ITEM_FIELDS = (
    ITEM_FIELDS
    + """
fragment FullItem on Item {
  ...ItemFields
  subitems {
    id
    name
    column_values(types: $subtypes) { id type text ... on StatusValue { label is_done } }
  }
  updates(limit: $updates) { ...UpdateFields }
}

fragment UpdateFields on Update { id body text_body created_at creator { name email } }
"""
)

READ_FULL = (
    """
query ReadFull($board: ID!, $limit: Int!, $types: [ColumnType!], $subtypes: [ColumnType!], $updates: Int!) {
  """
    + COMPLEXITY
    + """
  boards(ids: [$board]) {
    id
    name
    state
    updated_at
    columns { id title type settings description }
    groups { id title archived }
    items_page(limit: $limit) { cursor items { ...FullItem } }
  }
}
"""
    + FULL_ITEM_FIELDS
)
"""The whole board with every item's subitems and comments, in one query (then ``NEXT_FULL``)."""

NEXT_FULL = (
    """
query NextFull(
  $cursor: String!, $limit: Int!, $types: [ColumnType!], $subtypes: [ColumnType!], $updates: Int!
) {
  """
    + COMPLEXITY
    + """
  next_items_page(cursor: $cursor, limit: $limit) { cursor items { ...FullItem } }
}
"""
    + FULL_ITEM_FIELDS
)

ITEMS_FULL = (
    """
query ItemsFull($ids: [ID!], $limit: Int!, $types: [ColumnType!], $subtypes: [ColumnType!], $updates: Int!) {
  """
    + COMPLEXITY
    + """
  items(ids: $ids, limit: $limit) { ...FullItem board { id } }
}
"""
    + FULL_ITEM_FIELDS
)
"""Items by id, whatever their state (the archived ones, which ``items_page`` leaves out)."""

MORE_UPDATES = """
query MoreUpdates($ids: [ID!], $limit: Int!, $page: Int!) {
  items(ids: $ids, limit: $limit) { id updates(limit: $limit, page: $page) { ...UpdateFields } }
}

fragment UpdateFields on Update { id body text_body created_at creator { name email } }
"""
"""The next page of comments of items that filled their first page."""

ACTIVITY = """
query Activity($board: ID!, $limit: Int!, $page: Int!) {
  boards(ids: [$board]) { id activity_logs(limit: $limit, page: $page) { id event data } }
}
"""
"""The board's activity log, newest first: where the archived items' ids are found (``archive_pulse``)."""

BOARD_SCHEMA = (
    """
query BoardSchema($board: ID!, $emails: [String!], $withUsers: Boolean!) {
  boards(ids: [$board]) {
    id
    name
    board_kind
    columns { id title type settings description }
    groups { id title }
    subscribers { id }
  }
  users(emails: $emails) @include(if: $withUsers) { id email kind status }"""
    + DAILY_FIELDS
    + """
}
"""
)
"""A target's columns, groups, kind and members, (when asked) the users behind the assignees' e-mails with
their kind and status (who may be assigned), and the daily cap: one request, the first of a migration's
writes."""

FIND_BY_IDENTITY = """
query FindByIdentity($board: ID!, $limit: Int!, $query: ItemsQuery, $columns: [String!]) {
  boards(ids: [$board]) {
    id
    items_page(limit: $limit, query_params: $query) {
      cursor
      items { id name url group { id } column_values(ids: $columns) { id text } }
    }
  }
}
"""
"""Items whose Description holds one of the identity footers sought (after an ambiguous create)."""

CHILDREN = """
query Children($ids: [ID!], $limit: Int!) {
  items(ids: $ids, limit: $limit) { id subitems { id name } updates(limit: $limit) { id body text_body } }
}
"""
"""The subitems and comments under some items (after an ambiguous create of children)."""

USERS = """
query Users($ids: [ID!], $limit: Int!) {
  users(ids: $ids, limit: $limit) { id name email }
}
"""
"""The e-mails of the people assigned on a board (a read gives their ids)."""

ACCOUNT_USERS = (
    """
query AccountUsers($limit: Int!, $board: [ID!], $withBoard: Boolean!) {
  users(limit: $limit) { email kind status }
  boards(ids: $board) @include(if: $withBoard) { id board_kind subscribers { email } }"""
    + DAILY_FIELDS
    + """
}
"""
)
"""The account's people (active and pending: monday's default) with their kind and status, the target
board's kind and members (when it exists), and the daily cap: who a target can assign, in one request."""

SUBITEMS_BOARD = """
query SubitemsBoard($ids: [ID!]) {
  items(ids: $ids) { id board { id columns { id title type settings } } }
}
"""
"""The board that holds some subitems, with its columns (where a subitem's done state is written)."""

WORKSPACES = """
query Workspaces($limit: Int!) {
  workspaces(limit: $limit) { id name }
}
"""

CREATE_BOARD = """
mutation CreateBoard($name: String!, $kind: BoardKind!, $workspace: ID, $empty: Boolean) {
  create_board(board_name: $name, board_kind: $kind, workspace_id: $workspace, empty: $empty) { id name }
}
"""

CREATE_GROUP = """
mutation CreateGroup($board: ID!, $name: String!, $method: PositionRelative, $relative: String) {
  create_group(
    board_id: $board, group_name: $name, position_relative_method: $method, relative_to: $relative
  ) {
    id
    title
  }
}
"""

_TEMPLATES: dict[str, tuple[str, str]] = {
    # kind -> (variables of alias k, the aliased field)
    "columns": (
        "$t{k}: String!, $c{k}: ColumnType!, $d{k}: JSON, $e{k}: String",
        "m{k}: create_column(board_id: $board, title: $t{k}, column_type: $c{k}, defaults: $d{k}, "
        "description: $e{k}) {{ id title type settings description }}",
    ),
    "items": (
        "$g{k}: String, $n{k}: String!, $v{k}: JSON",
        "m{k}: create_item(board_id: $board, group_id: $g{k}, item_name: $n{k}, column_values: $v{k}, "
        "create_labels_if_missing: true) {{ id url }}",
    ),
    "subitems": (
        "$p{k}: ID!, $n{k}: String!, $v{k}: JSON",
        "m{k}: create_subitem(parent_item_id: $p{k}, item_name: $n{k}, column_values: $v{k}, "
        "create_labels_if_missing: true) {{ id board {{ id columns {{ id title type }} }} }}",
    ),
    "updates": (
        "$i{k}: ID!, $t{k}: String!",
        "m{k}: create_update(item_id: $i{k}, body: $t{k}) {{ id }}",
    ),
    "values": (
        "$i{k}: ID!, $v{k}: JSON!",
        "m{k}: change_multiple_column_values(board_id: $board, item_id: $i{k}, column_values: $v{k}, "
        "create_labels_if_missing: true) {{ id }}",
    ),
    "moves": (
        "$i{k}: ID!, $g{k}: String!",
        "m{k}: move_item_to_group(item_id: $i{k}, group_id: $g{k}) {{ id }}",
    ),
    "archives": ("$i{k}: ID!", "m{k}: archive_item(item_id: $i{k}) {{ id }}"),
    "groups": ("$n{k}: String!", "m{k}: create_group(board_id: $board, group_name: $n{k}) {{ id title }}"),
}
NEEDS_BOARD = frozenset({"columns", "items", "values", "groups"})


@lru_cache(maxsize=256)
def aliased(kind: str, n: int) -> str:
    """``n`` aliased mutations of ``kind`` (a key of ``_TEMPLATES``) in one document."""
    if not 1 <= n <= MAX_BATCH:
        raise ValueError(f"an aliased mutation holds 1–{MAX_BATCH} fields, not {n}")
    params, field = _TEMPLATES[kind]
    declared = [params.format(k=k) for k in range(n)]
    if kind in NEEDS_BOARD:
        declared.insert(0, "$board: ID!")
    body = "\n".join("  " + field.format(k=k) for k in range(n))
    name = "Migrate" + kind.capitalize()
    return f"mutation {name}({', '.join(declared)}) {{\n{body}\n}}\n"


def alias(k: int) -> str:
    return f"m{k}"


def every_document() -> dict[str, str]:
    """Each document a migration can send, by name (aliased ones at their smallest and largest)."""
    found = {
        "ReadFull": READ_FULL,
        "NextFull": NEXT_FULL,
        "ItemsFull": ITEMS_FULL,
        "MoreUpdates": MORE_UPDATES,
        "Activity": ACTIVITY,
        "BoardSchema": BOARD_SCHEMA,
        "FindByIdentity": FIND_BY_IDENTITY,
        "Children": CHILDREN,
        "Users": USERS,
        "AccountUsers": ACCOUNT_USERS,
        "SubitemsBoard": SUBITEMS_BOARD,
        "Workspaces": WORKSPACES,
        "CreateBoard": CREATE_BOARD,
        "CreateGroup": CREATE_GROUP,
    }
    for kind in _TEMPLATES:
        found[f"{kind}(1)"] = aliased(kind, 1)
        found[f"{kind}({MAX_BATCH})"] = aliased(kind, MAX_BATCH)
    return found
