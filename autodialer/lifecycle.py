"""Who may move a campaign from one state to the next (AD-2, AD-3). Pure.

draft → approved (a manager who did not prepare it) → running ↔ paused → finished
(its end passed, or everyone got the message or was stopped) / stopped (by hand).
Editing an approved campaign sends it back to draft: what was approved is what runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from autodialer.model import Campaign, CampaignState

MANAGER_ROLE = "manager"
PREPARER_ROLES = frozenset({"supervisor", "manager", "admin"})
"""Specialists prepare campaigns; the web's supervisor role is theirs."""


@dataclass(frozen=True)
class Actor:
    """Who changes a campaign, with their roles, and from where (for the audit log)."""

    login: str
    roles: frozenset[str]
    source: str


class Action(StrEnum):
    EDIT = "edit"
    APPROVE = "approve"
    START = "start"
    PAUSE = "pause"
    STOP = "stop"


FROM_STATES: dict[Action, frozenset[CampaignState]] = {
    Action.EDIT: frozenset({CampaignState.DRAFT, CampaignState.APPROVED}),
    Action.APPROVE: frozenset({CampaignState.DRAFT}),
    Action.START: frozenset({CampaignState.APPROVED, CampaignState.PAUSED}),
    Action.PAUSE: frozenset({CampaignState.RUNNING}),
    Action.STOP: frozenset({CampaignState.APPROVED, CampaignState.RUNNING, CampaignState.PAUSED}),
}
TO_STATE: dict[Action, CampaignState] = {
    Action.EDIT: CampaignState.DRAFT,
    Action.APPROVE: CampaignState.APPROVED,
    Action.START: CampaignState.RUNNING,
    Action.PAUSE: CampaignState.PAUSED,
    Action.STOP: CampaignState.STOPPED,
}
DONE = {
    Action.EDIT: "edited",
    Action.APPROVE: "approved",
    Action.START: "started",
    Action.PAUSE: "paused",
    Action.STOP: "stopped",
}


class LifecycleError(ValueError):
    """A change of state that is not allowed; the message says why."""


def check_action(campaign: Campaign, action: Action, actor: Actor, now: datetime) -> CampaignState:
    """The state ``action`` leads to, or LifecycleError saying why it may not happen."""
    if campaign.state not in FROM_STATES[action]:
        allowed = ", ".join(sorted(state.value for state in FROM_STATES[action]))
        raise LifecycleError(
            f"campaign {campaign.id} is {campaign.state.value}: it can be "
            f"{DONE[action]} only when {allowed}"
        )
    login, roles = actor.login, actor.roles
    if action is Action.APPROVE:
        if MANAGER_ROLE not in roles:
            raise LifecycleError("only a manager approves a campaign (AD-3)")
        if login == campaign.created_by:
            raise LifecycleError(
                f"{login} prepared campaign {campaign.id}: another manager must approve it"
            )
        if campaign.targets == 0:
            raise LifecycleError(f"campaign {campaign.id} has nobody on its list")
    elif not PREPARER_ROLES & roles:
        raise LifecycleError(f"{login} may not {action.value} campaigns")
    if action is Action.START and now >= campaign.ends_at:
        raise LifecycleError(f"campaign {campaign.id} ended at {campaign.ends_at:%Y-%m-%d %H:%M}")
    return TO_STATE[action]
