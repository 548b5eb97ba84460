"""The sentences the IVR builds around a caller's own numbers, in Russian.

Every number is written out in words here (:mod:`prompts.russian_numbers`), because
the speech engine's own reading of digits breaks Russian agreement.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from callcenter.outages import Outage, OutageKind
from customers.model import Account, Zone
from customers.reading_rules import Refusal
from prompts.russian_numbers import (
    cardinal,
    date_phrase,
    kilowatt_hours,
    money,
    quantity,
    reading,
    time_phrase,
)
from worktime.clock import local_date

ZONE_NAMES = {
    Zone.TOTAL: "единый тариф",
    Zone.DAY: "дневная зона",
    Zone.NIGHT: "ночная зона",
    Zone.PEAK: "пиковая зона",
    Zone.SEMIPEAK: "полупиковая зона",
}
ZONE_INPUT_NAMES = {
    Zone.TOTAL: "показания счётчика",
    Zone.DAY: "показания дневной зоны",
    Zone.NIGHT: "показания ночной зоны",
    Zone.PEAK: "показания пиковой зоны",
    Zone.SEMIPEAK: "показания полупиковой зоны",
}


def last_readings(
    values: dict[Zone, tuple[int, datetime]], zones: tuple[Zone, ...], timezone: ZoneInfo
) -> str:
    """'Последние принятые показания от …: дневная зона — …; ночная зона — ….', dated
    in ``timezone``."""
    known = [(zone, values[zone]) for zone in zones if zone in values]
    if not known:
        return "Принятых показаний по этому счётчику ещё нет."
    taken = local_date(max(when for _, (_, when) in known), timezone)
    parts = [f"{ZONE_NAMES[zone]} — {reading(value)}" for zone, (value, _) in known]
    return (
        f"Последние принятые показания от {date_phrase(taken, case='genitive')}: "
        + "; ".join(parts)
        + "."
    )


def enter_zone(zone: Zone, by_voice: bool = False) -> str:
    verb = "Назовите или введите" if by_voice else "Введите"
    return (
        f"{verb} {ZONE_INPUT_NAMES[zone]}, только целую часть; на клавиатуре в конце нажмите "
        "решётку. Чтобы вернуться назад, нажмите звёздочку."
    )


def refusal(reason: Refusal, limit: int | None, verification_due: date | None = None) -> str:
    """Why a reading was not taken, in words the caller understands (IVR-9)."""
    if reason is Refusal.VERIFICATION_EXPIRED:
        when = (
            f" {date_phrase(verification_due, with_year=True, case='genitive')}"
            if verification_due
            else ""
        )
        return (
            f"Показания не могут быть приняты: срок поверки счётчика истёк{when}. "
            "Обратитесь в сетевую организацию для поверки или замены прибора учёта."
        )
    if reason is Refusal.NO_DIGITS:
        return "Показания не введены."
    if reason is Refusal.TOO_MANY_DIGITS:
        count = quantity(limit or 0, "цифру", "цифры", "цифр", gender="f")
        return f"Показания не приняты: ваш счётчик показывает не больше чем {count} до запятой."
    if reason is Refusal.LOWER_THAN_LAST:
        return (
            "Показания не приняты: они меньше последних принятых, "
            f"{reading(limit or 0)}. Проверьте показания и введите их снова."
        )
    return (
        "Показания не приняты: расход получается слишком большим, больше чем "
        f"{kilowatt_hours(limit or 0)} с прошлой передачи. Проверьте показания."
    )


def read_back(values: dict[Zone, int]) -> str:
    parts = [f"{ZONE_NAMES[zone]} — {reading(value)}" for zone, value in values.items()]
    return "Вы передали: " + "; ".join(parts) + "."


def already_today(zone: Zone, existing: int) -> str:
    return (
        f"Сегодня уже приняты показания: {ZONE_NAMES[zone]} — {reading(existing)}. "
        "Чтобы заменить их новыми, нажмите один. Чтобы оставить прежние, нажмите два."
    )


def debt(account: Account) -> str:
    """The debt, its due date and the last payment (IVR-12)."""
    if account.debt <= Decimal(0):
        text = "Задолженности по вашему лицевому счёту нет."
        if account.debt < 0:
            text += f" Переплата составляет {money(-account.debt)}."
    else:
        text = f"Задолженность по вашему лицевому счёту составляет {money(account.debt)}."
        if account.due_date is not None:
            text += f" Оплатить нужно до {date_phrase(account.due_date, case='genitive')}."
    if account.last_payment_amount is not None and account.last_payment_date is not None:
        text += (
            f" Последний платёж, {money(account.last_payment_amount)}, внесён "
            f"{date_phrase(account.last_payment_date, case='genitive')}."
        )
    return text


def outages(area: str, current: list[Outage], timezone: ZoneInfo) -> list[str]:
    """Each outage in the area: planned or emergency, cause, when supply comes back.

    One phrase an outage (the area named in the first), so that however many there are,
    each stays within a phrase's limits.
    """
    if not current:
        return [f"Отключений в районе «{area}» сейчас нет."]
    parts = []
    for outage in current:
        kind = "Плановое" if outage.kind is OutageKind.PLANNED else "Аварийное"
        back = outage.restore_at.astimezone(timezone)
        parts.append(
            f"{kind} отключение: {outage.cause}. Электроснабжение планируется восстановить "
            f"{date_phrase(back.date(), case='genitive')} в {time_phrase(back.time())}."
        )
    parts[0] = f"{area}. {parts[0]}"
    return parts


def area_choice(areas: list[str]) -> str:
    """'Кировский район — нажмите один. …' for up to seven areas."""
    return " ".join(f"{area} — нажмите {cardinal(number)}." for number, area in enumerate(areas, 1))
