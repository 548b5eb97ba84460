"""Single FastAGI lines, any text at all: a reply is read, or refused as not FastAGI.

``parse_success`` refusing with ValueError is what makes the call close as out of step;
any other exception escaped the telephony layer and reached the call flow as a failure
of the engine (the defects these regressions pin down).
"""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from telephony.agi import AgiCall, AgiProtocolError, FastAgiServer
from telephony.agi.replies import digit_from_code, parse_success, reply_code
from tests.fuzz import tally
from tests.fuzz.agi_peer import environment_lines

REPLY_LINES = st.one_of(
    st.text(max_size=40),
    st.builds(
        "".join,
        st.lists(
            st.sampled_from(
                [
                    *("200", " ", "result=", "-", "9", "0", "*", "#", "²", "٣", "(", ")", "x"),
                    *("endpos=", "(timeout)", "HANGUP", "520", "511", "\x00", "\ud800"),
                ]
            ),
            max_size=12,
        ),
    ),
)


def read_reply(line: str) -> tuple[int | None, str | None]:
    """The code and the key of one line, as :class:`AgiCall` reads them."""
    code = reply_code(line)
    if code != 200:
        return code, None
    try:
        reply = parse_success(line)
    except ValueError:
        return code, None
    return code, digit_from_code(reply.number)


def test_any_reply_line_is_read_or_refused_as_not_fastagi() -> None:
    lines: list[str] = []

    @seed(tally.SEED)
    @settings(max_examples=600, deadline=None, database=None)
    @given(line=REPLY_LINES)
    def check(line: str) -> None:
        lines.append(line)
        code, key = read_reply(line)
        assert code is None or 100 <= code <= 999
        assert key is None or key in "0123456789*#ABCD"

    check()
    count = tally.tried("fastagi-reply-lines", len(lines))
    assert lines, count


@pytest.mark.parametrize(
    "line",
    [
        "200 result=" + "9" * 5000,  # int() refuses more than 4,300 digits
        "200 result=²",  # a digit to str.isdigit, not to int()
        "200 result=1 endpos=" + "9" * 5000,
        "200 result=٣٥",
    ],
)
def test_a_result_that_is_no_number_nor_keys_is_not_fastagi(line: str) -> None:
    with pytest.raises(ValueError, match=r"result|unexpected text"):
        parse_success(line)


@pytest.mark.parametrize("line", ["²00 result=1", "20", "2", "٣٠٠ x"])
def test_a_code_that_is_not_three_ascii_digits_is_no_code(line: str) -> None:
    assert reply_code(line) is None


@pytest.mark.parametrize("code", [128, 0x110000, 10**30, -(10**30)])
def test_a_key_code_beyond_ascii_is_no_key(code: int) -> None:
    assert digit_from_code(code) is None


def test_the_shapes_asterisk_sends_still_read() -> None:
    assert parse_success("200 result=*0").result == "*0"
    assert parse_success("200 result=-2").number == -2
    assert parse_success("200 result= (timeout)").data == "timeout"
    assert digit_from_code(parse_success("200 result=53 endpos=17760").number) == "5"
    assert reply_code("520-Invalid command syntax.  Proper usage follows:") == 520


async def test_a_huge_key_code_in_a_prompt_reply_plays_on() -> None:
    """``200 result=1114112`` to STREAM FILE made ``chr()`` fail inside the call."""
    outcome: list[object] = []

    async def handler(call: AgiCall) -> None:
        try:
            outcome.append(await call.play(["welcome"]))
            outcome.append(await call.get_variable("X"))
        except AgiProtocolError as error:
            outcome.append(error)

    server = FastAgiServer({"ivr": handler}, port=0)
    await server.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write("".join(f"{line}\n" for line in [*environment_lines("1.1"), ""]).encode())
        assert (await reader.readline()).startswith(b"STREAM FILE welcome")
        writer.write(b"200 result=1114112 endpos=80\n")
        assert (await reader.readline()).startswith(b"GET VARIABLE X")
        writer.write("200 result=²\n".encode())
        assert await reader.read() == b"", "a result that is not FastAGI closes the call"
        writer.close()
        await server.drained(5)
    finally:
        await server.stop()
    assert outcome[0] is None and isinstance(outcome[1], AgiProtocolError)
