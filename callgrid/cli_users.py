"""The ``callgrid users`` commands: who may sign in to the web screens, with which roles.

Passwords are asked twice on a terminal or read from standard input
(``--password-stdin``), and are never printed or logged.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TextIO

from callgrid.database import Database
from callgrid.plugins import Commands
from callgrid.settings import Settings
from callgrid.web.audit import COMMAND_LINE, AuditLog
from callgrid.web.users import Role, UserError, Users
from worktime.clock import system_clock


def add_commands(commands: Commands) -> None:
    users = commands.add_parser("users", help="users of the web screens and their roles")
    users_commands = users.add_subparsers(dest="users_command", required=True)
    roles = ", ".join(role.value for role in Role)

    add = users_commands.add_parser("add", help="add a user who may sign in")
    add.add_argument("login", help="1-64 letters, digits and . _ @ - (stored in lower case)")
    add.add_argument(
        "--role", action="append", required=True, help=f"one of {roles}; repeat for several"
    )
    add.add_argument("--name", default="", help="the name shown on the pages (the login if none)")
    _password_option(add)
    add.set_defaults(run=_runner(_add))

    passwd = users_commands.add_parser("passwd", help="set a new password (signs the user out)")
    passwd.add_argument("login")
    _password_option(passwd)
    passwd.set_defaults(run=_runner(_passwd))

    listing = users_commands.add_parser("list", help="the users, their roles and whether active")
    listing.set_defaults(run=_runner(_list))

    disable = users_commands.add_parser("disable", help="stop a user signing in (signs out)")
    disable.add_argument("login")
    disable.set_defaults(run=_runner(_disable))


def _password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input instead of asking",
    )


def read_password(
    from_stdin: bool,
    stdin: TextIO | None = None,
    ask: Callable[[str], str] = getpass.getpass,
) -> str:
    stdin = sys.stdin if stdin is None else stdin
    if from_stdin:
        return stdin.readline().rstrip("\r\n")
    if not stdin.isatty():
        raise UserError("no terminal to ask the password on: give it with --password-stdin")
    password = ask("Password: ")
    if ask("Password again: ") != password:
        raise UserError("the two passwords differ; nothing was changed")
    return password


def _operator() -> str:
    """Who ran the command, for the audit log."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


Action = Callable[[argparse.Namespace, Users, AuditLog], Coroutine[Any, Any, None]]


def _runner(action: Action) -> Callable[[argparse.Namespace, Settings], int]:
    def run(args: argparse.Namespace, settings: Settings) -> int:
        async def with_database() -> None:
            database = Database(settings.database_url)
            try:
                await database.upgrade()
                await action(args, Users(database, system_clock), AuditLog(database, system_clock))
            finally:
                await database.close()

        try:
            asyncio.run(with_database())
        except UserError as error:
            print(f"callgrid users: {error}", file=sys.stderr)
            return 2
        return 0

    return run


async def _record(audit_log: AuditLog, action: str, login: str, **details: Any) -> None:
    await audit_log.record(
        action,
        actor=_operator(),
        source=COMMAND_LINE,
        subject_kind="user",
        subject_id=login,
        details=details,
    )


async def _add(args: argparse.Namespace, users: Users, audit_log: AuditLog) -> None:
    password = read_password(args.password_stdin)
    user = await users.add(args.login, password, args.role, args.name)
    await _record(audit_log, "user.added", user.login, roles=sorted(user.roles))
    print(f"added {user.login} ({', '.join(sorted(user.roles))})")


async def _passwd(args: argparse.Namespace, users: Users, audit_log: AuditLog) -> None:
    password = read_password(args.password_stdin)
    await users.set_password(args.login, password)
    await _record(audit_log, "user.password_set", args.login.strip().lower())
    print(f"new password set for {args.login.strip().lower()}; their sessions ended")


async def _disable(args: argparse.Namespace, users: Users, audit_log: AuditLog) -> None:
    await users.disable(args.login)
    await _record(audit_log, "user.disabled", args.login.strip().lower())
    print(f"disabled {args.login.strip().lower()}; their sessions ended")


async def _list(args: argparse.Namespace, users: Users, audit_log: AuditLog) -> None:
    found = await users.all()
    if not found:
        print("no users yet: add one with `callgrid users add LOGIN --role admin`")
        return
    width = max(len(user.login) for user in found)
    for user in found:
        state = "active" if user.active else "disabled"
        roles = ",".join(sorted(user.roles))
        print(f"{user.login:<{width}}  {state:<8}  {roles:<30}  {user.display_name}")
