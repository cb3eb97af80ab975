"""The edits that write moteur's values into a YAML plan (see ``edits``), placed with libyaml's node marks.

- A value moteur changes is replaced from just after its key's ``:`` to the end of the old value's content
  (not its trailing comment, nor the comment lines after it); the key itself is kept as written.
- A key moteur adds goes on a new line after the action's last line, at the column of the action's keys
  (``, key: value`` before the ``}`` of an action written as a flow mapping).
- An action moteur adds (a migration) goes after the last one, at the column of the list's ``-``.

New values are rendered by ``yaml_plan`` at column 0, then indented like the key they belong to.
"""

from __future__ import annotations

import json
from typing import Any

from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode, SequenceNode

from moteur.connectors.files import yaml_plan
from moteur.connectors.files.edits import Edit, Unsafe, line_end, newline_of, shift

_STR = "tag:yaml.org,2002:str"


def _is_empty(node: Node) -> bool:
    """A value written as nothing (``sprint:`` alone): libyaml places it right after the ``:``."""
    return isinstance(node, ScalarNode) and node.start_mark.index == node.end_mark.index


def _colon(text: str, key: Node) -> int:
    at = key.end_mark.index
    while at < len(text) and text[at] in " \t":
        at += 1
    if not text.startswith(":", at):
        raise Unsafe(f"line {key.start_mark.line + 1}: no ':' after the key")
    return at


def content_end(text: str, node: Node) -> int:
    """Where ``node``'s own text ends: libyaml's end mark of a block collection or a block scalar runs
    on over the line breaks, comments and indentation that follow it, which an edit must not swallow."""
    if isinstance(node, ScalarNode):
        if node.style in ("|", ">"):
            start = node.start_mark.index
            if "+" in text[start : line_end(text, start)].split("#", 1)[0]:
                # ``|+`` keeps its trailing line breaks: they are content, up to the next line's start.
                return int(node.end_mark.index)
            return start + len(text[start : node.end_mark.index].rstrip())
        return int(node.end_mark.index)
    if not isinstance(node, CollectionNode) or node.flow_style or not node.value:
        return int(node.end_mark.index)
    last = node.value[-1]
    if isinstance(node, MappingNode):
        key, value = last
        return _colon(text, key) + 1 if _is_empty(value) else content_end(text, value)
    return content_end(text, last)


def _key_text(key: str, like: Node | None) -> str:
    """A new key, double-quoted when the mapping's keys are (a YAML file written as JSON)."""
    if like is not None and getattr(like, "style", None) == '"':
        return json.dumps(key, ensure_ascii=False)
    return yaml_plan.render_key(key)


def _keys(node: MappingNode) -> dict[Any, tuple[Node, Node]]:
    """Each key's value (the last one when a key is repeated, as the loader reads it) and key node."""
    found: dict[Any, tuple[Node, Node]] = {}
    for key, value in node.value:
        if key.tag == _STR:  # nearly every key: its text is its value
            found[key.value] = (key, value)
        elif isinstance(key, ScalarNode):
            found[yaml_plan.construct(key)] = (key, value)
    return found


class YamlEdits:
    """The edits for one YAML text; ``root`` is its node tree (``yaml_plan.compose_and_load``)."""

    def __init__(self, text: str, root: Node) -> None:
        self.text = text
        self.root = root
        self.newline = newline_of(text)
        self.edits: list[Edit] = []
        self.sequence, self.owner = self._sequence()
        self.count = len(self.sequence.value)

    def _sequence(self) -> tuple[SequenceNode, Node | None]:
        """The actions' sequence node, and the ``actions`` key node holding it (None at the root)."""
        if isinstance(self.root, SequenceNode):
            return self.root, None
        if isinstance(self.root, MappingNode):
            key, value = _keys(self.root).get("actions", (None, None))
            if isinstance(value, SequenceNode):
                return value, key
        raise Unsafe("the list of actions was not found where it was read")

    def item(self, position: int, item: dict[str, Any], keys: list[str], added: set[str]) -> None:
        """Edits that give the action at ``position`` the values ``item`` holds for ``keys`` (``added``:
        those it did not have; the node tree says so too)."""
        node = self.sequence.value[position]
        if not isinstance(node, MappingNode):
            raise Unsafe(f"line {node.start_mark.line + 1}: the action is not a mapping")
        found = _keys(node)
        new_keys = [key for key in item if key in keys and key not in found]
        if any(key not in item for key in keys):
            raise Unsafe(f"line {node.start_mark.line + 1}: a key would be removed")
        for key in keys:
            if key in found:
                self._replace(node, *found[key], item[key])
        if new_keys:
            self._add(node, {key: item[key] for key in new_keys})

    def _replace(self, mapping: MappingNode, key: Node, value: Node, new: Any) -> None:
        colon = _colon(self.text, key)
        if mapping.flow_style:
            rendered = yaml_plan.render_flow(new)
            if _is_empty(value):
                self.edits.append(Edit(colon + 1, colon + 1, " " + rendered))
            else:
                self.edits.append(Edit(value.start_mark.index, content_end(self.text, value), rendered))
            return
        if getattr(value, "flow_style", False) and isinstance(new, list | dict):
            # ``tags: [seo, b2b]`` stays on one line, as the user wrote it.
            rendered = yaml_plan.render_flow(new)
            self.edits.append(Edit(value.start_mark.index, value.end_mark.index, rendered))
            return
        indent = " " * key.start_mark.column
        end = colon + 1 if _is_empty(value) else content_end(self.text, value)
        tail = shift(yaml_plan.render(new)[1:], indent, self.newline)
        if self._at_line_start(end):
            tail += self.newline  # the old value (``|+``) ended with the line break: keep one
        self.edits.append(Edit(colon + 1, end, tail))

    def _at_line_start(self, position: int) -> bool:
        return position > 0 and self.text[position - 1] in "\r\n"

    def _insert_lines(self, end: int, lines: list[str]) -> None:
        """Insert ``lines`` (indented, without line breaks) on new lines after the content ending at
        ``end``: after that line's end, or right at ``end`` when the content ends with its line break."""
        if self._at_line_start(end):
            self.edits.append(Edit(end, end, "".join(line + self.newline for line in lines)))
        else:
            at = line_end(self.text, end)
            self.edits.append(Edit(at, at, "".join(self.newline + line for line in lines)))

    def _add(self, mapping: MappingNode, values: dict[str, Any]) -> None:
        first = mapping.value[0][0] if mapping.value else None
        if mapping.flow_style:
            at = content_end(self.text, mapping.value[-1][1]) if mapping.value else mapping.end_mark.index - 1
            pairs = [f"{_key_text(k, first)}: {yaml_plan.render_flow(v)}" for k, v in values.items()]
            self.edits.append(Edit(at, at, (", " if mapping.value else "") + ", ".join(pairs)))
            return
        if first is None:  # a block mapping always has a key; this is a parser this module does not know
            raise Unsafe(f"line {mapping.start_mark.line + 1}: an empty block mapping")
        indent = " " * first.start_mark.column
        lines = [
            indent + _key_text(k, first) + shift(yaml_plan.render(v), indent, self.newline)
            for k, v in values.items()
        ]
        self._insert_lines(content_end(self.text, mapping), lines)

    def append(self, items: list[dict[str, Any]]) -> None:
        """Edits that add ``items`` after the last action."""
        sequence, owner = self.sequence, self.owner
        if not sequence.flow_style:
            indent = " " * sequence.start_mark.column
            block = shift(yaml_plan.dump(items).rstrip("\n"), indent, self.newline, first=True)
            self._insert_lines(content_end(self.text, sequence), [block])
        elif sequence.value:
            at = content_end(self.text, sequence.value[-1])
            self.edits.append(Edit(at, at, "".join(", " + yaml_plan.render_flow(i) for i in items)))
        elif owner is None or getattr(self.root, "flow_style", False):
            at = sequence.start_mark.index + 1  # a file that is ``[]``, or ``{actions: []}``: stays flow
            self.edits.append(Edit(at, at, ", ".join(yaml_plan.render_flow(i) for i in items)))
        else:
            # ``actions: []`` becomes a block list, as moteur writes new files; it starts on the next
            # line, after any comment that followed the ``[]``.
            end = sequence.end_mark.index
            indent = " " * owner.start_mark.column
            block = shift(yaml_plan.dump(items).rstrip("\n"), indent, self.newline, first=True)
            at = line_end(self.text, end)
            self.edits.append(Edit(_colon(self.text, owner) + 1, end, ""))
            self.edits.append(Edit(at, at, self.newline + block))
