"""Where a vendor's documented, working behaviour departs from its published spec: the one list.

The strict sandbox follows the spec everywhere except here. Each entry names the operation, what the spec
says, what the vendor does, and the source; ``docs/vendor-contracts.md`` explains them for people. Add to
this list only with a source (the vendor's own docs, a recorded real exchange, or a maintained public client
that relies on it); a behaviour no public material settles takes the conservative reading instead and goes in
the docs.

Three kinds:

- ``EXTRA_QUERY``: keys accepted beyond the operation's declared query parameters;
- ``UNCHECKED_VALUES``: declared parameters (query, path or body) whose value schema the spec gets wrong: the
  name is still checked, the value is not;
- ``UNCHECKED_BODY``: operations whose JSON body is not validated against the spec's schema (with why).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Departure:
    tool: str
    method: str
    template: str  # the spec's path template ("*" for every operation of the tool)
    names: frozenset[str]
    why: str
    source: str


def _d(tool: str, method: str, template: str, names: set[str], why: str, source: str) -> Departure:
    return Departure(tool, method, template, frozenset(names), why, source)


EXTRA_QUERY: tuple[Departure, ...] = (
    _d(
        "trello",
        "GET",
        "/lists/{id}/cards",
        {"filter", "fields", "customFieldItems", "limit", "before", "since"},
        "the spec lists no query parameter here; Trello filters a list's cards (recorded: filter=open, 200)",
        "tests/contract/fixtures/trello-recorded/can_get_cards_of_list (ruby-trello cassette, 2020)",
    ),
    _d(
        "trello",
        "GET",
        "/boards/{id}/members",
        {"filter", "fields"},
        "the spec lists no query parameter here; Trello filters a board's members (recorded: filter=all, "
        "200)",
        "tests/contract/fixtures/trello-recorded/can_get_members_of_board (ruby-trello cassette, 2020)",
    ),
    _d(
        "trello",
        "POST",
        "/customFields/{id}/options",
        {"value", "color", "pos"},
        "the spec declares no parameter for adding a dropdown option; Trello's guide and clients send "
        "{value: {text}, color, pos}",
        "developer.atlassian.com/cloud/trello/guides/rest-api/getting-started-with-custom-fields; trello.js "
        "recipes/custom-fields createCustomFieldOption",
    ),
    _d(
        "trello",
        "*",
        "*",
        {"key", "token"},
        "the credentials: the spec's securitySchemes put them in the query string of every operation",
        "trello_openapi.json components.securitySchemes",
    ),
    _d(
        "trello",
        "GET",
        "/boards/{id}/cards",
        {"filter", "limit", "before", "since", "customFieldItems", "fields", "attachments", "pluginData"},
        "the spec lists no query parameter here; nested card resources take the card parameters and paging",
        "developer.atlassian.com/cloud/trello/guides/rest-api/nested-resources and …/api-introduction "
        "(Paging); "
        "py-trello 0.20.1 trello/board.py get_cards",
    ),
)

UNCHECKED_VALUES: tuple[Departure, ...] = (
    _d(
        "trello",
        "POST",
        "/labels",
        {"color"},
        "the Color enum lists the ten colours of before 2023; Trello's palette has a _light and a _dark "
        "variant of each (green_dark…), which real boards carry and Trello takes on writes",
        "TrelloDotNet src/TrelloDotNet/Model/LabelColor.cs (30 colours, sent by AddLabelAsync and "
        "UpdateLabelAsync); tests/contract/fixtures/trello/en_simple_project_board_planka_sample.json "
        "(a blue_dark label)",
    ),
    _d(
        "trello",
        "PUT",
        "/labels/{id}",
        {"color"},
        "the same Color enum as POST /labels: the 2023 variants are left out",
        "TrelloDotNet src/TrelloDotNet/Model/LabelColor.cs (UpdateLabelAsync)",
    ),
    _d(
        "trello",
        "GET",
        "/members/{id}",
        {"fields"},
        "MemberFields enumerates only 'id'; the parameter's own description says 'all or a comma-separated "
        "list "
        "of member fields' and links the Member object's fields (username, fullName, …)",
        "trello_openapi.json GET /members/{id} fields; components.schemas.Member",
    ),
    _d(
        "trello",
        "PUT",
        "/cards/{idCard}/customFields",
        {"customFieldItems.*.idCustomField", "customFieldItems.*.value", "customFieldItems.*.idValue"},
        "idCustomField's pattern asks for 32 hex digits while its own example (and every Trello id) has "
        "24; a "
        "number value is sent as a string ({'number': '42'}) and a value is cleared with '' — as Trello's "
        "guide "
        "shows, where the schema types number as a JSON number and value as an object",
        "trello_openapi.json PUT /cards/{idCard}/customFields (example 5abbe4b7ddc1b351ef961414); "
        "developer.atlassian.com/cloud/trello/guides/rest-api/getting-started-with-custom-fields; "
        "trello.js recipes/custom-fields ('value shapes by type: { number: '...' }')",
    ),
    _d(
        "trello",
        "PUT",
        "/cards/{idCard}/customField/{idCustomField}/item",
        {"value", "idValue"},
        "the same value shapes as PUT /cards/{idCard}/customFields, one field at a time",
        "developer.atlassian.com/cloud/trello/guides/rest-api/getting-started-with-custom-fields",
    ),
    _d(
        "trello",
        "PUT",
        "/cards/{id}",
        {"idLabels", "idMembers", "due", "start"},
        "idLabels/idMembers: the spec gives one TrelloID's schema, its own description says "
        "'Comma-separated list "
        "of IDs' (an empty list clears them); due/start: 'format: date' for what Trello stores and returns "
        "as an "
        "ISO date-time",
        "trello_openapi.json PUT /cards/{id} parameter descriptions; real exports carry due as date-times",
    ),
    _d(
        "trello",
        "*",
        "*",
        {"id", "idBoard", "idCard", "idList"},
        "boards and cards are addressed by id or by shortLink (8 characters), where the spec's TrelloID "
        "pattern "
        "admits only the 24-hex id",
        "developer.atlassian.com/cloud/trello/guides/rest-api/object-definitions (Board.shortLink, "
        "Card.shortLink: 'can be used as id'); tests/contract/fixtures/trello-recorded/tfw_* (200, 2017)",
    ),
    _d(
        "asana",
        "*",
        "*",
        {"data.custom_fields"},
        "TaskRequestBase.custom_fields types every value as a string, its description says the value is "
        "'an enum "
        "GID, string, number, object, or array' depending on the field",
        "asana_oas.yaml components.schemas.TaskRequestBase.custom_fields",
    ),
    _d(
        "trello",
        "POST",
        "/customFields",
        {"options"},
        "the spec types options as a string; a list field is created with its options as an array of "
        "{value: {text}, color, pos} (the options endpoints take the same records one by one)",
        "trello-for-wolves src/resources/CustomField.ts addCustomField(options?: CustomFieldOptionRecord[]); "
        "spec POST /customFields/{id}/options",
    ),
    _d(
        "asana",
        "POST",
        "/tasks",
        {"data.memberships"},
        "TaskBase.memberships is marked readOnly with ProjectCompact/SectionCompact items, its description "
        "says "
        "it is *Create-only* and 'can be used to add the task to specific sections' — by gid",
        "asana_oas.yaml components.schemas.TaskBase.memberships description; developers.asana.com/reference/"
        "createtask",
    ),
    _d(
        "asana",
        "POST",
        "/tasks/{task_gid}/setParent",
        {"data.parent", "data.insert_after", "data.insert_before"},
        "typed string (not nullable), described as 'The new parent of the task, or `null` for no parent' and "
        "'or `null` to insert at the beginning of the list'",
        "asana_oas.yaml components.schemas.TaskSetParentRequest",
    ),
    _d(
        "asana",
        "*",
        "*",
        {"opt_fields"},
        "the spec enumerates opt_fields (assignee.name, …); Asana's dot notation reaches every property of a "
        "nested record (assignee.email): a field is accepted when it or its parent is listed (asana.py)",
        "developers.asana.com/docs/inputoutput-options",
    ),
    _d(
        "asana",
        "*",
        "*",
        {"options.offset"},
        "BatchRequestAction.options.offset is typed integer, yet an offset is the opaque string token of "
        "next_page.offset (the spec's own example is one)",
        "asana_oas.yaml components.schemas.BatchRequestAction.options.offset example",
    ),
)


def _matches(departure: Departure, tool: str, method: str, template: str) -> bool:
    return (
        departure.tool == tool and departure.method in ("*", method) and departure.template in ("*", template)
    )


def extra_query(tool: str, method: str, template: str) -> frozenset[str]:
    return frozenset().union(*(d.names for d in EXTRA_QUERY if _matches(d, tool, method, template)))


def unchecked_values(tool: str, method: str, template: str) -> frozenset[str]:
    return frozenset().union(*(d.names for d in UNCHECKED_VALUES if _matches(d, tool, method, template)))
