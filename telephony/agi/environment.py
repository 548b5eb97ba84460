"""The ``agi_*`` environment block Asterisk sends when a FastAGI call starts."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl


@dataclass(frozen=True)
class AgiEnvironment:
    """The variables of one call, as Asterisk sent them (``agi_`` prefix removed)."""

    variables: dict[str, str]
    script: str = ""
    query: dict[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ()

    def get(self, name: str, default: str = "") -> str:
        return self.variables.get(name, default)

    @property
    def channel(self) -> str:
        return self.get("channel")

    @property
    def uniqueid(self) -> str:
        return self.get("uniqueid")

    @property
    def caller_id(self) -> str:
        value = self.get("callerid")
        return "" if value == "unknown" else value

    @property
    def caller_name(self) -> str:
        value = self.get("calleridname")
        return "" if value == "unknown" else value

    @property
    def dialled_number(self) -> str:
        """The number the caller dialled: ``?line=`` in the script, else DNID, else extension."""
        for candidate in (self.query.get("line", ""), self.get("dnid"), self.get("extension")):
            if candidate and candidate != "unknown":
                return candidate
        return ""

    @property
    def engine_address(self) -> str:
        """The ``agi://host:port`` the dialplan reached this engine at (from
        ``agi_request``); empty when Asterisk did not say."""
        request = self.get("request")
        if not request.startswith("agi://"):
            return ""
        address = request.removeprefix("agi://").partition("/")[0]
        return f"agi://{address}" if address else ""

    @property
    def language(self) -> str:
        return self.get("language", "en")


def parse_environment(lines: list[str]) -> AgiEnvironment:
    """Build the environment from its ``name: value`` lines (the blank line excluded).

    The script name keeps Asterisk's query string (``env?foo=bar``); it is split here.
    ``agi_arg_N`` are 1-based and may be empty.
    """
    variables: dict[str, str] = {}
    for line in lines:
        name, sep, value = line.partition(": ")
        if not sep:
            name, value = line.rstrip(":"), ""
        variables[name.removeprefix("agi_")] = value
    script_and_query = variables.get("network_script", "")
    script, _, query_text = script_and_query.partition("?")
    args = []
    index = 1
    while f"arg_{index}" in variables:
        args.append(variables[f"arg_{index}"])
        index += 1
    return AgiEnvironment(
        variables=variables,
        script=script,
        query=dict(parse_qsl(query_text, keep_blank_values=True)),
        args=tuple(args),
    )
