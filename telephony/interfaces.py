"""What an operator's queue interface names."""

from __future__ import annotations


def operator_login(operator: str | None) -> str:
    """The login an operator's queue interface names — ``PJSIP/petrova``,
    ``Local/petrova@operators/n`` → ``petrova`` — which the engine keeps as the operator
    (recordings, queue stays, states, transfers, surveys)."""
    if not operator:
        return ""
    resource = operator.split("/", 1)[1] if "/" in operator else operator
    return resource.split("@", 1)[0].split("/", 1)[0].lower()
