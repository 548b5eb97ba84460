"""Russian prompt texts (short and full variants) and their rendering to 8 kHz audio."""

from prompts.catalog import Prompt, PromptCatalog, load_catalog
from prompts.render import PromptLibrary, render_catalog

__all__ = ["Prompt", "PromptCatalog", "PromptLibrary", "load_catalog", "render_catalog"]
