"""Settings: a value passed beats the environment, which beats .env, which beats the
default; bad values name their variable in one line; the token never shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import DEFAULT_DATABASE_URL, Settings, SettingsError, load_settings

NAMES = ("DISCORD_TOKEN", "DATABASE_URL", "CONVQUIZ_PREFIX", "CONVQUIZ_TIME_LIMIT")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)


def test_passed_beats_environment_beats_dotenv_beats_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# a comment\nDISCORD_TOKEN='from-file'\nCONVQUIZ_PREFIX=?\nCONVQUIZ_TIME_LIMIT=45\n"
        "SOMETHING_ELSE=ignored\n",
        encoding="utf-8",
    )
    assert Settings(str(dotenv)).token == "from-file"
    monkeypatch.setenv("convquiz_prefix", "$")  # names match whatever their case
    settings = Settings(str(dotenv), convquiz_time_limit=60)
    assert (settings.convquiz_prefix, settings.convquiz_time_limit) == ("$", 60)
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert Settings(None).token is None and Settings(None).convquiz_time_limit == 30


def test_bad_values_name_their_variable_and_empty_ones_are_unset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "  ")
    assert load_settings(_env_file=None).token is None
    for name, value in [
        ("CONVQUIZ_TIME_LIMIT", "4"),
        ("CONVQUIZ_TIME_LIMIT", "soon"),
        ("CONVQUIZ_PREFIX", "much-too-long"),
        ("DATABASE_URL", "mysql://db"),
        ("CONVQUIZ_LOG_FORMAT", "xml"),
    ]:
        with monkeypatch.context() as patch:
            patch.setenv(name, value)
            with pytest.raises(SettingsError, match=rf"^{name}: \S") as raised:
                load_settings(_env_file=None)
            assert "\n" not in str(raised.value)


def test_the_token_never_shows() -> None:
    settings = Settings(None, discord_token="s3cret-token")
    assert settings.token == "s3cret-token"
    assert "s3cret-token" not in repr(settings)
