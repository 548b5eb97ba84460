"""What the IVR is made of: prompt texts, their rendered audio, the menu trees."""

from __future__ import annotations

from dataclasses import dataclass

from ivr.actions import ACTIONS
from ivr.menu import MenuTree
from ivr.menu_loader import load_trees
from ivr.settings import IvrSettings
from prompts.catalog import PromptCatalog, load_catalog
from prompts.render import PromptLibrary, render_catalog

DEFAULT_LINE = "toll_free"


@dataclass(frozen=True)
class IvrContent:
    catalog: PromptCatalog
    library: PromptLibrary
    trees: dict[str, MenuTree]

    @property
    def default_tree(self) -> MenuTree:
        trees = {tree.line: tree for tree in self.trees.values()}
        return trees.get(DEFAULT_LINE) or next(iter(trees.values()))


def load_ivr_content(settings: IvrSettings) -> IvrContent:
    """Load the catalog, render what is not rendered yet, load and check every tree."""
    catalog = load_catalog(settings.prompt_catalog)
    library = render_catalog(catalog, settings.prompts_dir)
    trees = load_trees(
        settings.dialplans_dir, catalog, library.duration, ACTIONS.keys(), settings.menu_limits
    )
    return IvrContent(catalog, library, trees)
