"""The naive baseline: the first sync done item by item, as automation tools' nodes do.

*Naive sync*: list the item ids, ``GET`` every item by id, then send one write per changed field (one per
label added on Trello). It makes the same changes as moteur's plan: the plan is computed with moteur (its read
is not counted) and its schema ops (labels, fields, sections) are applied by moteur's connector, which both
sides pay alike; everything else is plain ``requests`` against the sandbox.

A *NaiveClient* speaks one vendor's API that way; ``score_client`` also serves the re-run scenario, which
changes items' Impact score through the same single-field writes.
"""

from __future__ import annotations

from typing import Any

import requests

from moteur.core.ops import ItemOp, MoveItem, SetTags, UpdateFields

TIMEOUT = 30.0


class NaiveClient:
    """One vendor's item-by-item calls (subclasses: ``item_ids``, ``get_item``, ``write``, ``set_score``)."""

    def __init__(self, base: str, env: dict[str, str], board: str) -> None:
        self.base = base
        self.env = env
        self.board = board
        self.session = requests.Session()

    def item_ids(self) -> list[str]:
        raise NotImplementedError

    def get_item(self, item_id: str) -> None:
        raise NotImplementedError

    def write(self, op: ItemOp) -> int:
        """Send ``op`` one field (one label) per request; returns how many requests it took."""
        raise NotImplementedError

    def set_score(self, item_id: str, field: str, value: int) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.session.close()


class TrelloNaive(NaiveClient):
    def _call(self, method: str, path: str, **kw: Any) -> Any:
        params = {"key": self.env["MOTEUR_TRELLO_API_KEY"], "token": self.env["MOTEUR_TRELLO_TOKEN"]}
        params.update(kw.pop("params", {}))
        answer = self.session.request(method, self.base + path, params=params, timeout=TIMEOUT, **kw)
        answer.raise_for_status()
        return answer.json()

    def _names(self, path: str) -> dict[str, str]:
        return {entry["name"]: entry["id"] for entry in self._call("GET", path)}

    def item_ids(self) -> list[str]:
        return [
            card["id"] for card in self._call("GET", f"/boards/{self.board}/cards", params={"fields": "id"})
        ]

    def get_item(self, item_id: str) -> None:
        self._call("GET", f"/cards/{item_id}", params={"customFieldItems": "true"})

    def write(self, op: ItemOp) -> int:
        if not hasattr(self, "labels"):
            # The look-ups a node does once per run, after the schema exists.
            self.labels = self._names(f"/boards/{self.board}/labels")
            self.fields = self._names(f"/boards/{self.board}/customFields")
            self.lists = self._names(f"/boards/{self.board}/lists")
        card = op.item.item
        if isinstance(op, SetTags):
            for name in op.add:
                self._call("POST", f"/cards/{card}/idLabels", params={"value": self.labels[name]})
            for name in op.remove:
                self._call("DELETE", f"/cards/{card}/idLabels/{self.labels[name]}")
            return len(op.add) + len(op.remove)
        if isinstance(op, MoveItem):
            self._call("PUT", f"/cards/{card}", params={"idList": self.lists[op.after or ""]})
            return 1
        if isinstance(op, UpdateFields):
            self.set_value(card, op.field.upper(), {"number": op.after} if op.after else {})
            return 1
        return 0

    def set_value(self, card: str, field: str, value: dict[str, Any]) -> None:
        if not hasattr(self, "fields"):
            self.fields = self._names(f"/boards/{self.board}/customFields")
        path = f"/cards/{card}/customField/{self.fields[field]}/item"
        self._call("PUT", path, json={"value": value})

    def set_score(self, item_id: str, field: str, value: int) -> None:
        self.set_value(item_id, field, {"number": str(value)})


class AsanaNaive(NaiveClient):
    def _call(self, method: str, path: str, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.env['MOTEUR_ASANA_TOKEN']}"}
        answer = self.session.request(method, self.base + path, headers=headers, timeout=TIMEOUT, **kw)
        answer.raise_for_status()
        return answer.json()

    def item_ids(self) -> list[str]:
        ids: list[str] = []
        params: dict[str, Any] = {"limit": 100, "opt_fields": "gid"}
        while True:
            page = self._call("GET", f"/projects/{self.board}/tasks", params=params)
            ids.extend(task["gid"] for task in page["data"])
            if not page.get("next_page"):
                return ids
            params["offset"] = page["next_page"]["offset"]

    def get_item(self, item_id: str) -> None:
        self._call("GET", f"/tasks/{item_id}")

    def _schema(self) -> None:
        params = {"opt_fields": "name"}
        sections = self._call("GET", f"/projects/{self.board}/sections", params=params)["data"]
        self.sections = {s["name"]: s["gid"] for s in sections}
        fields = "custom_field.name,custom_field.enum_options.name"
        path = f"/projects/{self.board}/custom_field_settings"
        settings = self._call("GET", path, params={"opt_fields": fields})["data"]
        self.fields = {s["custom_field"]["name"]: s["custom_field"] for s in settings}

    def write(self, op: ItemOp) -> int:
        if not hasattr(self, "sections"):
            self._schema()
        task = op.item.item
        if isinstance(op, MoveItem):
            self._call(
                "POST", f"/sections/{self.sections[op.after or '']}/addTask", json={"data": {"task": task}}
            )
            return 1
        if isinstance(op, UpdateFields):
            field = self.fields["ICE" if op.field == "ice" else op.field.capitalize()]
            value: Any = op.after
            if field.get("enum_options"):
                value = next((o["gid"] for o in field["enum_options"] if o["name"] == op.after), None)
            elif op.after is not None:
                value = float(op.after)
            self._call("PUT", f"/tasks/{task}", json={"data": {"custom_fields": {field["gid"]: value}}})
            return 1
        if isinstance(op, SetTags):
            for _ in (*op.add, *op.remove):
                self._call("PUT", f"/tasks/{task}", json={"data": {}})
            return len(op.add) + len(op.remove)
        return 0

    def set_score(self, item_id: str, field: str, value: int) -> None:
        if not hasattr(self, "fields"):
            self._schema()
        gid = self.fields[field]["gid"]
        self._call("PUT", f"/tasks/{item_id}", json={"data": {"custom_fields": {gid: value}}})


class MondayNaive(NaiveClient):
    def _query(self, query: str, variables: dict[str, Any]) -> Any:
        headers = {"Authorization": self.env["MOTEUR_MONDAY_TOKEN"], "API-Version": "2026-10"}
        body = {"query": query, "variables": variables}
        answer = self.session.post(self.base, json=body, headers=headers, timeout=TIMEOUT)
        answer.raise_for_status()
        payload = answer.json()
        if payload.get("errors"):
            raise RuntimeError(f"monday: {payload['errors'][0].get('message')}")
        return payload["data"]

    def item_ids(self) -> list[str]:
        first = "query($b:[ID!]){boards(ids:$b){items_page(limit:500){cursor items{id}}}}"
        page = self._query(first, {"b": [self.board]})["boards"][0]["items_page"]
        ids = [item["id"] for item in page["items"]]
        while page["cursor"]:
            more = "query($c:String!){next_items_page(cursor:$c,limit:500){cursor items{id}}}"
            page = self._query(more, {"c": page["cursor"]})["next_items_page"]
            ids.extend(item["id"] for item in page["items"])
        return ids

    def get_item(self, item_id: str) -> None:
        self._query("query($i:[ID!]){items(ids:$i){id name column_values{id text value}}}", {"i": [item_id]})

    def _column(self, title: str) -> str:
        if not hasattr(self, "columns"):
            columns = self._query("query($b:[ID!]){boards(ids:$b){columns{id title}}}", {"b": [self.board]})
            self.columns: dict[str, str] = {c["title"]: c["id"] for c in columns["boards"][0]["columns"]}
        return self.columns[title]

    def _set(self, item_id: str, column: str, value: str) -> None:
        mutation = (
            "mutation($b:ID!,$i:ID!,$c:String!,$v:String){"
            "change_simple_column_value(board_id:$b,item_id:$i,column_id:$c,value:$v){id}}"
        )
        self._query(mutation, {"b": self.board, "i": item_id, "c": column, "v": value})

    def write(self, op: ItemOp) -> int:
        if isinstance(op, UpdateFields):
            title = "ICE" if op.field == "ice" else op.field.capitalize()
            self._set(op.item.item, self._column(title), op.after or "")
            return 1
        return 0

    def set_score(self, item_id: str, field: str, value: int) -> None:
        self._set(item_id, field.lower(), str(value))


def score_client(tool: str, base: str, env: dict[str, str], board: str) -> NaiveClient:
    """The tool's item-by-item client (``base``: the vendor's base URL on the sandbox)."""
    kinds: dict[str, type[NaiveClient]] = {"trello": TrelloNaive, "asana": AsanaNaive, "monday": MondayNaive}
    return kinds[tool](base, env, board)


def naive_sync(client: NaiveClient, item_ops: list[ItemOp]) -> int:
    """List, read every item by id, then write field by field; returns the number of items read."""
    ids = client.item_ids()
    for item_id in ids:
        client.get_item(item_id)
    for op in item_ops:
        client.write(op)
    return len(ids)
