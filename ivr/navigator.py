"""Where the caller is in the menu and what happens next: pure decisions, no I/O.

Rules: ``*`` goes back one level and ``0`` asks for an operator from anywhere (IVR-3);
``#``, a wrong key or no input repeat the level with the full prompt (IVR-5); after
the allowed retries the caller goes to the operator queue, never dropped (IVR-4).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ivr.menu import BACK_KEY, HELP_KEY, OPERATOR_KEY, MenuNode, MenuTree


@dataclass(frozen=True)
class Key:
    """A key pressed (or a keyword spoken and mapped to its key)."""

    key: str


@dataclass(frozen=True)
class NoInput:
    """The caller said and pressed nothing before the timeout."""


MenuInput = Key | NoInput


@dataclass(frozen=True)
class ShowMenu:
    node: MenuNode
    full: bool
    after_wrong_key: bool = False


@dataclass(frozen=True)
class Inform:
    node: MenuNode


@dataclass(frozen=True)
class RunAction:
    node: MenuNode


@dataclass(frozen=True)
class ToOperator:
    node: MenuNode
    because_no_choice: bool = False


@dataclass(frozen=True)
class Goodbye:
    """The caller has given no input for so long that the line is taken as gone."""


Step = ShowMenu | Inform | RunAction | ToOperator | Goodbye


@dataclass
class Navigator:
    tree: MenuTree
    max_retries: int = 2
    max_silent_rounds: int = 2
    stack: list[MenuNode] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    retries: int = 0
    silent_rounds: int = 0
    topic: str | None = None

    def start(self) -> Step:
        self.stack = [self.tree.root]
        self.path = [self.tree.root.id]
        return ShowMenu(self.tree.root, full=False)

    def start_at_operator(self) -> Step:
        """A call another engine handed back goes on at the operator, not the menu; the
        main menu is where the caller is if no operator takes them."""
        self.stack = [self.tree.root]
        self.path = []
        return self._enter(self.tree.operator)

    @property
    def current(self) -> MenuNode:
        return self.stack[-1]

    def handle(self, choice: MenuInput) -> Step:
        menu = self.current
        if isinstance(choice, NoInput):
            self.inputs.append("-")
            return self._retry(menu, wrong_key=False)
        self.inputs.append(choice.key)
        self.silent_rounds = 0
        if choice.key == OPERATOR_KEY:
            return self._enter(self.tree.operator)
        if choice.key == BACK_KEY:
            self.retries = 0
            if len(self.stack) > 1:
                self.stack.pop()
                self.path.append(self.current.id)
            return ShowMenu(self.current, full=False)
        if choice.key == HELP_KEY:
            return ShowMenu(menu, full=True)
        node = menu.items.get(choice.key)
        if node is None:
            return self._retry(menu, wrong_key=True)
        return self._enter(node)

    def _enter(self, node: MenuNode) -> Step:
        self.retries = 0
        self.path.append(node.id)
        if node.kind == "menu":
            self.stack.append(node)
            return ShowMenu(node, full=False)
        self._choose_topic(node)
        if node.kind == "info":
            return Inform(node)
        if node.kind == "action":
            return RunAction(node)
        return ToOperator(node)

    def _retry(self, menu: MenuNode, wrong_key: bool) -> Step:
        self.retries += 1
        if self.retries <= self.max_retries:
            return ShowMenu(menu, full=True, after_wrong_key=wrong_key)
        self.retries = 0
        if not wrong_key:
            self.silent_rounds += 1
            if self.silent_rounds > self.max_silent_rounds:
                return Goodbye()
        return self.to_operator()

    def _choose_topic(self, node: MenuNode) -> None:
        """A service reached is what the call is about. The operator is the topic only
        when the caller chose none before (``0`` or no input on the main menu): asking
        for an operator about a service, or inside a submenu, keeps what was chosen."""
        if node is not self.tree.operator:
            self.topic = node.topic
        elif self.topic is None:
            menu = self.stack[-1] if self.stack else self.tree.root
            self.topic = node.topic if menu is self.tree.root else menu.topic

    def to_operator(self) -> Step:
        """No choice could be had, or an action gave up: an operator takes the caller."""
        self.path.append(self.tree.operator.id)
        self._choose_topic(self.tree.operator)
        return ToOperator(self.tree.operator, because_no_choice=True)

    def after_leaf(self, key: str | None) -> Step:
        """After information or an action, which the caller may have left with ``key``:
        ``0`` reaches an operator, ``*`` (or nothing) is the menu again; either key is
        kept in the inputs like a menu key."""
        if key == OPERATOR_KEY:
            return self.handle(Key(key))
        if key is not None:
            self.inputs.append(key)
            self.silent_rounds = 0
        return self.back_to_menu()

    def back_to_menu(self) -> Step:
        """After information, an action or an unanswered operator queue: the menu again."""
        if self.path[-1] != self.current.id:
            self.path.append(self.current.id)
        return ShowMenu(self.current, full=False)

    @property
    def call_topic(self) -> str:
        """What the call was about: the last service reached, else the deepest menu."""
        return self.topic or self.current.topic
