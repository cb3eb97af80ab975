"""Query complexity: an estimate per request and the per-token budget it is charged against.

Terms:

- *Complexity*: monday's cost unit. The real formula is not published; the sandbox's estimate is a documented
  approximation with the same shape: every field costs 1, a list field multiplies the cost of its
  sub-selection by the number of elements it may return (its ``limit`` / number of ``ids``, else an assumed
  size, see :data:`ASSUMED_SIZE`), and each mutation adds a fixed base cost (:data:`MUTATION_COST`; monday
  says ``create_item`` costs about 10,000). So ``boards(ids:[1]){items_page(limit:500)
  {items{id column_values{text}}}}`` costs 1 + 1 × (1 + 500 × (1 + (1 + (1 + 20 × 1)))) = 11,502 (the
  ``items`` of a page are counted by the page's ``limit``).
- *Budget*: 10,000,000 points per token over a sliding 60-second window (personal tokens) and at most
  5,000,000 for a single query (monday's rate limits page). ``complexity{before after query
  reset_in_x_seconds}`` reports the budget around the current query.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    value_from_ast_untyped,
)

BUDGET_PER_MINUTE = 10_000_000
MAX_PER_QUERY = 5_000_000
WINDOW_SECONDS = 60.0

ASSUMED_SIZE: dict[str, int] = {
    "boards": 25,
    "items": 25,
    "items_page": 25,
    "next_items_page": 25,
    "column_values": 20,
    "columns": 20,
    "groups": 10,
    "subitems": 10,
    "updates": 25,
    "activity_logs": 25,
    "users": 25,
    "workspaces": 25,
    "versions": 5,
    "persons_and_teams": 5,
    "values": 5,
}
MUTATION_COST: dict[str, int] = {
    "create_board": 20_000,
    "delete_board": 5_000,
    "create_group": 5_000,
    "create_column": 5_000,
    "change_column_metadata": 1_000,
    "create_item": 10_000,
    "create_subitem": 10_000,
    "change_column_value": 1_000,
    "change_simple_column_value": 1_000,
    "change_multiple_column_values": 1_000,
    "move_item_to_group": 1_000,
    "create_update": 1_000,
    "archive_item": 1_000,
    "delete_item": 1_000,
}


def estimate(
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
) -> int:
    """The complexity of one operation (see the module docstring for the formula)."""

    def argument(field: FieldNode, name: str) -> Any:
        for arg in field.arguments or ():
            if arg.name.value == name:
                return _value(arg.value, variables)
        return None

    def size(field: FieldNode, parent: str | None) -> int:
        name = field.name.value
        # ItemsResponse.items is already counted by its page's limit.
        if name not in ASSUMED_SIZE or (name == "items" and parent in ("items_page", "next_items_page")):
            return 1
        ids, limit = argument(field, "ids"), argument(field, "limit")
        if isinstance(ids, list) and ids:
            return len(ids)
        if isinstance(limit, int) and limit > 0:
            return limit
        return ASSUMED_SIZE[name]

    def selection_cost(
        selection_set: SelectionSetNode | None, seen: frozenset[str], parent: str | None = None
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                total += 1 + size(selection, parent) * selection_cost(selection.selection_set, seen, name)
            elif isinstance(selection, InlineFragmentNode):
                total += selection_cost(selection.selection_set, seen, parent)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in fragments and name not in seen:  # a fragment cycle is a validation error anyway
                    total += selection_cost(fragments[name].selection_set, seen | {name}, parent)
        return total

    cost = selection_cost(operation.selection_set, frozenset())
    if operation.operation.value == "mutation":
        for selection in operation.selection_set.selections:
            if isinstance(selection, FieldNode):
                cost += MUTATION_COST.get(selection.name.value, 1_000)
    return cost


def _value(node: ValueNode, variables: dict[str, Any]) -> Any:
    if isinstance(node, VariableNode):
        return variables.get(node.name.value)
    if isinstance(node, ListValueNode):
        return [_value(v, variables) for v in node.values]
    return value_from_ast_untyped(node, variables)


@dataclass
class Charge:
    """What ``complexity{…}`` reports for one query."""

    before: int
    after: int
    query: int
    reset_in_x_seconds: int


class BudgetExhausted(Exception):
    def __init__(self, retry_in_seconds: int) -> None:
        super().__init__(f"Complexity budget exhausted, retry in {retry_in_seconds} seconds")
        self.retry_in_seconds = retry_in_seconds


class ComplexityBudget:
    """A sliding 60-second window of charges per token."""

    def __init__(self, per_minute: int = BUDGET_PER_MINUTE) -> None:
        self.per_minute = per_minute
        self._charges: dict[str, deque[tuple[float, int]]] = {}

    def _used(self, token: str, now: float) -> tuple[deque[tuple[float, int]], int]:
        charges = self._charges.setdefault(token, deque())
        while charges and charges[0][0] + WINDOW_SECONDS <= now:
            charges.popleft()
        return charges, sum(cost for _, cost in charges)

    def charge(self, token: str, cost: int, now: float, enforce: bool = True) -> Charge:
        """Charge ``cost``; raise :class:`BudgetExhausted` if it does not fit (and ``enforce``)."""
        charges, used = self._used(token, now)
        if enforce and used + cost > self.per_minute:
            # Wait until enough old charges leave the window for this query to fit.
            freed, wait = 0, WINDOW_SECONDS
            for at, old_cost in charges:
                freed += old_cost
                if used - freed + cost <= self.per_minute:
                    wait = at + WINDOW_SECONDS - now
                    break
            raise BudgetExhausted(max(1, math.ceil(wait)))
        before = self.per_minute - used
        charges.append((now, cost))
        reset = math.ceil(charges[0][0] + WINDOW_SECONDS - now)
        return Charge(before, before - cost, cost, max(0, reset))

    def reset(self) -> None:
        self._charges.clear()
