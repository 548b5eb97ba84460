"""A real Asterisk in a temporary directory, configured from the project's asterisk-conf/.

The project's files are copied as they are; only what a test needs is changed at copy
time: the AMI port and the FastAGI address (free loopback ports), plus appended
test-only parts (a remote-controlled caller, an operator who answers, an AMI user that
may read AGI events). Everything else Asterisk needs to run unprivileged from the
temporary directory (asterisk.conf, modules.conf, logger.conf…) is written here.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
PROJECT_CONF = PROJECT / "asterisk-conf"
PROJECT_FILES = (
    "extensions.conf",
    "manager.conf",
    "queues.conf",
    "musiconhold.conf",
    "amd.conf",
)

OBSERVER_USER = "callgrid-test-observer"
OBSERVER_SECRET = "observer-only-in-tests"
OPERATOR_ANSWERS = "Local/op-answer@operators/n"
OPERATOR_TALK_SECONDS = 3
OPERATOR_SPEAKS = "Local/op-speaks@operators/n"
CAMPAIGN_CALLEE = "Local/{number}@campaign-callee"
"""The dial string of campaign tests: a customer who presses 0 during the message."""
CAMPAIGN_KEY_AFTER_SECONDS = 5
"""A member who answers and says something first (its words are in the recording)."""

NOLOAD = [
    "chan_pjsip.so",
    "res_pjsip.so",
    "res_pjproject.so",
    "chan_iax2.so",
    "chan_unistim.so",
    "chan_mgcp.so",
    "chan_skinny.so",
    "res_http_websocket.so",
    "res_ari.so",
    "res_stasis.so",
    "cdr_custom.so",
    "cdr_csv.so",
    "cdr_sqlite3_custom.so",
    "cel_custom.so",
    "cel_sqlite3_custom.so",
    "res_hep.so",
    "res_phoneprov.so",
    "res_smdi.so",
    "res_config_ldap.so",
    "res_config_pgsql.so",
    "res_config_sqlite3.so",
    "res_statsd.so",
    "res_prometheus.so",
    "app_voicemail.so",
    "res_pktccops.so",
    "pbx_dundi.so",
    "chan_websocket.so",
    "res_websocket_client.so",
]

TEST_CONTEXTS = f"""

; ---------------------------------------------------------------------------
; Appended by tests/asterisk (test-only, not part of the project's config).
; ---------------------------------------------------------------------------
; The simulated caller: the ";2" half of an AMI Originate of Local/s@caller-remote.
; The test sets CMD on it with AMI Setvar: dtmf:<digits> | play:<files> | hangup.
[caller-remote]
exten => s,1,Answer()
 same => n(loop),WaitForCondition(#,#["#{{CMD}}"!=""],600,0.02)
 same => n,GotoIf($["${{WAITFORCONDITIONSTATUS}}"!="TRUE"]?hang)
 same => n,Set(C=${{CMD}})
 same => n,Set(CMD=)
 same => n,GotoIf($["${{C}}"="hangup"]?hang)
 same => n,ExecIf($["${{CUT(C,:,1)}}"="dtmf"]?SendDTMF(${{CUT(C,:,2)}}))
 same => n,ExecIf($["${{CUT(C,:,1)}}"="play"]?Playback(${{CUT(C,:,2)}}))
 same => n,Goto(loop)
 same => n(hang),Hangup()

; A queue member who answers after a second of ringing, talks, then hangs up.
[operators]
exten => op-answer,1,NoOp(test operator answers)
 same => n,Ringing()
 same => n,Wait(1)
 same => n,Answer()
 same => n,Wait({OPERATOR_TALK_SECONDS})
 same => n,Hangup()
exten => op-speaks,1,NoOp(test operator answers and speaks)
 same => n,Ringing()
 same => n,Wait(1)
 same => n,Answer()
 same => n,Playback(${{CALLGRID_SOUNDS}}/callgrid-engine-down)
 same => n,Wait({OPERATOR_TALK_SECONDS})
 same => n,Hangup()

; A customer of a campaign call: answers, says a short word (a 0.5 s tone: AMD hears a
; person), listens, presses 0 during the message, then waits in the queue a while.
[campaign-callee]
exten => _X.,1,Answer()
 same => n,PlayTones(440)
 same => n,Wait(0.5)
 same => n,StopPlayTones()
 same => n,Wait({CAMPAIGN_KEY_AFTER_SECONDS})
 same => n,SendDTMF(0)
 same => n,Wait(6)
 same => n,Hangup()
"""

OBSERVER = f"""

; ---------------------------------------------------------------------------
; Appended by tests/asterisk: a read-only login that also sees AGIExec events.
; ---------------------------------------------------------------------------
[{OBSERVER_USER}]
secret = {OBSERVER_SECRET}
deny = 0.0.0.0/0.0.0.0
permit = 127.0.0.1/255.255.255.255
read = all
"""


class AsteriskError(RuntimeError):
    """Asterisk could not be configured, started or controlled."""


def _substitute(text: str, pattern: str, replacement: str, what: str) -> str:
    changed, count = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
    if count != 1:
        raise AsteriskError(f"asterisk-conf/{what}: pattern {pattern!r} not found, cannot adapt")
    return changed


@dataclass
class AsteriskRunner:
    binary: Path
    root: Path
    ami_port: int
    agi_port: int
    second_agi_port: int
    """Where the dialplan offers a call the first engine refused (CALLGRID_AGI_2)."""
    process: subprocess.Popen[bytes] | None = None

    @property
    def config(self) -> Path:
        return self.root / "asterisk.conf"

    @property
    def etc(self) -> Path:
        return self.root / "etc"

    @property
    def messages_log(self) -> Path:
        return self.root / "log" / "messages.log"

    @property
    def queue_log(self) -> Path:
        return self.root / "log" / "queue_log"

    @property
    def messages_dir(self) -> Path:
        return self.root / "messages"

    @property
    def recordings_dir(self) -> Path:
        return self.root / "recordings"

    @property
    def console_log(self) -> Path:
        return self.root / "console.out"

    # -- configuration -------------------------------------------------------------

    def prepare(self) -> None:
        for sub in ("etc", "lib", "db", "agi-bin", "spool", "run", "log", "messages"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        root = self.root
        self.config.write_text(
            "[directories]\n"
            f"astetcdir => {root}/etc\n"
            "astmoddir => /opt/asterisk/lib/asterisk/modules\n"
            f"astvarlibdir => {root}/lib\n"
            f"astdbdir => {root}/db\n"
            f"astkeydir => {root}\n"
            "astdatadir => /opt/asterisk/var/lib/asterisk\n"
            f"astagidir => {root}/agi-bin\n"
            f"astspooldir => {root}/spool\n"
            f"astrundir => {root}/run\n"
            f"astlogdir => {root}/log\n"
            f"astsbindir => {self.binary.parent}\n"
            "[options]\n"
            "verbose = 3\n"
            "nofork = yes\n"
            "quiet = yes\n"
            "transmit_silence = yes\n"
            "defaultlanguage = en\n"
        )
        etc = self.etc
        (etc / "modules.conf").write_text(
            "[modules]\nautoload = yes\n" + "".join(f"noload => {m}\n" for m in NOLOAD)
        )
        (etc / "cdr.conf").write_text("[general]\nenable = no\n")
        (etc / "cel.conf").write_text("[general]\nenable = no\n")
        (etc / "features.conf").write_text("[general]\n")
        (etc / "logger.conf").write_text(
            "[general]\ndateformat = %F %T.%3q\n"
            "[logfiles]\nmessages.log => notice,warning,error,verbose\n"
        )
        for name in PROJECT_FILES:
            shutil.copyfile(PROJECT_CONF / name, etc / name)
        self._adapt("extensions.conf", self._extensions)
        self._adapt("manager.conf", self._manager)

    def _adapt(self, name: str, change: Callable[[str], str]) -> None:
        path = self.etc / name
        path.write_text(change(path.read_text()))

    def _extensions(self, text: str) -> str:
        text = _substitute(
            text,
            r"^(\s*CALLGRID_AGI_1\s*=>?\s*)agi://[^\s;]+",
            rf"\g<1>agi://127.0.0.1:{self.agi_port}",
            "extensions.conf [globals] CALLGRID_AGI_1",
        )
        text = _substitute(
            text,
            r"^(\s*CALLGRID_AGI_2\s*=>?)[^\n;]*",
            rf"\g<1> agi://127.0.0.1:{self.second_agi_port}",
            "extensions.conf [globals] CALLGRID_AGI_2",
        )
        text = _substitute(
            text,
            r"^(\s*CALLGRID_SOUNDS\s*=>?)[^\n;]*",
            rf"\g<1> {PROJECT_CONF / 'sounds'}",
            "extensions.conf [globals] CALLGRID_SOUNDS",
        )
        text = _substitute(
            text,
            r"^(\s*CALLGRID_MESSAGES\s*=>?)[^\n;]*",
            rf"\g<1> {self.messages_dir}",
            "extensions.conf [globals] CALLGRID_MESSAGES",
        )
        text = _substitute(
            text,
            r"^(\s*CALLGRID_RECORDINGS\s*=>?)[^\n;]*",
            rf"\g<1> {self.recordings_dir}",
            "extensions.conf [globals] CALLGRID_RECORDINGS",
        )
        return text + TEST_CONTEXTS

    def _manager(self, text: str) -> str:
        text = _substitute(
            text, r"^(\s*port\s*=\s*)\d+", rf"\g<1>{self.ami_port}", "manager.conf port"
        )
        if not re.search(r"^\s*bindaddr\s*=\s*127\.0\.0\.1\s*$", text, flags=re.MULTILINE):
            raise AsteriskError("asterisk-conf/manager.conf: bindaddr is not 127.0.0.1")
        return text + OBSERVER

    # -- process -------------------------------------------------------------------

    def start(self, boot_timeout: float = 60.0) -> None:
        self.prepare()
        with self.console_log.open("wb") as console:
            self.process = subprocess.Popen(
                [str(self.binary), "-C", str(self.config), "-f", "-n", "-q"],
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=subprocess.STDOUT,
                cwd=self.root,
                start_new_session=True,
            )
        deadline = time.monotonic() + boot_timeout
        while True:
            if self.process.poll() is not None:
                raise AsteriskError(
                    f"Asterisk exited during start-up with code {self.process.returncode}\n"
                    + self.log_tail()
                )
            try:
                done = self.rx(
                    "core waitfullybooted", timeout=max(1.0, deadline - time.monotonic())
                )
            except AsteriskError:
                done = None
            if done is not None:
                break
            if time.monotonic() > deadline:
                self.stop()
                raise AsteriskError(
                    f"Asterisk not fully booted within {boot_timeout:g} s\n" + self.log_tail()
                )
            time.sleep(0.2)
        self.rx("agi set debug on")

    def rx(self, command: str, timeout: float = 15.0) -> str:
        """Run a CLI command through the remote console; its output."""
        try:
            done = subprocess.run(
                [str(self.binary), "-C", str(self.config), "-rx", command],
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise AsteriskError(f"asterisk -rx {command!r}: no answer in {timeout:g} s") from None
        output = done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace")
        if done.returncode != 0 or "Unable to connect to remote asterisk" in output:
            raise AsteriskError(f"asterisk -rx {command!r} failed ({done.returncode}): {output}")
        return output

    def stop(self, timeout: float = 20.0) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(AsteriskError):
            self.rx("core stop now", timeout=timeout)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)

    # -- logs ----------------------------------------------------------------------

    def log_size(self) -> int:
        return self.messages_log.stat().st_size if self.messages_log.exists() else 0

    def log_since(self, offset: int) -> list[str]:
        if not self.messages_log.exists():
            return []
        with self.messages_log.open("rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", errors="replace").splitlines()

    def log_tail(self, lines: int = 60) -> str:
        parts = []
        for path in (self.messages_log, self.console_log):
            if path.exists():
                text = path.read_text(encoding="utf-8", errors="replace").splitlines()
                parts.append(f"--- {path} (last {lines} lines) ---\n" + "\n".join(text[-lines:]))
        return "\n".join(parts) or f"(no Asterisk log in {self.root})"

    def agi_wire(self, channel: str, offset: int = 0) -> list[str]:
        """The FastAGI lines of one channel, from ``agi set debug on`` in the messages log.

        ``>>`` is what the engine sent (Asterisk's ``AGI Rx``), ``<<`` what Asterisk
        answered (``AGI Tx``), as in the reference transcripts.
        """
        wire = []
        tag = f"<{channel}>AGI "
        for line in self.log_since(offset):
            at = line.find(tag)
            if at < 0:
                continue
            rest = line[at + len(tag) :]
            if rest.startswith("Rx << "):
                wire.append(">> " + rest[6:])
            elif rest.startswith("Tx >> "):
                wire.append("<< " + rest[6:])
        return wire
