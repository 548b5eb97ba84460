"""asterisk-conf/ must agree with what the engine expects of Asterisk."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

from callgrid.settings import Settings
from ivr.content import IvrContent

CONF = Path(__file__).resolve().parents[1] / "asterisk-conf"


def _sections(name: str) -> dict[str, dict[str, str]]:
    """Sections of an Asterisk .conf file (``[name](template)`` headers, ``=>`` lines)."""
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for raw in (CONF / name).read_text().splitlines():
        line = raw.split(";", 1)[0].strip()
        if not line:
            continue
        header = re.match(r"^\[([^\]]+)\]", line)
        if header:
            current = sections.setdefault(header.group(1), {})
            continue
        key, _, value = line.replace("=>", "=").partition("=")
        current[key.strip()] = value.strip()
    return sections


def test_every_queue_the_menus_use_exists_in_queues_conf(ivr_content: IvrContent) -> None:
    queues = set(_sections("queues.conf")) - {"general", "callgrid-queue"}
    used = {
        node.queue
        for tree in ivr_content.trees.values()
        for node in tree.nodes()
        if node.kind == "operator"
    }
    assert used <= queues, f"queues missing from asterisk-conf/queues.conf: {used - queues}"


def test_manager_conf_lets_the_engine_in_with_its_default_login() -> None:
    settings = Settings()
    manager = _sections("manager.conf")
    assert manager["general"]["enabled"] == "yes"
    assert int(manager["general"]["port"]) == settings.ami_port
    user = manager[settings.ami_username]
    assert user["secret"] == settings.ami_secret
    for permission in ("call", "agent", "originate", "reporting"):
        assert permission in user["read"] and permission in user["write"]


def test_dialplan_hands_inbound_calls_to_the_ivr_route() -> None:
    settings = Settings()
    text = (CONF / "extensions.conf").read_text()
    agi_base = re.search(r"CALLGRID_AGI = (agi://\S+)", text)
    assert agi_base is not None
    assert agi_base.group(1) == f"agi://{settings.agi_host}:{settings.agi_port}"
    lines = text.split("[callgrid-inbound]", 1)[1]
    assert "AGI(${CALLGRID_AGI}/ivr?line=${EXTEN})" in lines
    assert "Set(AGISIGHUP=yes)" in lines and "Set(AGIEXITONHANGUP=no)" in lines


def test_configs_are_well_formed_ini() -> None:
    for name in ("manager.conf", "musiconhold.conf"):
        parser = configparser.ConfigParser(strict=False, inline_comment_prefixes=(";",))
        parser.read_string((CONF / name).read_text())
        assert parser.sections()


def test_queues_tell_the_engine_who_answered() -> None:
    """Without setinterfacevar, Asterisk leaves MEMBERINTERFACE unset on the caller."""
    assert _sections("queues.conf")["callgrid-queue"]["setinterfacevar"] == "yes"
