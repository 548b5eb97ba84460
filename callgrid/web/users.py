"""Users of the web screens: logins, roles, passwords kept only as argon2id hashes."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from callgrid.database import Database
from callgrid.web.tables import SessionRow, UserRow
from worktime.clock import Clock

LOGIN_PATTERN = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")
MAX_DISPLAY_NAME = 128
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
"""Longer passwords are refused before hashing: a huge one would only cost CPU."""


class Role(StrEnum):
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    """Approves what supervisors prepare: campaigns (AD-3)."""
    ADMIN = "admin"
    DISPATCH = "dispatch"


ROLE_NAMES = frozenset(role.value for role in Role)


class UserError(ValueError):
    """A login, role or password that cannot be used; the message says why."""


@dataclass(frozen=True)
class User:
    id: int
    login: str
    display_name: str
    roles: frozenset[Role]
    active: bool

    def has_any(self, roles: Iterable[Role]) -> bool:
        return not self.roles.isdisjoint(roles)


def normal_login(login: str) -> str:
    """The stored form of a login (lower case), or UserError naming what is wrong."""
    normal = login.strip().lower()
    if not LOGIN_PATTERN.fullmatch(normal):
        shown = login if len(login) <= 40 else login[:39] + "…"
        raise UserError(
            f"login {shown!r}: use 1-64 letters a-z, digits and . _ @ -, starting with a "
            "letter or digit"
        )
    return normal


def normal_display_name(name: str, login: str) -> str:
    """The name shown on the pages (the login when none), or UserError saying why not."""
    shown = name.strip() or login
    if len(shown) > MAX_DISPLAY_NAME:
        raise UserError(f"the name must have at most {MAX_DISPLAY_NAME} characters")
    if not shown.isprintable():
        raise UserError(f"the name {shown[:40]!r} has a control character")
    return shown


def parse_roles(names: Iterable[str]) -> frozenset[Role]:
    roles = set()
    for name in names:
        try:
            roles.add(Role(name.strip().lower()))
        except ValueError:
            known = ", ".join(role.value for role in Role)
            raise UserError(f"unknown role {name!r}: the roles are {known}") from None
    if not roles:
        raise UserError("give at least one role")
    return frozenset(roles)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise UserError(f"the password must have at most {MAX_PASSWORD} characters")


def user_from_row(row: UserRow) -> User:
    roles = frozenset(Role(name) for name in row.roles if name in ROLE_NAMES)
    return User(row.id, row.login, row.display_name, roles, row.active)


class Users:
    """The user table. Hashing runs in a thread: argon2 takes ~0.1 s of CPU by design."""

    def __init__(self, database: Database, clock: Clock, hasher: PasswordHasher | None = None):
        self.database = database
        self.clock = clock
        self.hasher = hasher or PasswordHasher()
        self._unknown_user_hash = ""

    async def _hash(self, password: str) -> str:
        check_password(password)
        return await asyncio.to_thread(self.hasher.hash, password)

    async def add(
        self, login: str, password: str, roles: Iterable[str], display_name: str = ""
    ) -> User:
        login = normal_login(login)
        role_set = parse_roles(roles)
        row = UserRow(
            login=login,
            display_name=normal_display_name(display_name, login),
            password_hash=await self._hash(password),
            roles=sorted(role_set),
            active=True,
            created_at=self.clock(),
        )
        try:
            async with self.database.session() as session, session.begin():
                session.add(row)
        except IntegrityError:
            raise UserError(f"login {login!r} exists already") from None
        return user_from_row(row)

    async def find(self, login: str) -> User | None:
        async with self.database.session() as session:
            row = await session.scalar(select(UserRow).where(UserRow.login == login))
        return None if row is None else user_from_row(row)

    async def all(self) -> Sequence[User]:
        async with self.database.session() as session:
            rows = await session.scalars(select(UserRow).order_by(UserRow.login))
            return [user_from_row(row) for row in rows]

    async def verify(self, login: str, password: str) -> User | None:
        """The active user with this login and password, or None. An unknown login costs
        the same hashing time as a known one, so timing does not tell which logins exist."""
        if len(password) > MAX_PASSWORD:
            return None
        try:
            normal = normal_login(login)
        except UserError:
            normal = ""
        async with self.database.session() as session:
            row = await session.scalar(select(UserRow).where(UserRow.login == normal))
        if not self._unknown_user_hash:
            self._unknown_user_hash = await asyncio.to_thread(self.hasher.hash, "no such user")
        stored = row.password_hash if row is not None else self._unknown_user_hash
        try:
            await asyncio.to_thread(self.hasher.verify, stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None or not row.active:
            return None
        return user_from_row(row)

    async def set_password(self, login: str, password: str) -> None:
        """A new password; every session of the user ends."""
        await self._change(login, password_hash=await self._hash(password))

    async def disable(self, login: str) -> None:
        """The user can no longer sign in; every session of the user ends."""
        await self._change(login, active=False)

    async def _change(self, login: str, **values: object) -> None:
        login = normal_login(login)
        async with self.database.session() as session, session.begin():
            user_id = await session.scalar(select(UserRow.id).where(UserRow.login == login))
            if user_id is None:
                raise UserError(f"no user with login {login!r}")
            await session.execute(update(UserRow).where(UserRow.id == user_id).values(values))
            await session.execute(delete(SessionRow).where(SessionRow.user_id == user_id))
