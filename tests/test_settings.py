"""Settings: defaults for the embedded mode, refusals for unsafe production settings."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from api.settings import DEV_SECRET, Settings


def test_embedded_defaults(monkeypatch, tmp_path):
    for key in ("AWARD_DATABASE_URL", "AWARD_STORAGE", "AWARD_ENV", "AWARD_NOW"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWARD_DATA_DIR", str(tmp_path))
    settings = Settings(_env_file=None)
    assert settings.effective_database_url == f"sqlite:///{tmp_path.resolve() / 'award.db'}"
    assert settings.storage == "local"
    assert settings.files_dir == tmp_path / "files"
    assert str(settings.tz) == "Asia/Ho_Chi_Minh"


def test_production_refuses_the_development_secret(monkeypatch):
    monkeypatch.setenv("AWARD_ENV", "production")
    monkeypatch.setenv("AWARD_SECRET_KEY", DEV_SECRET)
    with pytest.raises(ValidationError, match="AWARD_SECRET_KEY"):
        Settings(_env_file=None)


def test_production_with_real_secret_has_secure_cookies(monkeypatch):
    monkeypatch.setenv("AWARD_ENV", "production")
    monkeypatch.setenv("AWARD_SECRET_KEY", "x" * 40)
    assert Settings(_env_file=None).secure_cookies is True


def test_s3_storage_needs_endpoint_and_keys(monkeypatch):
    monkeypatch.setenv("AWARD_STORAGE", "s3")
    monkeypatch.delenv("AWARD_S3_ENDPOINT", raising=False)
    with pytest.raises(ValidationError, match="AWARD_S3_ENDPOINT"):
        Settings(_env_file=None)


def test_award_now_pins_the_clock_and_must_have_an_offset(monkeypatch):
    monkeypatch.setenv("AWARD_NOW", "2024-10-10T23:59:00+07:00")
    assert Settings(_env_file=None).now == datetime(2024, 10, 10, 16, 59, tzinfo=UTC)
    monkeypatch.setenv("AWARD_NOW", "2024-10-10T23:59:00")
    with pytest.raises(ValidationError, match="offset"):
        Settings(_env_file=None)


def test_clock_uses_award_now(monkeypatch):
    from api import clock
    from api.settings import get_settings

    monkeypatch.setenv("AWARD_NOW", "2023-11-10T08:00:00+07:00")
    get_settings.cache_clear()
    try:
        assert clock.now() == datetime(2023, 11, 10, 1, 0, tzinfo=UTC)
    finally:
        monkeypatch.delenv("AWARD_NOW")
        get_settings.cache_clear()
