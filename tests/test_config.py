"""Settings from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from callgrid.config import Settings, SettingsError


def test_defaults_put_everything_under_var(tmp_path: Path) -> None:
    settings = Settings.from_environment({"CALLGRID_VAR_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'callgrid.db'}"
    assert settings.prompts_dir == tmp_path / "prompts"
    assert settings.asterisk_prompts_dir == str(tmp_path / "prompts")
    assert settings.menu_limits.max_items == 7 and settings.menu_limits.max_levels == 4


def test_values_are_typed() -> None:
    settings = Settings.from_environment(
        {
            "CALLGRID_AGI_PORT": "14573",
            "CALLGRID_AMI_ENABLED": "no",
            "CALLGRID_MAX_LEVEL_SPEECH_SECONDS": "45.5",
            "CALLGRID_DATABASE_URL": "postgresql+asyncpg://db/callgrid",
        }
    )
    assert settings.agi_port == 14573 and settings.ami_enabled is False
    assert settings.menu_limits.max_level_speech_seconds == 45.5
    assert settings.database_url == "postgresql+asyncpg://db/callgrid"


@pytest.mark.parametrize(
    ("name", "value"), [("CALLGRID_AGI_PORT", "four"), ("CALLGRID_AMI_ENABLED", "maybe")]
)
def test_a_bad_value_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"{name}='{value}'"):
        Settings.from_environment({name: value})
