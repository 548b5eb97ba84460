"""How Asterisk reads an AGI command line, and the replies it writes back."""

from __future__ import annotations

import re

# The usage texts Asterisk 22.10.1 sends after ``520-Invalid command syntax.``; the raw
# documentation markup is kept, as Asterisk sends it.
USAGE = {
    "STREAM FILE": [
        "Send the given file, allowing playback to be interrupted by the given digits, if any. "
        "Returns <literal>0</literal> if playback completes without a digit being pressed, or "
        "the ASCII numerical value of the digit if one was pressed, or <literal>-1</literal> on "
        "error or if the channel was disconnected. If musiconhold is playing before calling "
        "stream file it will be automatically stopped and will not be restarted after "
        "completion.",
        "It sets the following channel variables upon completion:",
        "<variable>PLAYBACKSTATUS</variable>: The status of the playback attempt as a text string.",
        "    <value>SUCCESS</value>",
        "    <value>FAILED</value>",
    ],
    "GET DATA": [
        "Stream the given <replaceable>file</replaceable>, and receive DTMF data.",
        "Returns the digits received from the channel at the other end.",
    ],
    "WAIT FOR DIGIT": [
        "Waits up to <replaceable>timeout</replaceable> milliseconds for channel to receive a "
        "DTMF digit. Returns <literal>-1</literal> on channel failure, <literal>0</literal> if no "
        "digit is received in the timeout, or the numerical value of the ascii of the digit if "
        "one is received. Use <literal>-1</literal> for the <replaceable>timeout</replaceable> "
        "value if you desire the call to block indefinitely.",
    ],
    "SAY NUMBER": [
        "Say a given number, returning early if any of the given DTMF digits are received on "
        "the channel.  Returns <literal>0</literal> if playback completes without a digit being "
        "pressed, or the ASCII numerical value of the digit if one was pressed or "
        "<literal>-1</literal> on error/hangup.",
    ],
    "RECORD FILE": [
        "Record to a file until a given dtmf digit in the sequence is received. Returns "
        "<literal>-1</literal> on hangup or error.  The format will specify what kind of file "
        "will be recorded. The <replaceable>timeout</replaceable> is the maximum record time in "
        "milliseconds, or <literal>-1</literal> for no <replaceable>timeout</replaceable>. "
        "<replaceable>offset samples</replaceable> is optional, and, if provided, will seek to "
        "the offset without exceeding the end of the file. <replaceable>beep</replaceable> can "
        "take any value, and causes Asterisk to play a beep to the channel that is about to be "
        "recorded. <replaceable>silence</replaceable> is the number of seconds of silence "
        "allowed before the function returns despite the lack of dtmf digits or reaching "
        "<replaceable>timeout</replaceable>. <replaceable>silence</replaceable> value must be "
        "preceded by <literal>s=</literal> and is also optional.",
    ],
    "EXEC": [
        "Executes <replaceable>application</replaceable> with given "
        "<replaceable>options</replaceable>.",
        "Returns whatever the <replaceable>application</replaceable> returns, or "
        "<literal>-2</literal> on failure to find <replaceable>application</replaceable>.",
        "<note>NOTE:</note> exec does not evaluate dialplan functions and variables unless it is "
        "explicitly enabled by setting the <variable>AGIEXECFULL</variable> variable to "
        "<literal>yes</literal>.",
    ],
}

INVALID = "510 Invalid or unknown command"
DEAD = "511 Command Not Permitted on a dead channel or intercept routine"


def usage_reply(command: str) -> list[str]:
    """The multi-line 520 reply Asterisk gives to a command with the wrong arguments."""
    text = USAGE.get(command, ["Usage: see the Asterisk documentation for " + command + "."])
    return ["520-Invalid command syntax.  Proper usage follows:", *text, "520 End of proper usage."]


_TOKEN = re.compile(r'[^ \t"\\]+|[ \t]+|"|\\.?', re.DOTALL)
"""A run of ordinary characters, a run of blanks, a quote, or a backslash with the
character it makes literal."""


def split_arguments(line: str) -> list[str]:
    """Split a command line into words as Asterisk 22's res_agi.c ``parse_args`` does.

    Space and tab separate words; double quotes group them (an opening quote starts a
    word, so ``""`` is an empty one); a backslash, inside quotes or not, makes the next
    character literal and is itself dropped. The line is read in runs (:data:`_TOKEN`),
    not a character at a time: every command the emulator answers passes here.
    """
    words: list[str] = []
    current: list[str] | None = None  # None between words
    quoted = False
    for token in _TOKEN.findall(line):
        first = token[0]
        if first == '"':
            quoted = not quoted
            if quoted and current is None:
                current = []
        elif first in " \t" and not quoted:
            if current is not None:
                words.append("".join(current))
                current = None
        elif first == "\\" and len(token) == 1:
            continue  # a backslash ending the line escapes nothing
        else:
            if current is None:
                current = []
            current.append(token[1] if first == "\\" else token)
    if current is not None:
        words.append("".join(current))
    return words


def success(result: str | int, data: str | None = None, endpos: int | None = None) -> str:
    line = f"200 result={result}"
    if data is not None:
        line += f" ({data})"
    if endpos is not None:
        line += f" endpos={endpos}"
    return line
