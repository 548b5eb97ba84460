"""The login an operator's queue interface names."""

from __future__ import annotations

import pytest

from telephony.interfaces import operator_login


@pytest.mark.parametrize(
    ("interface", "login"),
    [
        ("PJSIP/petrova", "petrova"),
        ("Local/Petrova@operators/n", "petrova"),
        ("Local/olga@callgrid-test-transfer/n", "olga"),
        ("SIP/ivanov/100", "ivanov"),
        ("petrova", "petrova"),
        ("", ""),
        (None, ""),
    ],
)
def test_the_login_is_the_interfaces_resource_without_context_or_options(
    interface: str | None, login: str
) -> None:
    assert operator_login(interface) == login
