"""Preparing a campaign: the scenario measured, the list checked all-or-nothing,
approval by another manager, the dry run before launch (AD-2, AD-3, AD-7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from autodialer.lifecycle import Action, Actor, LifecycleError
from autodialer.lists import ListError
from autodialer.model import CampaignState, MessageChannel
from autodialer.storage import CampaignError
from callgrid.database import Database
from customers.model import Consent
from tests.autodialer.campaign_fixtures import (
    MANAGER,
    PREPARER,
    account,
    add_customers,
    draft,
    parts_for,
)
from tests.autodialer.test_dialing_turns import TOMSK_MORNING
from worktime.clock import ManualClock


async def test_a_list_file_with_bad_rows_stores_nothing_and_names_every_row(
    database: Database, tmp_path: Path
) -> None:
    clock = ManualClock(TOMSK_MORNING)
    parts = parts_for(database, clock)
    await add_customers(database, [account(1), account(2)], clock())
    listed = tmp_path / "list.csv"
    listed.write_text(
        "Лицевой счёт;Телефон;Дата ограничения\n"
        "7000000001;+7 913 000-00-01;2027-01-10\n"
        "7000000009;;\n"
        "7000000002;not a phone;31.01.2027\n"
        "7000000001;;\n",
        encoding="utf-8",
    )

    with pytest.raises(ListError) as refused:
        await parts.service.prepare(draft(clock()), None, listed, PREPARER)

    problems = {(p.row, p.column) for p in refused.value.problems}
    assert problems == {
        (3, "account"),
        (4, "phone"),
        (4, "restriction_date"),
        (5, "account"),
    }
    assert await parts.campaigns.all() == []


async def test_only_another_manager_approves_and_an_edit_needs_approval_again(
    database: Database,
) -> None:
    clock = ManualClock(TOMSK_MORNING)
    parts = parts_for(database, clock)
    await add_customers(database, [account(1)], clock())
    campaign = await parts.service.prepare(draft(clock()), "all", None, MANAGER)

    assert campaign.scenario.speech_seconds is not None
    assert 5 < campaign.scenario.speech_seconds <= 60
    with pytest.raises(LifecycleError, match="another manager"):
        await parts.service.act(campaign.id, Action.APPROVE, MANAGER)
    with pytest.raises(LifecycleError, match="only a manager"):
        await parts.service.act(campaign.id, Action.APPROVE, PREPARER)
    other = Actor("olga", frozenset({"manager"}), "test")
    approved = await parts.service.act(campaign.id, Action.APPROVE, other)
    assert (approved.state, approved.approved_by) == (CampaignState.APPROVED, "olga")

    edited = await parts.service.prepare(
        draft(clock(), lines=5), None, None, MANAGER, campaign_id=campaign.id
    )
    assert (edited.state, edited.approved_by, edited.line_limit) == (
        CampaignState.DRAFT,
        None,
        5,
    )
    with pytest.raises(LifecycleError, match="only when approved, paused"):
        await parts.service.act(campaign.id, Action.START, MANAGER)
    await parts.service.act(campaign.id, Action.APPROVE, other)
    sent_back = await parts.service.act(campaign.id, Action.EDIT, MANAGER)
    assert (sent_back.state, sent_back.approved_by, sent_back.approved_at) == (
        CampaignState.DRAFT,
        None,
        None,
    ), "a campaign sent back to draft needs a new approval"


async def test_a_message_longer_than_a_minute_is_refused(database: Database) -> None:
    clock = ManualClock(TOMSK_MORNING)
    parts = parts_for(database, clock)
    await add_customers(database, [account(1)], clock())
    long_text = " ".join(["Задолженность по лицевому счёту {account} составляет {debt}."] * 9)

    with pytest.raises(CampaignError, match="at most 60 s"):
        await parts.service.prepare(draft(clock(), text=long_text), "all", None, PREPARER)
    with pytest.raises(CampaignError, match=r"\{name\} is not a value"):
        await parts.service.prepare(
            draft(clock(), text="Здравствуйте, {name}"), "all", None, PREPARER
        )


async def test_the_dry_run_counts_who_each_channel_reaches(database: Database) -> None:
    clock = ManualClock(TOMSK_MORNING)
    parts = parts_for(database, clock)
    records = [account(n) for n in range(1, 9)]
    records += [account(9, consent=Consent(phone_info=True)), account(10, phone="", email="")]
    await add_customers(database, records, clock())
    channels = (MessageChannel.PHONE, MessageChannel.SMS, MessageChannel.EMAIL)
    campaign = await parts.service.prepare(
        draft(clock(), channels=channels, lines=1, days=1), "all", None, PREPARER
    )

    run = await parts.service.dry_run(campaign.id)

    by_channel = {forecast.channel: forecast for forecast in run.channels}
    assert run.targets == 10
    assert by_channel[MessageChannel.PHONE].reachable == 9  # debt: no consent needed
    assert by_channel[MessageChannel.PHONE].skipped == {"no_address": 1}
    assert by_channel[MessageChannel.SMS].reachable == 8
    assert by_channel[MessageChannel.SMS].skipped == {"no_consent": 1, "no_address": 1}
    assert (by_channel[MessageChannel.SMS].segments, by_channel[MessageChannel.SMS].encoding) == (
        1,
        "ucs2",
    )
    assert by_channel[MessageChannel.EMAIL].skipped == {"no_consent": 1, "no_address": 1}
    assert by_channel[MessageChannel.PHONE].days == 1
