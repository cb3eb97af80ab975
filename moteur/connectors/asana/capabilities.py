"""What an Asana project can hold when it is a migration's target (``Capabilities``), and who can be assigned.

- *Custom field kinds*: number, text, enum (single choice) and date on a paid workspace; none on a free one
  (custom fields are a premium feature: Asana answers 402), where the plan reports them lost.
- *Emails*: the people of the project's workspace, read once (``workspace_users``); the writer reuses the same
  list to match assignees, so it costs no extra request when assignees are carried.
"""

from __future__ import annotations

from moteur.connectors.asana.schema import email_key
from moteur.connectors.http import HttpClient
from moteur.connectors.migration import Capabilities
from moteur.core.model import FieldKind, Tool
from moteur.core.phrase import Phrase

# Phrases: English for --json, said in the reader's language by the migration's human report.
COMMON_NOTES = (
    Phrase("Asana comments are posted as the token's user; the original author and date open their text"),
    Phrase(
        'archived items become tasks tagged "archived", completed when they were done (Asana has no archive)'
    ),
)
FREE_NOTE = Phrase(
    'free Asana workspace (no custom fields): the sprint is kept as a tag "Sprint N"; scores, objective, '
    "channel, quadrant and ICE are not carried"
)
USER_PAGES = 5  # the workspace's users read for ``Capabilities.emails``: up to 500 people

# The custom field kinds a paid workspace can create and hold (a free one has no custom fields at all).
CUSTOM_KINDS = frozenset({FieldKind.NUMBER, FieldKind.ENUM, FieldKind.TEXT, FieldKind.DATE})


def capabilities(*, fields_on: bool, emails: frozenset[str] | None = None) -> Capabilities:
    return Capabilities(
        tool=Tool.ASANA,
        multi_assignee=False,  # one assignee per task
        doing_status=False,  # "doing" is a list/section name here
        scores=fields_on,
        objective_channel=fields_on,
        moteur_fields=fields_on,
        custom_fields=CUSTOM_KINDS if fields_on else frozenset(),
        emails=emails,
        notes=COMMON_NOTES if fields_on else (*COMMON_NOTES, FREE_NOTE),
        tag_colours=True,  # a tag's color, set on its POST /tags (``core/colours.py``)
        shared_tags=True,  # a workspace's tags: an existing one is never recoloured
        places_items=True,  # a batch's creates land in any order, then are moved into it (``creates.py``)
    )


def workspace_users(client: HttpClient, workspace: str) -> dict[str, str] | None:
    """The workspace's users, folded e-mail → gid; None when the workspace is too large to list cheaply.

    One paged read of ``GET /users?workspace=…`` (100 a page; ``GET /workspaces/{gid}/users`` takes no
    ``limit``: it answers up to 2,000 users at once, "For more results use the /users endpoint", spec), which
    the migration's writer then reuses to match assignees (it would read the same list), so it costs nothing
    extra when assignees are carried. Past ``USER_PAGES`` pages (a large
    organisation) it gives up: the plan then cannot report unknown assignees before the run, and the writer
    reads the users itself when it needs them.
    """
    users: dict[str, str] = {}
    offset: str | None = None
    for _ in range(USER_PAGES):
        params = {"workspace": workspace, "opt_fields": "email", "limit": "100"}
        params |= {"offset": offset} if offset else {}
        answer = client.request_json("GET", "/users", params=params, what="users")
        data = answer.get("data") if isinstance(answer, dict) else None
        for user in data if isinstance(data, list) else []:
            if isinstance(user, dict) and user.get("email") and user.get("gid"):
                users[email_key(str(user["email"]))] = str(user["gid"])
        following = answer.get("next_page") if isinstance(answer, dict) else None
        offset = str(following.get("offset") or "") if isinstance(following, dict) else ""
        if not offset:
            return users
    return None
