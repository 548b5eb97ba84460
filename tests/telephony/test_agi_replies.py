"""FastAGI reply parsing, built from the lines a real Asterisk 22.10.1 sent."""

from __future__ import annotations

import pytest

from telephony.agi import parse_environment, parse_success
from telephony.agi.replies import digit_from_code, reply_code
from tests import transcripts

AGI_FILES = sorted(p.name for p in (transcripts.REFERENCE_DIR / "agi").glob("*.txt"))


@pytest.mark.parametrize("name", AGI_FILES)
def test_every_200_reply_in_the_transcripts_parses(name: str) -> None:
    for line in transcripts.from_asterisk(f"agi/{name}"):
        if line.startswith("200 "):
            reply = parse_success(line)
            assert reply.code == 200 and reply.text == line


@pytest.mark.parametrize(
    ("line", "result", "data", "endpos"),
    [
        ("200 result=53 endpos=17760", "53", None, 17760),  # STREAM FILE interrupted by '5'
        ("200 result=0 endpos=11360", "0", None, 11360),
        ("200 result=-1 endpos=0", "-1", None, 0),  # missing file, channel alive
        ("200 result=35 endpos=1720", "35", None, 1720),  # CONTROL STREAM FILE: ms
        ("200 result=1234", "1234", None, None),  # GET DATA: the digits themselves
        ("200 result= (timeout)", "", "timeout", None),  # nothing entered
        ("200 result=98 (timeout)", "98", "timeout", None),  # partial, then timeout
        ("200 result=", "", None, None),  # only '#'
        ("200 result=*0", "*0", None, None),  # '*' is an ordinary digit
        ("200 result=11298 (timeout) endpos=18880", "11298", "timeout", 18880),  # silence
        ("200 result=35 (dtmf) endpos=9760", "35", "dtmf", 9760),
        ("200 result=0 (timeout) endpos=0", "0", "timeout", 0),  # max time, no audio
        ("200 result=-1 (writefile)", "-1", "writefile", None),
        ("200 result=-1 (hangup) endpos=0", "-1", "hangup", 0),
        ("200 result=1 (a(b)c) d)", "1", "a(b)c) d", None),  # not escaped: up to the last )
        ("200 result=1 ()", "1", "", None),
        ("200 result=1 (привет мир)", "1", "привет мир", None),
        ('200 result=1 ("Ivan Petrov" <79001234567>)', "1", '"Ivan Petrov" <79001234567>', None),
        ("200 result=-2", "-2", None, None),  # EXEC of an unknown application
    ],
)
def test_reply_fields(line: str, result: str, data: str | None, endpos: int | None) -> None:
    # each of these lines is in a reference transcript
    assert any(line in transcripts.from_asterisk(f"agi/{name}") for name in AGI_FILES), (
        f"{line!r} is not from a transcript"
    )
    reply = parse_success(line)
    assert (reply.result, reply.data, reply.endpos) == (result, data, endpos)


def test_a_value_that_looks_like_endpos_stays_in_the_data() -> None:
    reply = parse_success("200 result=1 (x endpos=5)")
    assert reply.data == "x endpos=5" and reply.endpos is None


def test_error_codes_from_the_transcripts() -> None:
    lines = {line for name in AGI_FILES for line in transcripts.from_asterisk(f"agi/{name}")}
    assert reply_code("510 Invalid or unknown command") == 510
    assert reply_code("511 Command Not Permitted on a dead channel or intercept routine") == 511
    assert reply_code("520-Invalid command syntax.  Proper usage follows:") == 520
    assert reply_code("520 End of proper usage.") == 520
    assert reply_code("HANGUP") is None
    assert {"HANGUP", "510 Invalid or unknown command", "520 End of proper usage."} <= lines


@pytest.mark.parametrize(
    ("code", "key"), [(48, "0"), (53, "5"), (57, "9"), (35, "#"), (42, "*"), (0, None), (-1, None)]
)
def test_dtmf_ascii_codes(code: int, key: str | None) -> None:
    assert digit_from_code(code) == key


def test_environment_with_query_string_and_arguments() -> None:
    block = transcripts.environment("agi/agi-env.txt")
    assert block[0] == "agi_network: yes" and block[-1] == ""
    env = parse_environment(block[:-1])
    assert env.script == "env" and env.query == {"foo": "bar", "x": "1"}
    assert env.args == ("first", "second arg", "", "last=1")
    assert env.caller_id == "79001234567" and env.caller_name == "Ivan Petrov"
    assert env.get("accountcode") == "acct42" and env.get("priority") == "3"
    assert env.get("dnid") == "unknown" and env.dialled_number == "env"


def test_environment_in_russian_without_arguments() -> None:
    env = parse_environment(transcripts.environment("agi/agi-env-ru.txt")[:-1])
    assert env.language == "ru" and env.args == () and env.script == "env-ru"
    assert env.get("request") == "agi://127.0.0.1/env-ru"
