"""Who may find, hear and hold which recording (PD-1), and which request of the audio
counts as one listening: pure decisions, no I/O.

A supervisor reaches every recording; an operator only those of their own calls (the
index keeps a call's operator as a login, ``telephony.interfaces.operator_login``, which
is the operator's web login), and those a supervisor granted them. An admin reads the
audit log, not the recordings; dispatch reaches none.
"""

from __future__ import annotations

import re

from callgrid.web.users import Role, User
from recordings.model import Recording

LISTENERS = frozenset({Role.SUPERVISOR, Role.OPERATOR})
FIRST_RANGE_START = re.compile(r"\s*bytes\s*=\s*(\d*)\s*-")


def sees_every_recording(user: User) -> bool:
    return Role.SUPERVISOR in user.roles


def may_search(user: User) -> bool:
    """Whether the user may open the recordings list at all (an operator's shows only
    their own calls)."""
    return user.has_any(LISTENERS)


def may_listen(user: User, recording: Recording) -> bool:
    """Whether the user may see, hear and download this recording."""
    if sees_every_recording(user):
        return True
    if Role.OPERATOR not in user.roles:
        return False
    own = recording.operator
    return (bool(own) and own == user.login) or user.login in recording.granted_to


def may_hold(user: User) -> bool:
    """Holding a recording past its term (and releasing it), or letting an operator hear
    it, is a supervisor's call."""
    return Role.SUPERVISOR in user.roles


def starts_playback(range_header: str | None) -> bool:
    """Whether a request for the audio begins a listening: no ``Range``, or one from
    byte 0. The player's later range requests (seeking, buffering) are the same
    listening; a header that is no byte range counts, so doubt never hides an access."""
    if not range_header:
        return True
    found = FIRST_RANGE_START.match(range_header)
    if found is None:
        return True
    start = found.group(1)
    return start != "" and int(start) == 0
