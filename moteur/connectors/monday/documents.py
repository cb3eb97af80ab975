"""Every GraphQL document the monday connector sends, written once, always with variables.

No value is ever spliced into a document: ids, titles and column values travel as variables (column values
as a JSON-encoded string, the ``JSON!`` scalar monday expects). The one document with a variable shape is
the aliased write: ``write_items(n)`` repeats one fixed template ``n`` times with numbered aliases
(``u0`` … ``u{n-1}``) and numbered variables; it is cached per ``n``.

Terms:

- *Item fields*: what a read asks of each item: id, name, state, times, group, url, and the column values
  of the types the mapping can use (``READ_TYPES``) with their typed fragments (status label, dropdown
  labels, date and time, people ids). Other column types (mirrors, formulas…) are not asked for: they cost
  complexity and moteur reads nothing from them.
- *Complexity*: ``complexity { before after query reset_in_x_seconds }`` rides on every query so the
  connector knows what is left of the per-minute budget (see ``pacing``).
- *Daily cap*: the board read also asks the account's plan and today's API calls (``daily.DAILY_FIELDS``),
  so a run knows before writing whether the day has the calls it needs.

Every document here validates against monday's official SDLs 2026-07 and 2026-10
(``tests/connectors/test_monday_documents.py``).
"""

from __future__ import annotations

from functools import lru_cache

from moteur.connectors.monday.daily import DAILY_FIELDS

PAGE_LIMIT = 500  # items_page / next_items_page maximum
MAX_ALIASES = 50  # mutations per request: monday's own tools use 20–40; the per-query cap allows far more

READ_TYPES: tuple[str, ...] = (
    "status",
    "dropdown",
    "numbers",
    "rating",
    "text",
    "long_text",
    "date",
    "people",
)
"""The column types a read asks values of (the ``ColumnType`` enum values)."""

COMPLEXITY = "complexity { before after query reset_in_x_seconds }"

ITEM_FIELDS = """
fragment ItemFields on Item {
  id
  name
  state
  created_at
  updated_at
  url
  group { id }
  column_values(types: $types) {
    id
    type
    text
    ... on StatusValue { label }
    ... on DropdownValue { values { label } }
    ... on DateValue { date time }
    ... on PeopleValue { persons_and_teams { id kind } }
  }
}
"""

READ_BOARD = (
    """
query ReadBoard($board: ID!, $limit: Int!, $types: [ColumnType!]) {
  """
    + COMPLEXITY
    + DAILY_FIELDS
    + """
  boards(ids: [$board]) {
    id
    name
    state
    updated_at
    columns { id title type settings }
    groups { id title archived }
    items_page(limit: $limit) { cursor items { ...ItemFields } }
  }
}
"""
    + ITEM_FIELDS
)
"""The whole board in one query: name, columns, groups, the first page of items, the complexity budget and
the daily cap."""

NEXT_ITEMS = (
    """
query NextItems($cursor: String!, $limit: Int!, $types: [ColumnType!]) {
  """
    + COMPLEXITY
    + """
  next_items_page(cursor: $cursor, limit: $limit) { cursor items { ...ItemFields } }
}
"""
    + ITEM_FIELDS
)
"""The page after ``cursor`` (a cursor lives 60 minutes)."""

BUDGET = "query Budget { " + COMPLEXITY + " }\n"
"""What is left of the budget: asked before a write the pacer's estimate says may not fit."""

BOARD_COLUMNS = """
query BoardColumns($board: ID!) {
  boards(ids: [$board]) { id columns { id title type } }
}
"""
"""The board's columns: looked up after a column create that may or may not have been applied."""

CREATE_COLUMN = """
mutation CreateColumn($board: ID!, $title: String!, $type: ColumnType!, $defaults: JSON) {
  create_column(board_id: $board, title: $title, column_type: $type, defaults: $defaults) { id title type }
}
"""
"""One column; ``defaults`` carries a status column's labels and colours, a dropdown's options."""

_WRITE_FIELD = (
    "  u{i}: change_multiple_column_values(board_id: $board, item_id: $i{i}, column_values: $v{i}, "
    "create_labels_if_missing: true) {{ id updated_at }}"
)


@lru_cache(maxsize=MAX_ALIASES)
def write_items(n: int) -> str:
    """The aliased write of ``n`` items: ``u{k}`` sets item ``$i{k}``'s columns to ``$v{k}`` (JSON text)."""
    if not 1 <= n <= MAX_ALIASES:
        raise ValueError(f"an aliased write holds 1–{MAX_ALIASES} items, not {n}")
    params = ", ".join(f"$i{i}: ID!, $v{i}: JSON!" for i in range(n))
    fields = "\n".join(_WRITE_FIELD.format(i=i) for i in range(n))
    return f"mutation WriteItems($board: ID!, {params}) {{\n{fields}\n}}\n"


def alias(index: int) -> str:
    return f"u{index}"


def write_variables(board_id: str, writes: list[tuple[str, str]]) -> dict[str, str]:
    """Variables of ``write_items(len(writes))`` for ``(item id, column values JSON)`` pairs."""
    variables = {"board": board_id}
    for i, (item_id, values) in enumerate(writes):
        variables[f"i{i}"] = item_id
        variables[f"v{i}"] = values
    return variables


def every_document() -> dict[str, str]:
    """Each document the connector can send, by name (the aliased write at its smallest and largest)."""
    return {
        "ReadBoard": READ_BOARD,
        "NextItems": NEXT_ITEMS,
        "Budget": BUDGET,
        "BoardColumns": BOARD_COLUMNS,
        "CreateColumn": CREATE_COLUMN,
        "WriteItems(1)": write_items(1),
        "WriteItems(20)": write_items(20),
        f"WriteItems({MAX_ALIASES})": write_items(MAX_ALIASES),
    }
