"""Values the emulator serves as real Trello sent them, each with the recording it is copied from.

The recordings are in ``tests/contract/fixtures/trello-recorded/`` (sources and licences in that folder's
README): ruby-trello's VCR cassettes of api.trello.com (2020) and trello-for-wolves' live answers (2017).
"""

from __future__ import annotations

from typing import Any

# A blue board's prefs as Trello sent them (tfw_batch_board_and_card, trello-for-wolves 2017; hideVotes,
# isTemplate, canBeEnterprise and the background's top/bottom colours: board_find_with_id_and_get_all_fields,
# ruby-trello 2020). The permission level is the sandbox's own.
BOARD_PREFS: dict[str, Any] = {
    "permissionLevel": "private", "hideVotes": False, "voting": "disabled", "comments": "members",
    "invitations": "members", "selfJoin": True, "cardCovers": True, "isTemplate": False,
    "cardAging": "regular", "calendarFeedEnabled": False, "background": "blue", "backgroundColor": "#0079BF",
    "backgroundImage": None, "backgroundImageScaled": None, "backgroundTile": False,
    "backgroundBrightness": "dark", "backgroundBottomColor": "#0079BF", "backgroundTopColor": "#0079BF",
    "canBePublic": True, "canBeEnterprise": True, "canBeOrg": True, "canBePrivate": True, "canInvite": True,
}  # fmt: skip

# ``labelNames``: one key per label colour, the name of the board's first label of that colour or ""
# (tfw_batch_board_and_card, tfw_board_nested_cards_members, board_find_with_id_and_get_all_fields).
LABEL_NAME_COLORS = ("green", "yellow", "orange", "red", "purple", "blue", "sky", "lime", "pink", "black")

# A single custom field's ``limits``, list field or not (can_get_custom_field_options_of_custom_field,
# can_success_create_a_custom_field); the board's list of fields has none (can_get_custom_fields_of_board).
FIELD_LIMITS: dict[str, Any] = {
    "customFieldOptions": {"perField": {"status": "ok", "disableAt": 50, "warnAt": 45}}
}

# A card's nested ``members`` (``GET /cards/{id}?members=true``) when no member_fields is given
# (card_find_with_id_and_get_specific_fields).
CARD_MEMBER_FIELDS = (
    "id,username,activityBlocked,avatarHash,avatarUrl,fullName,idMemberReferrer,initials,nonPublic,"
    "nonPublicAvailable"
)
