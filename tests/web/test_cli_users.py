"""``callgrid users``: adding, listing and disabling the users of the web screens."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from callgrid.cli import main
from callgrid.database import Database
from callgrid.web.audit import AuditLog
from callgrid.web.users import Users
from tests.command import run_callgrid
from worktime.clock import system_clock

SECRET = "s3cret-enough"


def users_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str = ""
) -> int:
    """``callgrid users …`` in this process, its password on standard input."""
    monkeypatch.setenv("CALLGRID_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["users", *args])


async def stored(tmp_path: Path) -> tuple[Users, AuditLog, Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'var' / 'callgrid.db'}")
    return Users(database, system_clock), AuditLog(database, system_clock), database


def test_a_user_added_with_a_password_on_stdin_is_listed_and_can_sign_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    added = users_command(
        tmp_path,
        monkeypatch,
        "add",
        "Anna",
        "--role",
        "admin",
        "--role",
        "supervisor",
        "--name",
        "Anna Petrova",
        "--password-stdin",
        stdin=SECRET + "\n",
    )
    out = capsys.readouterr()
    assert added == 0, out.err
    assert out.out.strip() == "added anna (admin, supervisor)"
    assert SECRET not in out.out + out.err

    listing = run_callgrid(tmp_path, "users", "list")
    assert listing.returncode == 0, listing.stderr
    assert listing.stdout.split() == ["anna", "active", "admin,supervisor", "Anna", "Petrova"]

    async def check() -> None:
        users, audit_log, database = await stored(tmp_path)
        try:
            assert await users.verify("anna", SECRET) is not None
            assert await users.verify("anna", SECRET + "x") is None
            entries, _ = await audit_log.page(1, 10)
            assert [(e.action, e.subject_id, e.source) for e in entries] == [
                ("user.added", "anna", "command line")
            ]
        finally:
            await database.close()

    asyncio.run(check())


def test_a_disabled_user_is_listed_as_disabled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    users_command(
        tmp_path, monkeypatch, "add", "olga", "--role", "operator", "--password-stdin", stdin=SECRET
    )
    assert users_command(tmp_path, monkeypatch, "disable", "olga") == 0
    capsys.readouterr()
    assert users_command(tmp_path, monkeypatch, "list") == 0
    assert capsys.readouterr().out.split()[:3] == ["olga", "disabled", "operator"]


@pytest.mark.parametrize(
    ("args", "stdin", "reason"),
    [
        (["add", "olga", "--role", "boss", "--password-stdin"], SECRET, "unknown role 'boss'"),
        (["add", "olga", "--role", "operator", "--password-stdin"], "short", "at least 8"),
        (["add", "ol ga", "--role", "operator", "--password-stdin"], SECRET, "login 'ol ga'"),
        (["add", "", "--role", "operator", "--password-stdin"], SECRET, "login '': use 1-64"),
        (["add", "a" * 300, "--role", "operator", "--password-stdin"], SECRET, "use 1-64"),
        (
            ["add", "olga", "--role", "operator", "--name", "O" * 129, "--password-stdin"],
            SECRET,
            "the name must have at most 128 characters",
        ),
        (
            ["add", "olga", "--role", "operator", "--name", "Olga\x1b[2J", "--password-stdin"],
            SECRET,
            "has a control character",
        ),
        (["passwd", "nobody", "--password-stdin"], SECRET, "no user with login 'nobody'"),
        (["disable", "nobody"], "", "no user with login 'nobody'"),
    ],
)
def test_bad_input_is_refused_with_the_reason(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    stdin: str,
    reason: str,
) -> None:
    assert users_command(tmp_path, monkeypatch, *args, stdin=stdin) == 2
    assert reason in capsys.readouterr().err


def test_a_second_user_with_the_same_login_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["add", "olga", "--role", "operator", "--password-stdin"]
    assert users_command(tmp_path, monkeypatch, *args, stdin=SECRET) == 0
    assert users_command(tmp_path, monkeypatch, *args, stdin=SECRET) == 2
    assert "login 'olga' exists already" in capsys.readouterr().err


def test_without_a_terminal_the_password_must_come_on_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert users_command(tmp_path, monkeypatch, "add", "olga", "--role", "operator") == 2
    assert "--password-stdin" in capsys.readouterr().err
    assert users_command(tmp_path, monkeypatch, "list") == 0
    assert capsys.readouterr().out.startswith("no users yet")
