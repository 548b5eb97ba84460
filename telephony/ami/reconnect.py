"""How the AMI client retries: the backoff, and the words for why it is not logged in."""

from __future__ import annotations

from telephony.ami.errors import AmiAuthError


def backoff(failures: int, minimum: float, maximum: float) -> float:
    """Seconds to wait after ``failures`` failures in a row: doubling, capped."""
    return float(min(maximum, minimum * 2 ** max(failures - 1, 0)))


def failure_reason(error: BaseException) -> str:
    """A short, stable description of a failed connect and login, for ``last_error``.

    Stable, so that a failure repeating at every retry is logged once, not each time.
    """
    if isinstance(error, AmiAuthError):
        return f"login refused: {error.reason}"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, TimeoutError):
        return "timed out"
    return str(error) or type(error).__name__


def check_settings(port: int, reconnect_min: float, reconnect_max: float) -> None:
    """Raise ValueError, naming the setting, for settings the client cannot work with."""
    if not 0 < port < 65536:
        raise ValueError(f"AMI port {port} is not a TCP port (1-65535)")
    if not 0 < reconnect_min <= reconnect_max:
        raise ValueError(
            f"AMI reconnect backoff: reconnect_min={reconnect_min} must be > 0 and "
            f"<= reconnect_max={reconnect_max}"
        )
