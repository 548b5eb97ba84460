"""The buttons of a campaign's page: which changes of state a user is offered, why one
is refused, and "back to draft" (AD-2, AD-3).

Back to draft takes an approved campaign out of the dialer's reach until a manager
approves it again; a draft is not sent back to draft.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from autodialer.lifecycle import (
    FROM_STATES,
    MANAGER_ROLE,
    PREPARER_ROLES,
    Action,
    Actor,
    LifecycleError,
    check_action,
)
from autodialer.model import Campaign, CampaignState
from autodialer.services import CampaignService

BUTTONS = (
    (Action.APPROVE, "Approve"),
    (Action.START, "Start"),
    (Action.PAUSE, "Pause"),
    (Action.STOP, "Stop"),
    (Action.EDIT, "Back to draft"),
)
"""The changes a campaign's page offers, in the order of its buttons."""
PATHS = {Action.APPROVE: "approve", Action.START: "start", Action.PAUSE: "pause"}
PATHS |= {Action.STOP: "stop", Action.EDIT: "draft"}
"""The last part of each change's address: ``POST /campaigns/{id}/approve``."""
FORBIDDEN = 403
CONFLICT = 409


@dataclass(frozen=True)
class Offer:
    action: Action
    label: str
    path: str
    refusal: str | None
    """Why this user may not do it now; None when the button works."""


def applies(campaign: Campaign, action: Action) -> bool:
    """Whether the change leads anywhere from the campaign's state (a draft is not
    sent back to draft)."""
    if action is Action.EDIT:
        return campaign.state is CampaignState.APPROVED
    return campaign.state in FROM_STATES[action]


def offers(campaign: Campaign, actor: Actor, now: datetime) -> list[Offer]:
    """The changes that apply to the campaign's state, each with the reason this user
    is refused it, if they are."""
    found = []
    for action, label in BUTTONS:
        if not applies(campaign, action):
            continue
        try:
            check_action(campaign, action, actor, now)
            refusal = None
        except LifecycleError as error:
            refusal = str(error)
        found.append(Offer(action, label, PATHS[action], refusal))
    return found


def refusal_status(campaign: Campaign, action: Action, actor: Actor) -> int:
    """403 when the refusal is about who asks (not a manager, or the one who prepared
    it); 409 when it is about the campaign (its state, its list, its end)."""
    if action is Action.APPROVE:
        if MANAGER_ROLE not in actor.roles or actor.login == campaign.created_by:
            return FORBIDDEN
    elif not PREPARER_ROLES & actor.roles:
        return FORBIDDEN
    return CONFLICT


async def change(
    service: CampaignService, campaign: Campaign, action: Action, actor: Actor
) -> Campaign:
    """Do ``action``; LifecycleError when it may not happen, CampaignError when someone
    else changed the campaign first (both leave it as it was)."""
    if action is Action.EDIT and campaign.state is CampaignState.DRAFT:
        raise LifecycleError(f"campaign {campaign.id} is a draft already")
    return await service.act(campaign.id, action, actor)
