"""Settings from the environment and the settings file, checked at start."""

from __future__ import annotations

from pathlib import Path

import pytest

from autodialer.settings import CampaignSettings
from callcenter.settings import CallcenterSettings
from callgrid.settings import Settings, SettingsError
from ivr.settings import IvrSettings
from recordings.settings import RecordingSettings


def test_defaults_put_everything_under_var(tmp_path: Path) -> None:
    settings = Settings.from_environment({"CALLGRID_VAR_DIR": str(tmp_path)}, [IvrSettings])
    ivr = settings.of(IvrSettings)
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'callgrid.db'}"
    assert ivr.prompts_dir == tmp_path / "prompts"
    assert ivr.asterisk_prompts_dir == str(tmp_path / "prompts")
    assert ivr.menu_limits.max_items == 7 and ivr.menu_limits.max_levels == 4


def test_values_are_typed() -> None:
    settings = Settings.from_environment(
        {
            "CALLGRID_AGI_PORT": "14573",
            "CALLGRID_AMI_ENABLED": "no",
            "CALLGRID_MAX_LEVEL_SPEECH_SECONDS": "45.5",
            "CALLGRID_DATABASE_URL": "postgresql+asyncpg://db/callgrid",
        },
        [IvrSettings],
    )
    assert settings.agi_port == 14573 and settings.ami_enabled is False
    assert settings.of(IvrSettings).menu_limits.max_level_speech_seconds == 45.5
    assert settings.database_url == "postgresql+asyncpg://db/callgrid"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CALLGRID_AGI_PORT", "four"),
        ("CALLGRID_AMI_ENABLED", "maybe"),
        ("CALLGRID_MAX_ITEMS", "12"),
        ("CALLGRID_MAX_OPERATOR_WAIT_SECONDS", "300"),
        ("CALLGRID_LOCAL_ZONE", "Mars/Olympus"),
    ],
)
def test_a_bad_value_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"{name}='{value}'"):
        Settings.from_environment({name: value}, [IvrSettings])


def test_the_settings_file_sets_the_engine_and_each_section(tmp_path: Path) -> None:
    file = tmp_path / "callgrid.toml"
    file.write_text('agi_port = 4600\nlocal_zone = "Asia/Novosibirsk"\n[ivr]\nmax_items = 5\n')
    settings = Settings.from_environment(
        {"CALLGRID_SETTINGS_FILE": str(file), "CALLGRID_MAX_RETRIES": "3"}, [IvrSettings]
    )
    assert settings.agi_port == 4600 and settings.zone.key == "Asia/Novosibirsk"
    assert settings.of(IvrSettings).max_items == 5
    assert settings.of(IvrSettings).max_retries == 3, "the environment is read too"


def test_the_environment_wins_over_the_file(tmp_path: Path) -> None:
    file = tmp_path / "callgrid.toml"
    file.write_text("[ivr]\nmax_items = 5\n")
    environ = {"CALLGRID_SETTINGS_FILE": str(file), "CALLGRID_MAX_ITEMS": "6"}
    assert Settings.from_environment(environ, [IvrSettings]).of(IvrSettings).max_items == 6


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[ivr]\nmax_itemz = 5\n", "ivr.max_itemz"),
        ("[ivvr]\nmax_items = 5\n", "[ivvr]"),
        ("[ivr]\nmax_items = 9.5\n", "ivr.max_items in"),
        ("[ivr]\nmax_items = 12\n", "ivr.max_items in"),
        ('agi_port = "4573"\n', "agi_port in"),
        ("agi_port = \n", "callgrid.toml"),
    ],
)
def test_a_bad_settings_file_names_the_key(tmp_path: Path, text: str, named: str) -> None:
    file = tmp_path / "callgrid.toml"
    file.write_text(text)
    with pytest.raises(SettingsError, match=named.replace("[", r"\[").replace(".", r"\.")):
        Settings.from_environment({"CALLGRID_SETTINGS_FILE": str(file)}, [IvrSettings])


def test_a_missing_settings_file_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(SettingsError, match="CALLGRID_SETTINGS_FILE"):
        Settings.from_environment({"CALLGRID_SETTINGS_FILE": str(missing)}, [IvrSettings])


def test_recordings_live_under_var_and_asterisk_gets_their_absolute_path(tmp_path: Path) -> None:
    settings = Settings.from_environment({"CALLGRID_VAR_DIR": str(tmp_path)}, [RecordingSettings])
    recordings = settings.of(RecordingSettings)
    assert recordings.recordings_dir == str(tmp_path / "recordings")
    assert recordings.asterisk_recordings_dir == str((tmp_path / "recordings").resolve())
    assert recordings.recording_retention_days == 60


@pytest.mark.parametrize("path", ["/srv/rec,i(X)", "/srv/my recordings", "/srv/a|b", "/srv/'x'"])
def test_a_recordings_folder_mixmonitor_would_misread_is_refused(path: str) -> None:
    with pytest.raises(SettingsError, match=r"CALLGRID_ASTERISK_RECORDINGS_DIR=.*MixMonitor"):
        Settings.from_environment({"CALLGRID_ASTERISK_RECORDINGS_DIR": path}, [RecordingSettings])


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("CALLGRID_SMS_SOURCE_ADDRESS", "Energosbyt-Tomsk", "1 to 11 Latin letters"),
        ("CALLGRID_SMS_SOURCE_ADDRESS", "Энергосбыт", "1 to 11 Latin letters"),
        ("CALLGRID_SMS_SOURCE_ADDRESS", "7" * 16, "at most 15 digits"),
        ("CALLGRID_SMPP_PASSWORD", "longer-than-8", "at most 8 characters"),
        ("CALLGRID_SMPP_SYSTEM_ID", "callgrid-tomsk-01", "at most 15 characters"),
        ("CALLGRID_OPERATOR_KEY", "1", "is the operator key too"),
    ],
)
def test_campaign_settings_an_smsc_or_a_keypad_would_refuse_stop_the_start(
    name: str, value: str, reason: str
) -> None:
    with pytest.raises(SettingsError, match=reason) as refused:
        Settings.from_environment({name: value}, [CampaignSettings])
    assert "longer-than-8" not in str(refused.value), "a password is never shown"


def test_an_sms_sender_name_of_11_letters_and_a_number_of_15_digits_are_taken() -> None:
    for source in ("Energosbyt1", "7" * 15):
        settings = Settings.from_environment(
            {"CALLGRID_SMS_SOURCE_ADDRESS": source}, [CampaignSettings]
        )
        assert settings.of(CampaignSettings).sms_source_address == source


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("lunch=45, lunch=30", "listed twice"),
        ("lunch=forever", "not a number of minutes"),
        ("", "no break reasons"),
    ],
)
def test_bad_break_reasons_stop_the_start_with_the_key_named(value: str, reason: str) -> None:
    with pytest.raises(SettingsError, match=f"CALLGRID_BREAK_REASONS.*{reason}"):
        Settings.from_environment({"CALLGRID_BREAK_REASONS": value}, [CallcenterSettings])
