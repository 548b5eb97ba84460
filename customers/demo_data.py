"""Synthetic customers of a Tomsk electricity retailer, for demos and load tests.

Deterministic: the same ``n``, ``seed`` and ``today`` give the same records. Account
numbers carry the seed (households 7SS…, businesses 5SS…, then the running index), so
runs with different seeds can share one database.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from customers.account_import import COLUMNS, READING_COLUMNS, NewAccount
from customers.identifiers import inn_check_digits, ogrn_check_digit
from customers.model import ZONE_SETS, Account, Channel, Consent, CustomerKind, Meter, Reading
from worktime.clock import local_zone

MAX_ACCOUNTS = 10**7  # account numbers hold seven digits of the running index
VERIFICATION_YEARS = 16


def _words(text: str, separator: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(separator))


_MALE = _words(
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов \
Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров \
Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кудрявцев \
Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин Виноградов \
Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов \
Богданов Осипов Сидоров Матвеев Титов Марков Миронов Крылов Куликов Карпов Власов Мельников \
Денисов Гаврилов Тихонов Казаков Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов \
Мартынов Ефимов Федотов Щербаков Назаров Калинин Исаев Чернышёв Быков Маслов Родионов Коновалов \
Лазарев Воронин Климов Филатов Пономарёв Голубев Кузьмин Прохоров Наумов Потапов Журавлёв \
Овчинников Трофимов Леонов Соболев Ермаков Колесников Гончаров Емельянов Никифоров Грачёв \
Котов Гришин Ефремов Архипов Громов Кириллов Малышев Панов Моисеев Румянцев Акимов Кондратьев \
Бирюков Горбунов Анисимов Ерёмин Тихомиров Галкин Лукьянов Михеев Скворцов Юдин Белоусов \
Нестеров Симонов Прокофьев Харитонов Князев Цветков Левин Митрофанов Воронов Аксёнов Софронов \
Мальцев Логинов Горшков Савин Краснов Майоров Демидов Елисеев Рыбаков Сафонов Плотников \
Демин Хохлов Жданов Ситников Вершинин Троицкий Полянский Вознесенский Рождественский"
)
_MALE_NAMES = _words(
    "Александр Алексей Андрей Антон Артём Борис Вадим Валерий Василий Виктор Виталий \
Владимир Владислав Геннадий Георгий Григорий Денис Дмитрий Евгений Егор Иван Игорь Илья Кирилл \
Константин Леонид Максим Михаил Никита Николай Олег Павел Пётр Роман Руслан Семён Сергей \
Станислав Степан Тимофей Фёдор Юрий Ярослав"
)
_FEMALE_NAMES = _words(
    "Александра Алёна Алина Анастасия Анна Валентина Валерия Вера Виктория Галина \
Дарья Евгения Екатерина Елена Елизавета Жанна Зинаида Ирина Кристина Ксения Лариса Любовь \
Людмила Маргарита Марина Мария Надежда Наталья Нина Оксана Ольга Полина Светлана Софья Тамара \
Татьяна Юлия Яна"
)
_PATRONYMICS = tuple(
    (male, male[:-3] + "вна")
    for male in _words(
        "Александрович Алексеевич Андреевич Борисович Васильевич Викторович \
Владимирович Геннадьевич Дмитриевич Евгеньевич Иванович Игоревич Михайлович Николаевич Олегович \
Павлович Петрович Сергеевич Юрьевич Анатольевич Валерьевич Степанович Фёдорович"
    )
)
_CITY_STREETS = {
    "Кировский район": "пр. Ленина|пр. Кирова|ул. Красноармейская|ул. Учебная|ул. Вершинина|\
ул. Савиных|ул. Киевская|ул. Студенческая|ул. Тверская|ул. Нахимова",
    "Ленинский район": "ул. Лебедева|ул. Профсоюзная|ул. Говорова|ул. Ивановского|\
ул. Карташова|ул. Розы Люксембург|ул. Войкова|ул. Смирнова|пер. Кооперативный",
    "Октябрьский район": "пр. Мира|Иркутский тракт|ул. Героев Чубаровцев|ул. Сибирская|\
ул. Пушкина|ул. Ивана Черных|ул. Бела Куна|ул. Клюева|Кольцевой проезд",
    "Советский район": "ул. Елизаровых|ул. Белинского|пр. Фрунзе|ул. Кулёва|ул. Льва Толстого|\
ул. Советская|ул. Алтайская|ул. 79 Гвардейской Дивизии|ул. Лыткина",
}
_SUBURBS = _words(
    "с. Богашёво|п. Светлый|с. Корнилово|с. Тимирязевское|д. Кисловка|с. Зоркальцево|\
п. Заречный|с. Калтай|с. Малиновка|п. Апрель|д. Лоскутово|с. Семилужки",
    "|",
)
_SUBURB_STREETS = _words(
    "ул. Советская|ул. Школьная|ул. Лесная|ул. Центральная|ул. Новая|\
ул. Садовая|ул. Береговая|пер. Солнечный",
    "|",
)
_FIRM_HEADS = _words("Сиб Том Обь Кедр Север Урман Тайга Енисей Васюган Чулым Нарым Ушайка")
_FIRM_TAILS = _words("Строй Торг Лес Энерго Агро Сервис Транс Пром Маркет Мед Пекарь Авто")
_LATIN = str.maketrans(
    dict(
        zip(
            "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
            _words("a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya"),
            strict=True,
        )
    )
    | {"-": ""}
)


def generate(n: int, seed: int, today: date | None = None) -> Iterator[NewAccount]:
    """``n`` accounts: 85 % households, 15 % businesses, each with one meter and readings."""
    if not 0 <= n <= MAX_ACCOUNTS:
        raise ValueError(f"between 0 and {MAX_ACCOUNTS} accounts, not {n}")
    rng, today = random.Random(seed), today or date.today()
    for index in range(n):
        business = rng.random() < 0.15
        account = (
            _business(rng, index, seed, today) if business else _household(rng, index, seed, today)
        )
        meter, readings = _meter(rng, today, business)
        yield NewAccount(account, meter, readings)


def _person(rng: random.Random) -> str:
    surname, (male, female) = rng.choice(_MALE), rng.choice(_PATRONYMICS)
    if rng.random() < 0.5:
        return f"{surname} {rng.choice(_MALE_NAMES)} {male}"
    surname = surname[:-2] + "ая" if surname.endswith("ий") else surname + "а"
    return f"{surname} {rng.choice(_FEMALE_NAMES)} {female}"


def _place(rng: random.Random, business: bool) -> tuple[str, str]:
    """An area and an address in it; one customer in seven lives outside the city."""
    building = f"д. {rng.randint(1, 180)}"
    if rng.random() < 0.14 and not business:
        settlement = rng.choice(_SUBURBS)
        return (
            "Томский район",
            f"Томский район, {settlement}, {rng.choice(_SUBURB_STREETS)}, {building}",
        )
    area = rng.choice(tuple(_CITY_STREETS))
    street = rng.choice(_words(_CITY_STREETS[area], "|"))
    unit = f"оф. {rng.randint(1, 40)}" if business else f"кв. {rng.randint(1, 220)}"
    if rng.random() < 0.1:
        unit = f"стр. {rng.randint(1, 5)}" if business else "частный дом"
    return area, f"г. Томск, {street}, {building}, {unit}"


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.75:
        return f"79{rng.randrange(10**9):09d}"
    return f"73822{rng.choice('4569')}{rng.randrange(10**5):05d}"


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    """Amounts cluster low with a long tail, as debts and payments do."""
    return Decimal(int((low + (high - low) * rng.random() ** 3) * 100)).scaleb(-2)


def _latin(text: str) -> str:
    return text.lower().translate(_LATIN).replace("-", "")


def _account(rng: random.Random, today: date, business: bool, **fields: Any) -> Account:
    """The account, with the contact, payment and consent details drawn here."""
    scale = 20 if business else 1
    phone = _phone(rng) if rng.random() < 0.92 else ""
    email = ""
    if rng.random() < (0.85 if business else 0.35):
        words = fields["name"].replace("«", "").replace("»", "").split()
        login = _latin(words[1] if business else words[0])
        domain = rng.choice(("mail.ru", "yandex.ru", "gmail.com", "sibmail.com"))
        email = f"info@{login}.ru" if business else f"{login}{rng.randrange(1, 999)}@{domain}"
    debt, due = Decimal("0.00"), None
    if rng.random() < 0.25:
        debt = _money(rng, 150 * scale, 15000 * scale)
        due = (today.replace(day=1) + timedelta(days=rng.choice((0, 40)))).replace(day=10)
    paid, paid_on = None, None
    if rng.random() < 0.85:
        paid, paid_on = (
            _money(rng, 300 * scale, 5000 * scale),
            today - timedelta(rng.randint(1, 60)),
        )
    consent = Consent(
        phone_info=rng.random() < 0.55,
        sms=phone.startswith("79") and rng.random() < 0.4,
        email=bool(email) and rng.random() < 0.6,
        cabinet=rng.random() < 0.7,
    )
    return Account(
        id=0,
        kind=CustomerKind.BUSINESS if business else CustomerKind.HOUSEHOLD,
        phone=phone,
        email=email,
        debt=debt,
        due_date=due,
        last_payment_amount=paid,
        last_payment_date=paid_on,
        vip=rng.random() < (0.03 if business else 0.002),
        consent=consent,
        **fields,
    )


def _household(rng: random.Random, index: int, seed: int, today: date) -> Account:
    area, address = _place(rng, business=False)
    number = f"7{seed % 100:02d}{index:07d}"
    return _account(rng, today, False, number=number, name=_person(rng), area=area, address=address)


def _business(rng: random.Random, index: int, seed: int, today: date) -> Account:
    area, address = _place(rng, business=True)
    number = f"5{seed % 100:02d}{index:07d}"
    year = f"{rng.randint(2, 24):02d}"
    if rng.random() < 0.3:  # a sole trader: 12-digit INN, 15-digit OGRNIP
        name = f"ИП {_person(rng)}"
        inn_body = f"70{rng.choice(('17', '14', '24'))}{rng.randrange(10**6):06d}"
        ogrn_body = f"3{year}70{rng.randrange(10**9):09d}"
    else:
        form = rng.choice(("ООО", "ООО", "ООО", "ООО", "ООО", "АО", "МУП"))
        name = f"{form} «{rng.choice(_FIRM_HEADS)}{rng.choice(_FIRM_TAILS).lower()}»"
        inn_body = f"70{rng.choice(('17', '14', '24', '21'))}{rng.randrange(10**5):05d}"
        ogrn_body = f"1{year}70{rng.randrange(10**7):07d}"
    return _account(
        rng,
        today,
        True,
        number=number,
        contract_number=number,
        name=name,
        area=area,
        address=address,
        inn=inn_body + inn_check_digits(inn_body),
        ogrn=ogrn_body + ogrn_check_digit(ogrn_body),
    )


def _meter(rng: random.Random, today: date, business: bool) -> tuple[Meter, tuple[Reading, ...]]:
    zones = ZONE_SETS[rng.choices((1, 2, 3), (0.6, 0.3, 0.1))[0]]
    digits = 6 if business or rng.random() < 0.4 else 5
    age_years = rng.uniform(16.1, 20) if rng.random() < 0.03 else rng.uniform(0.1, 15.5)
    installed = (today - timedelta(days=int(age_years * 365.25))).replace(day=rng.randint(1, 28))
    due = installed.replace(year=installed.year + VERIFICATION_YEARS)
    meter = Meter(0, 0, f"{rng.randrange(10**7, 10**10)}", zones, digits, due, installed)
    used = int(age_years * rng.uniform(1500, 4500) * (15 if business else 1))
    shares = {1: (1.0,), 2: (0.7, 0.3), 3: (0.35, 0.4, 0.25)}[len(zones)]
    taken = datetime.combine(
        today - timedelta(rng.randint(1, 40)), time(rng.randint(8, 21)), local_zone()
    )
    readings = tuple(
        Reading(0, zone, int(used * share) % 10**digits, taken, Channel.IMPORT)
        for zone, share in zip(zones, shares, strict=True)
    )
    return meter, readings


def as_row(record: NewAccount) -> dict[str, str]:
    """The record as one row of an import file."""
    account, meter, consent = record.account, record.meter, record.account.consent
    row = {
        "number": account.number, "kind": account.kind.value, "name": account.name,
        "area": account.area, "address": account.address, "phone": account.phone,
        "email": account.email, "inn": account.inn or "", "ogrn": account.ogrn or "",
        "contract_number": account.contract_number or "", "debt": str(account.debt),
        "due_date": str(account.due_date or ""),
        "last_payment_amount": str(account.last_payment_amount or ""),
        "last_payment_date": str(account.last_payment_date or ""), "vip": str(int(account.vip)),
        "consent_phone_info": str(int(consent.phone_info)), "consent_sms": str(int(consent.sms)),
        "consent_email": str(int(consent.email)), "consent_cabinet": str(int(consent.cabinet)),
    }  # fmt: skip
    if meter is not None:
        row |= {
            "meter_serial": meter.serial, "meter_zones": str(len(meter.zones)),
            "meter_digits": str(meter.digits),
            "meter_verification_due": meter.verification_due.isoformat(),
            "meter_installed_on": meter.installed_on.isoformat(),
        }  # fmt: skip
    for reading in record.last_readings:
        row[READING_COLUMNS[reading.zone]] = str(reading.value)
        row["last_reading_date"] = reading.taken_at.astimezone(local_zone()).date().isoformat()
    return {name: row.get(name, "") for name in COLUMNS}


def write_csv(records: Iterable[NewAccount], path: Path) -> int:
    """Write records as an import file (UTF-8, ``;``, as Russian Excel saves CSV)."""
    written = 0
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, COLUMNS, delimiter=";")
        writer.writeheader()
        for record in records:
            writer.writerow(as_row(record))
            written += 1
    return written
