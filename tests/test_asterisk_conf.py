"""asterisk-conf/ must agree with what the engine expects of Asterisk."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

from callcenter.settings import CallcenterSettings
from callgrid.settings import Settings
from ivr.content import IvrContent
from telephony.dialplan import (
    AFTER_QUEUE_VARIABLE,
    HANDBACK_VARIABLE,
    HANGUP_EVENT,
    MESSAGE_EVENT,
    NO_ENGINE_EVENT,
    PARKED_BY_VARIABLE,
    QUEUE_VARIABLE,
    QUEUE_WAIT_VARIABLE,
    RESUME_PARAMETER,
    Resume,
)
from telephony.emulator.dialplan import MAX_OFFERS

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


def _context(name: str) -> str:
    """The lines of one dialplan context, comments dropped."""
    text = (CONF / "extensions.conf").read_text()
    body = text.split(f"\n[{name}]", 1)[1].split("\n[", 1)[0]
    return "\n".join(line.split(";", 1)[0].rstrip() for line in body.splitlines())


def test_dialplan_offers_inbound_calls_to_the_engines_in_turn() -> None:
    settings = Settings()
    text = (CONF / "extensions.conf").read_text()
    first = re.search(r"^CALLGRID_AGI_1 = (agi://\S+)", text, flags=re.MULTILINE)
    assert first is not None
    assert first.group(1) == f"agi://{settings.agi_host}:{settings.agi_port}"
    inbound = _context("callgrid-inbound")
    assert "Set(AGISIGHUP=yes)" in inbound and "Set(AGIEXITONHANGUP=no)" in inbound
    assert "Set(CALLGRID_REQUEST=ivr?line=${EXTEN})" in inbound
    engines = _context("callgrid-engines")
    assert "AGI(${address}/${ARG1})" in engines
    after_agi = engines.split("AGI(${address}/${ARG1})", 1)[1].splitlines()[1]
    assert '${AGISTATUS}"!="FAILURE"' in after_agi, "a refused engine must lead to the next"
    for index in (1, 2, 3):
        assert re.search(rf"^CALLGRID_AGI_{index} =", text, flags=re.MULTILINE)


def test_dialplan_and_engine_agree_on_hand_back_and_the_no_engine_marks() -> None:
    """The names in telephony/dialplan.py, and the emulator's model of the file."""
    inbound = _context("callgrid-inbound")
    assert f"Set({HANDBACK_VARIABLE}=)" in inbound
    assert f"${{{HANDBACK_VARIABLE}}}" in inbound
    assert f"&{RESUME_PARAMETER}=${{CALLGRID_RESUME}}" in inbound
    assert f"?{Resume.OPERATOR.value}:" in inbound, "a lost engine's caller goes on at operator"
    assert f"${{CALLGRID_OFFERS}}>{MAX_OFFERS}]" in inbound
    assert '"${GOSUB_RETVAL}"="none"]?callgrid-no-engine' in inbound
    assert "Hangup()" not in inbound.split("Gosub(", 1)[1].split("(done)", 1)[0], (
        "after AGI() a caller still on the line must never just be hung up"
    )
    no_engine = _context("callgrid-no-engine")
    for event in (NO_ENGINE_EVENT, MESSAGE_EVENT, HANGUP_EVENT):
        assert f",{event}," in no_engine
    assert re.search(r"Record\([^)]*,k?qk?\)", no_engine), "Record() must not ask for a beep"


def test_dialplan_and_engine_agree_on_the_queue_handoff() -> None:
    """The engine sets these and ends its session; the dialplan queues the caller and
    offers the after-queue request, live or from h (telephony/dialplan.py)."""
    inbound = _context("callgrid-inbound")
    assert f"Set({QUEUE_VARIABLE}=)" in inbound, "a stale queue must not queue again"
    assert f'"${{{QUEUE_VARIABLE}}}"!=""]?callgrid-queued,${{EXTEN}},1' in inbound
    queued = _context("callgrid-queued")
    assert f"Queue(${{{QUEUE_VARIABLE}}},c,,,${{{QUEUE_WAIT_VARIABLE}}})" in queued
    assert f"Set(CALLGRID_REQUEST=${{{AFTER_QUEUE_VARIABLE}}})" in queued
    assert "Goto(callgrid-inbound,${EXTEN},offer)" in queued
    hangup = queued.split("exten => h,", 1)[1]
    assert f"Gosub(callgrid-engines,s,1(${{{AFTER_QUEUE_VARIABLE}}}))" in hangup
    engines = _context("callgrid-engines")
    assert f"AGI(${{{PARKED_BY_VARIABLE}}}/${{ARG1}})" in engines, "the queuing engine first"


def test_a_campaign_call_put_through_is_queued_by_the_dialplan_too() -> None:
    campaign = _context("callgrid-campaign")
    main, hangup = campaign.split("exten => h,", 1)
    assert f'"${{{QUEUE_VARIABLE}}}"=""]?done' in main, "only a customer put through"
    assert f"Queue(${{{QUEUE_VARIABLE}}},c,,,${{{QUEUE_WAIT_VARIABLE}}})" in main
    assert f"Set({AFTER_QUEUE_VARIABLE}=)" in main, "else h would offer it a second time"
    assert f"Gosub(callgrid-engines,s,1(${{{AFTER_QUEUE_VARIABLE}}}))" in hangup


def test_sounds_the_dialplan_plays_are_shipped() -> None:
    no_engine = _context("callgrid-no-engine")
    played = re.findall(r"Playback\(\$\{CALLGRID_SOUNDS\}/([\w-]+)\)", no_engine)
    assert played == ["callgrid-engine-down", "callgrid-leave-message"]
    for name in played:
        assert (CONF / "sounds" / f"{name}.wav").is_file(), name


def test_configs_are_well_formed_ini() -> None:
    for name in ("manager.conf", "musiconhold.conf"):
        parser = configparser.ConfigParser(strict=False, inline_comment_prefixes=(";",))
        parser.read_string((CONF / name).read_text())
        assert parser.sections()


def test_queues_tell_the_engine_who_answered() -> None:
    """Without setinterfacevar, Asterisk leaves MEMBERINTERFACE unset on the caller."""
    assert _sections("queues.conf")["callgrid-queue"]["setinterfacevar"] == "yes"


def test_queues_wrap_up_a_few_seconds_while_the_after_call_work_pause_lands() -> None:
    """The engine pauses each member after a call (CC-2); app_queue's wrap-up of a few
    seconds keeps the member from being rung before that pause arrives, and the Ready
    on the desk is not held up much longer by it."""
    wrapup = int(_sections("queues.conf")["callgrid-queue"]["wrapuptime"])
    assert CallcenterSettings().after_call_work_pause
    assert 2 <= wrapup <= 10
