"""Menu navigation decisions, without any I/O: every rule, and random key sequences."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ivr.content import IvrContent
from ivr.menu import MenuTree
from ivr.navigator import (
    Goodbye,
    Inform,
    Key,
    MenuInput,
    Navigator,
    NoInput,
    RunAction,
    ShowMenu,
    Step,
    ToOperator,
)


def _tree(content: IvrContent) -> MenuTree:
    return content.trees["88002224902"]


def test_starts_on_the_main_menu_with_the_short_prompt(ivr_content: IvrContent) -> None:
    navigator = Navigator(_tree(ivr_content))
    step = navigator.start()
    assert step == ShowMenu(_tree(ivr_content).root, full=False)


def test_operator_is_reachable_with_zero_from_every_level(ivr_content: IvrContent) -> None:
    for keys in ([], ["4"], ["4", "1"], ["4", "1", "2"]):
        navigator = Navigator(_tree(ivr_content))
        navigator.start()
        for key in keys:
            assert isinstance(navigator.handle(Key(key)), ShowMenu)
        step = navigator.handle(Key("0"))
        assert isinstance(step, ToOperator) and step.node.queue == "operators"
        assert navigator.path[-1] == "operator"


def test_star_goes_back_exactly_one_level(ivr_content: IvrContent) -> None:
    navigator = Navigator(_tree(ivr_content))
    navigator.start()
    for key in ("4", "1", "2"):
        navigator.handle(Key(key))
    assert [n.id for n in navigator.stack] == ["main", "reference", "tariffs", "zone_tariffs"]
    step = navigator.handle(Key("*"))
    assert isinstance(step, ShowMenu) and step.node.id == "tariffs" and not step.full


def test_wrong_key_and_silence_repeat_with_the_full_prompt_then_operator(
    ivr_content: IvrContent,
) -> None:
    navigator = Navigator(_tree(ivr_content), max_retries=2)
    navigator.start()
    assert navigator.handle(Key("9")) == ShowMenu(
        navigator.current, full=True, after_wrong_key=True
    )
    assert navigator.handle(NoInput()) == ShowMenu(navigator.current, full=True)
    step = navigator.handle(NoInput())
    assert isinstance(step, ToOperator) and step.because_no_choice


def test_a_good_choice_resets_the_retries(ivr_content: IvrContent) -> None:
    navigator = Navigator(_tree(ivr_content), max_retries=2)
    navigator.start()
    navigator.handle(NoInput())
    navigator.handle(NoInput())
    navigator.handle(Key("2"))
    assert navigator.handle(NoInput()) == ShowMenu(navigator.current, full=True)


def test_leaves_set_the_topic(ivr_content: IvrContent) -> None:
    navigator = Navigator(_tree(ivr_content))
    navigator.start()
    navigator.handle(Key("2"))
    assert isinstance(navigator.handle(Key("1")), Inform)
    assert navigator.call_topic == "Способы оплаты"
    assert isinstance(navigator.handle(Key("*")), ShowMenu)
    assert isinstance(navigator.handle(Key("*")), ShowMenu)
    assert isinstance(navigator.handle(Key("5")), RunAction)
    assert navigator.call_topic == "Обратный звонок"


inputs = st.lists(
    st.one_of(st.sampled_from("0123456789*#").map(Key), st.just(NoInput())), max_size=60
)


@settings(max_examples=300, deadline=None)
@given(choices=inputs)
def test_any_sequence_of_inputs_keeps_the_caller_inside_the_standard(
    ivr_content: IvrContent, choices: list[MenuInput]
) -> None:
    """Whatever is pressed: never deeper than 4 menus, never dropped, always a next step."""
    tree = _tree(ivr_content)
    navigator = Navigator(tree, max_retries=2, max_silent_rounds=2)
    step: Step = navigator.start()
    operator_offers_since_a_key = 0
    for choice in choices:
        if isinstance(step, Goodbye):
            break
        if not isinstance(step, ShowMenu):
            step = navigator.back_to_menu()
        if isinstance(choice, Key):
            operator_offers_since_a_key = 0
        step = navigator.handle(choice)
        assert 1 <= len(navigator.stack) <= 4
        assert navigator.stack[0] is tree.root
        if isinstance(step, ShowMenu):
            assert step.node is navigator.current
        if isinstance(step, ToOperator) and step.because_no_choice:
            operator_offers_since_a_key += 1
        if isinstance(step, Goodbye):  # only a caller silent through every operator offer
            assert isinstance(choice, NoInput) and operator_offers_since_a_key >= 2
        if isinstance(choice, Key) and choice.key == "0":
            assert isinstance(step, ToOperator)
