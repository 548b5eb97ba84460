"""Log lines name their call and show no customer number and no secret."""

from __future__ import annotations

import asyncio
import contextvars
import io
import json
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callgrid.cli import banner
from callgrid.database import Database
from callgrid.engine import Engine
from callgrid.logs import (
    _SECRET_VALUE,
    _URL_PASSWORD,
    HIDDEN,
    SecretRedactor,
    hide_secrets,
    log_handler,
    masked,
)
from callgrid.settings import Settings
from ivr.content import IvrContent
from telephony.agi.observation import CALL_ID
from tests.command import run_callgrid
from tests.conftest import running_ivr
from tests.ivr.calls import place
from worktime.clock import ManualClock

CALLER = "79001234567"
PASSWORD = "S3cretPw"


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """The root logger at DEBUG, written through the engine's log handler."""
    stream = io.StringIO()
    handler = log_handler("text", stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield logging.getLogger("callgrid.test"), stream
    root.removeHandler(handler)
    root.setLevel(level)


async def test_a_simulated_call_logs_its_call_id_and_no_full_caller_number(
    captured: tuple[logging.Logger, io.StringIO],
    ivr_content: IvrContent,
    clock: ManualClock,
    tmp_path: Path,
) -> None:
    _, stream = captured
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'callgrid.db'}")
    await database.upgrade()
    async with running_ivr(database, ivr_content, clock, tmp_path / "var") as ivr:
        channel, _ = await place(ivr, "0", caller_id=CALLER, caller_name="Иванов Иван")
    await database.close()
    lines = stream.getvalue().splitlines()
    call_lines = [line for line in lines if f" call={channel.uniqueid} " in line]
    assert any("FastAGI call from *******4567 to" in line for line in call_lines), lines
    assert not [line for line in lines if CALLER in line or "Иванов" in line]


def test_numbers_in_any_line_are_masked_but_a_uniqueid_is_not(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    log, stream = captured
    log.warning("caller %s, account %s, INN 7017123456, code 1234", CALLER, "7001234")
    log.warning("call 1764216000.42 on SIP/%s-00000001 ended", CALLER)
    # only this test's lines: a database an earlier test closed may still log its close
    first, second = [line for line in stream.getvalue().splitlines() if " callgrid.test " in line]
    assert first.endswith("caller *******4567, account *****34, INN ******3456, code 1234")
    assert "call 1764216000.42 on SIP/*******4567-" in second
    assert " call=- " in first, "outside a call"


def test_passwords_and_secrets_never_reach_a_log_line(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    log, stream = captured
    hide_secrets("ami-Secret-42")
    log.error("cannot reach postgresql+asyncpg://callgrid:%s@db.local/callgrid", PASSWORD)
    log.warning("Action: Login, Secret: %s; then password=%s", "hunter2", PASSWORD)
    log.warning("the AMI said ami-Secret-42 is wrong")
    try:
        raise ConnectionError(f"postgresql://u:{PASSWORD}@h/db refused")
    except ConnectionError:
        log.exception("database down")
    text = stream.getvalue()
    assert "postgresql+asyncpg://callgrid:***@db.local/callgrid" in text
    assert "Secret: ***; then password=***" in text
    assert "the AMI said *** is wrong" in text
    assert "postgresql://u:***@h/db refused" in text, "the traceback too"
    for secret in (PASSWORD, "hunter2", "ami-Secret-42"):
        assert secret not in text


class _CountsItsFormatting:
    def __init__(self) -> None:
        self.formatted = 0

    def __str__(self) -> str:
        self.formatted += 1
        return "value"


def test_a_line_is_formatted_once_and_not_at_all_below_the_level() -> None:
    stream = io.StringIO()
    log = logging.getLogger("callgrid.test.formatting")
    log.propagate = False  # only the engine's handler sees these lines
    handler = log_handler("text", stream)
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    argument = _CountsItsFormatting()
    try:
        log.info("shown: %s", argument)
        log.debug("hidden: %s", argument)
    finally:
        log.removeHandler(handler)
    assert argument.formatted == 1
    assert stream.getvalue().count("shown: value") == 1
    assert "hidden" not in stream.getvalue()


_LINE_PARTS = st.sampled_from(
    [
        " ",
        "a",
        "7",
        "@",
        ":",
        "/",
        "=",
        "'",
        '"',
        "://",
        "u:pw@",
        "x://h",
        "secret",
        "SECRET",
        "Password",
        "passwd",
        "PWD",
        "token",
        "ſecret",
        "\u212aey",
        "tocen",
        "pass word",
    ]
)


@given(st.lists(_LINE_PARTS, max_size=12).map("".join))
def test_secrets_are_hidden_in_any_line_as_the_patterns_alone_would_hide_them(
    line: str,
) -> None:
    patterns_alone = _SECRET_VALUE.sub(rf"\1\2{HIDDEN}", _URL_PASSWORD.sub(rf"\1{HIDDEN}@", line))
    assert SecretRedactor()(line) == patterns_alone


def test_json_lines_carry_the_call_id() -> None:
    stream = io.StringIO()
    log = logging.getLogger("callgrid.test.json")
    log.addHandler(log_handler("json", stream))
    log.propagate = False

    def during_a_call() -> None:
        CALL_ID.set("1764216000.9")
        log.warning("caller %s hung up", CALLER)

    contextvars.copy_context().run(during_a_call)
    line = json.loads(stream.getvalue())
    assert line["call"] == "1764216000.9"
    assert line["level"] == "WARNING" and line["logger"] == "callgrid.test.json"
    assert line["message"] == "caller *******4567 hung up"


def test_masked_hides_names_and_numbers_logged_on_purpose() -> None:
    assert str(masked("Петров Пётр Петрович")) == "П*** П*** П***"
    assert str(masked("7001234567")) == "******4567"
    assert f"{masked('SIP/7001-1')}" == "S***/**01-1"


def test_an_unknown_log_format_is_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALLGRID_LOG_FORMAT", "xml")
    result = run_callgrid(tmp_path, "tasks")
    assert result.returncode == 2
    assert "CALLGRID_LOG_FORMAT='xml' is not a log format: use text or json" in result.stderr


def test_the_banner_hides_the_database_password_in_the_url_and_the_query(
    tmp_path: Path,
) -> None:
    url = f"postgresql+asyncpg://callgrid:{PASSWORD}@db.local/callgrid?password={PASSWORD}"
    engine = Engine(Settings(var_dir=tmp_path, database_url=url, ami_enabled=False), parts=("ami",))
    text = banner(engine)
    assert PASSWORD not in text
    assert "callgrid:***@db.local/callgrid?password=***" in text
    assert "AMI off" in text


async def _serve(tmp_path: Path, database_url: str) -> AsyncIterator[str]:
    """``callgrid -v serve`` as a user starts it; yields its stdout lines, then stderr."""
    env = {
        **os.environ,
        "CALLGRID_VAR_DIR": str(tmp_path / "var"),
        "CALLGRID_DATABASE_URL": database_url,
        "CALLGRID_AMI_ENABLED": "no",
        "CALLGRID_WEB_PORT": "0",
    }
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "callgrid", "-v", "serve", "--only", "ami,web"),
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    errors = asyncio.create_task(process.stderr.read())  # read along: a full pipe blocks
    try:
        async with asyncio.timeout(60):
            while line := (await process.stdout.readline()).decode():
                yield line
                if line.startswith("callgrid serving"):
                    process.send_signal(signal.SIGTERM)
            yield (await errors).decode()
    finally:
        errors.cancel()
        if process.returncode is None:
            process.kill()
        await process.wait()


async def test_serve_shows_the_database_without_its_password(
    tmp_path: Path, postgres_url: str
) -> None:
    url = postgres_url.replace("://postgres@", f"://postgres:{PASSWORD}@")
    output = [chunk async for chunk in _serve(tmp_path, url)]
    text = "".join(output)
    assert any(line.startswith("callgrid serving") for line in output), text
    assert "AMI off" in text and "postgres:***@127.0.0.1" in text
    assert PASSWORD not in text


async def test_serve_that_cannot_reach_the_database_does_not_print_its_password(
    tmp_path: Path,
) -> None:
    url = f"postgresql+asyncpg://callgrid:{PASSWORD}@127.0.0.1:1/callgrid"
    text = "".join([chunk async for chunk in _serve(tmp_path, url)])
    assert "Connect call failed" in text or "refused" in text, text
    assert PASSWORD not in text
