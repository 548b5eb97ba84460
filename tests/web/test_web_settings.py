"""The web's security numbers are engine settings, checked when the engine starts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callgrid.settings import Settings, SettingsError
from callgrid.web.sessions import WebPolicy


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("CALLGRID_WEB_SESSION_LIFETIME", "0", "must be between 60 and"),
        ("CALLGRID_WEB_SESSION_IDLE", "half an hour", "is not a number"),
        ("CALLGRID_WEB_SECURE_COOKIES", "maybe", "is not yes or no"),
        ("CALLGRID_WEB_SIGN_IN_FAILURES", "0", "must be between 1 and 1000"),
        ("CALLGRID_WEB_SIGN_IN_FAILURES", "2.5", "is not a whole number"),
        ("CALLGRID_WEB_SIGN_IN_WINDOW", "-900", "must be between 1 and"),
        ("CALLGRID_WEB_LIVE_INTERVAL", "0.01", "must be between 0.5 and 3600"),
    ],
)
def test_a_bad_web_setting_is_refused_naming_the_key(key: str, value: str, reason: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_environment({key: value})
    assert f"{key}={value!r}: {reason}" in str(refused.value)


def test_the_web_policy_is_read_from_the_settings() -> None:
    settings = Settings.from_environment(
        {
            "CALLGRID_WEB_SESSION_LIFETIME": "3600",
            "CALLGRID_WEB_SESSION_IDLE": "600",
            "CALLGRID_WEB_SECURE_COOKIES": "yes",
            "CALLGRID_WEB_SIGN_IN_FAILURES": "3",
            "CALLGRID_WEB_SIGN_IN_WINDOW": "60",
            "CALLGRID_WEB_LIVE_INTERVAL": "2",
        }
    )
    assert WebPolicy.of(settings) == WebPolicy(
        session_lifetime=timedelta(hours=1),
        session_idle=timedelta(minutes=10),
        secure_cookies=True,
        sign_in_failures=3,
        sign_in_window=timedelta(minutes=1),
        live_interval=2.0,
    )
