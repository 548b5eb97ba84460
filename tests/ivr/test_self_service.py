"""Self-service by phone, end to end through the emulator, on SQLite and PostgreSQL:
identification, readings, debt, outages, paid-service orders, the answering machine."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from callcenter.outages import Outage, OutageKind
from customers.account_import import NewAccount
from customers.model import Channel, Zone
from ivr.demo import BUSINESS, HOUSEHOLD
from ivr.demo import METER as TWO_ZONES
from prompts.render import BEEP
from telephony.emulator.caller import HangUp, Press, Speak, StaySilent
from tests.audio import tone_wav
from tests.conftest import RunningIvr
from tests.ivr.calls import place, played
from tests.ivr.self_service import (
    heard_texts,
    reading,
    seed_household,
    stored_readings,
)
from worktime.clock import ManualClock

TOMSK = ZoneInfo("Asia/Tomsk")


async def test_readings_by_keypad_are_read_back_and_stored_at_once(ivr: RunningIvr) -> None:
    account = await seed_household(ivr)
    channel, row = await place(ivr, "1 1 12345# 04567# 1 h")
    heard = heard_texts(channel)
    assert "identify_caller_id_offer-short" in heard
    assert any("Последние принятые показания от двадцать седьмого октября" in t for t in heard)
    assert any(
        "дневная зона — двенадцать тысяч триста сорок пять; ночная зона — четыре тысячи "
        "пятьсот шестьдесят семь" in t
        for t in heard
    )
    assert heard.index("readings_accepted-short") > heard.index("readings_confirm-short")
    stored = await stored_readings(ivr, account)
    assert {zone: r.value for zone, r in stored.items()} == {Zone.DAY: 12345, Zone.NIGHT: 4567}
    assert {r.channel for r in stored.values()} == {Channel.KEYPAD}
    assert {r.call_id for r in stored.values()} == {row.id}
    assert row.topic == "Показания" and row.outcome == "self_service"


async def test_a_wrong_reading_is_refused_with_the_reason_then_corrected(ivr: RunningIvr) -> None:
    account = await seed_household(ivr)
    channel, _ = await place(ivr, "1 1 11000# 12345# 04567# 1 h")
    assert any(
        "меньше последних принятых, двенадцать тысяч" in text for text in heard_texts(channel)
    )
    stored = await stored_readings(ivr, account)
    assert stored[Zone.DAY].value == 12345


async def test_too_many_refusals_store_nothing(ivr: RunningIvr) -> None:
    account = await seed_household(ivr)
    channel, _ = await place(ivr, "1 1 123456# 99999999# 11# h")
    assert "readings_not_taken-short" in played(channel)
    stored = await stored_readings(ivr, account)
    assert stored[Zone.DAY].value == 12000  # the imported one, untouched


async def test_hanging_up_right_after_confirming_stores_exactly_once(ivr: RunningIvr) -> None:
    account = await seed_household(ivr)
    await place(
        ivr,
        [
            Press("1"),
            Press("1"),
            Press("12345#"),
            Press("04567#"),
            Press("1"),
            HangUp(after=0.1, anywhere=True),
        ],
    )
    (meter,) = await ivr.customers.meters(account.id)
    assert [r.value for r in await ivr.customers.history(meter.id, Zone.DAY)] == [12345, 12000]


async def test_identification_by_account_number_when_the_phone_is_unknown(
    ivr: RunningIvr,
) -> None:
    account = await seed_household(ivr)
    channel, _ = await place(ivr, "1 123# 7012345678# 12345# 04567# 1 h", caller_id="79130000000")
    heard = played(channel)
    assert "identify_caller_id_offer-short" not in heard
    assert "identify_bad_account-short" in heard
    assert (await stored_readings(ivr, account))[Zone.NIGHT].value == 4567


async def test_a_caller_who_cannot_be_identified_goes_to_an_operator(ivr: RunningIvr) -> None:
    await seed_household(ivr)
    channel, row = await place(
        ivr, "1 1111111111# 2222222222# 3333333333#", caller_id="79130000000"
    )
    assert played(channel).count("identify_not_found-short") == 3
    assert "identify_failed-short" in played(channel)
    assert row.path[-1] == "operator" and row.outcome == "operator"


async def test_debt_is_spoken_after_identification_only(ivr: RunningIvr) -> None:
    await seed_household(ivr)
    channel, row = await place(ivr, "2 2 1 _ _ h")
    heard = heard_texts(channel)
    offer = heard.index("identify_caller_id_offer-short")
    debt = next(i for i, t in enumerate(heard) if "Задолженность" in t)
    assert offer < debt
    assert heard[debt] == (
        "Задолженность по вашему лицевому счёту составляет одна тысяча двести тридцать четыре "
        "рубля пятьдесят шесть копеек. Оплатить нужно до десятого декабря. Последний платёж, "
        "две тысячи сто рублей, внесён пятого ноября."
    )
    assert heard[debt + 1] == "debt_how_to_pay-short"
    assert row.topic == "Задолженность"


async def test_business_identifies_by_inn(ivr: RunningIvr) -> None:
    await seed_household(ivr)
    channel, _ = await place(ivr, "4 7017000027# 7017000026# h", dialled="3822630000")
    heard = heard_texts(channel)
    assert "identify_bad_inn-short" in heard
    assert any("пятьдесят восемь тысяч двести рублей" in text for text in heard)


async def test_outages_in_the_callers_area(ivr: RunningIvr, clock: ManualClock) -> None:
    await seed_household(ivr)
    await ivr.outages.add(
        Outage(
            "Кировский район",
            OutageKind.EMERGENCY,
            "повреждение кабельной линии",
            clock.now - timedelta(hours=1),
            datetime(2026, 11, 27, 11, 30, tzinfo=UTC),
        ),
        clock.now,
    )
    channel, row = await place(ivr, "3 2 1 1 _ h")
    heard = heard_texts(channel)
    assert any(
        "Аварийное отключение: повреждение кабельной линии. Электроснабжение планируется "
        "восстановить двадцать седьмого ноября в восемнадцать часов тридцать минут" in t
        for t in heard
    )
    assert row.topic == "Отключения в районе"


async def test_paid_service_order_is_due_to_the_executor_in_15_minutes(
    ivr: RunningIvr, clock: ManualClock
) -> None:
    channel, row = await place(ivr, "2 # 1 h", dialled="3822400100")
    assert "order_accepted-short" in played(channel)
    (task,) = await ivr.tasks.open_tasks("paid_service_order")
    assert (task.subject, task.phone, task.call_id) == ("Поверка счётчика", "79001234567", row.id)
    assert task.due_at == clock.now + timedelta(minutes=15)
    assert task.follow_up_due_at == clock.now + timedelta(days=3)


async def test_answering_machine_at_night_leaves_a_task_for_the_next_working_day(
    ivr: RunningIvr, clock: ManualClock, tmp_path: Path
) -> None:
    clock.now = datetime(2026, 11, 27, 23, 0, tzinfo=TOMSK)  # Friday night
    channel, row = await place(
        ivr, [Press("0"), Speak(tone_wav(tmp_path / "message.wav", seconds=4)), StaySilent()]
    )
    heard = played(channel)
    greeting = heard.index("am_greeting-short")
    assert heard[greeting + 1 : greeting + 3] == [BEEP, "am_thanks-short"]
    (task,) = await ivr.tasks.open_tasks("answering_machine")
    assert task.due_at == datetime(2026, 11, 30, 20, 0, tzinfo=TOMSK)  # Monday, end of day
    assert task.recording and task.recording.endswith(f"{row.id}.wav")
    assert row.outcome == "answering_machine"


async def test_an_odd_caller_id_only_skips_the_shortcut(ivr: RunningIvr) -> None:
    account = await seed_household(ivr)
    channel, row = await place(ivr, "1 7012345678# 12345# 04567# 1 h", caller_id="101")
    assert "identify_caller_id_offer-short" not in played(channel)
    assert (await stored_readings(ivr, account))[Zone.DAY].value == 12345
    assert row.outcome == "self_service"


async def test_business_identifies_by_ogrn(ivr: RunningIvr) -> None:
    from customers.identifiers import ogrn_check_digit

    ogrn = "102700000001" + ogrn_check_digit("102700000001")
    await ivr.customers.add_accounts(
        [NewAccount(replace(BUSINESS, number="X-1", ogrn=ogrn, inn="7017000026"))]
    )
    channel, _ = await place(ivr, f"4 {ogrn}# h", dialled="3822630000")
    assert any("пятьдесят восемь тысяч двести рублей" in t for t in heard_texts(channel))


async def test_an_imported_reading_is_read_back_with_its_local_date(ivr: RunningIvr) -> None:
    """Imported as of 20 November: stored at local midnight, 17:00 UTC on the 19th."""
    at_local_midnight = datetime(2026, 11, 20, tzinfo=TOMSK)
    await ivr.customers.add_accounts(
        [
            NewAccount(
                HOUSEHOLD,
                TWO_ZONES,
                (
                    reading(Zone.DAY, 12000, at_local_midnight),
                    reading(Zone.NIGHT, 4400, at_local_midnight),
                ),
            )
        ]
    )
    channel, _ = await place(ivr, "1 1 h")
    assert any(
        t.startswith("Последние принятые показания от двадцатого ноября:")
        for t in heard_texts(channel)
    )


async def test_a_reading_given_after_local_midnight_is_read_back_as_of_that_day(
    ivr: RunningIvr, clock: ManualClock
) -> None:
    await seed_household(ivr)
    clock.now = datetime(2026, 12, 1, 19, 37, tzinfo=UTC)  # 02:37 on 2 December in Tomsk
    await place(ivr, "1 1 12345# 04567# 1 h")
    channel, _ = await place(ivr, "1 1 h")
    assert any(
        t.startswith("Последние принятые показания от второго декабря:")
        for t in heard_texts(channel)
    )


async def test_a_vip_customer_waits_for_an_operator_ahead_of_the_others(ivr: RunningIvr) -> None:
    await ivr.customers.add_accounts([NewAccount(replace(HOUSEHOLD, vip=True), TWO_ZONES)])
    vip, _ = await place(ivr, "2 2 1 _ 0")
    stranger, _ = await place(ivr, "0", caller_id="79139999999")

    assert vip.model.variables.get("MEMBERINTERFACE"), "an operator took the call"
    assert vip.model.variables.get("QUEUE_PRIO") == "10"  # app_queue seats them first
    assert "QUEUE_PRIO" not in stranger.model.variables
