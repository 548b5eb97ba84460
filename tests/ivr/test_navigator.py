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


def _walked(content: IvrContent, *keys: str) -> Navigator:
    navigator = Navigator(_tree(content))
    navigator.start()
    for key in keys:
        step = navigator.handle(Key(key))
        if isinstance(step, Inform | RunAction):
            navigator.after_leaf(None)
    return navigator


def test_the_operator_is_the_topic_only_when_nothing_else_was_chosen(
    ivr_content: IvrContent,
) -> None:
    assert _walked(ivr_content, "0").call_topic == "Оператор"
    assert _walked(ivr_content, "2", "1", "0").call_topic == "Способы оплаты"
    assert _walked(ivr_content, "5", "0").call_topic == "Обратный звонок"
    assert _walked(ivr_content, "4", "1", "0").call_topic == "Тарифы"
    assert _walked(ivr_content, "4", "*", "0").call_topic == "Оператор"


def test_no_input_to_the_operator_keeps_the_topic_chosen(ivr_content: IvrContent) -> None:
    navigator = Navigator(_tree(ivr_content), max_retries=0)
    navigator.start()
    assert isinstance(navigator.handle(NoInput()), ToOperator)
    assert navigator.call_topic == "Оператор"
    chosen = _walked(ivr_content, "2", "3")
    chosen.max_retries = 0
    assert isinstance(chosen.handle(NoInput()), ToOperator)
    assert chosen.call_topic == "Последствия неоплаты"


def test_keys_that_leave_information_or_an_action_are_inputs(ivr_content: IvrContent) -> None:
    navigator = Navigator(_tree(ivr_content))
    navigator.start()
    navigator.handle(Key("2"))
    navigator.handle(Key("1"))
    assert navigator.after_leaf("*") == ShowMenu(navigator.current, full=False)
    assert navigator.current.id == "payments", "back to the menu of the information"
    assert isinstance(navigator.after_leaf("0"), ToOperator)
    assert navigator.inputs == ["2", "1", "*", "0"]


def test_a_call_handed_back_starts_at_the_operator(ivr_content: IvrContent) -> None:
    tree = _tree(ivr_content)
    navigator = Navigator(tree)
    assert navigator.start_at_operator() == ToOperator(tree.operator)
    assert navigator.path == ["operator"] and navigator.call_topic == "Оператор"
    assert navigator.back_to_menu() == ShowMenu(tree.root, full=False)
    assert navigator.path == ["operator", "main"]
