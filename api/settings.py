"""Settings from AWARD_* environment variables (or a .env file), validated at start-up."""

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from award.timezone import VN_TZ

DEV_SECRET = "dev-only-secret-do-not-use-in-production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AWARD_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("./data")
    database_url: str | None = None
    storage: Literal["local", "s3"] = "local"
    s3_endpoint: str | None = None
    s3_bucket: str = "award"
    s3_access_key: str | None = None
    s3_secret_key: str | None = None
    s3_region: str = "us-east-1"
    s3_public_endpoint: str | None = None  # the S3 address browsers use, if not s3_endpoint
    max_document_mb: int = 50
    max_image_mb: int = 30
    max_audio_mb: int = 500
    max_video_mb: int = 4096
    public_url: str = "http://127.0.0.1:8000"  # where people open the site (CORS for direct uploads)
    secret_key: str = DEV_SECRET
    timezone: str = VN_TZ.key
    now: datetime | None = None  # pins the application clock (AWARD_NOW)
    cookie_secure: bool | None = None  # defaults to True in production
    smtp_host: str = "127.0.0.1"  # the outbox worker sends here (AWARD_SMTP_HOST / AWARD_SMTP_PORT)
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout: float = 30.0
    mail_from: str = "Giải Búa liềm vàng <no-reply@bualiemvang.vn>"
    # Background jobs (award/jobs.py): `award serve` starts one `award worker` beside itself ("embedded"),
    # or leaves them to worker processes started on their own, on this machine or others ("external").
    worker: Literal["embedded", "external"] = "embedded"
    worker_interval: float = Field(default=1.0, gt=0)  # seconds a worker waits when nothing is due
    register_limit: int = 20  # registrations per client address per hour
    # Per app process: pooled PostgreSQL connections (size + overflow) and requests let in at once, which
    # is also the number of worker threads (api/admission.py says why they must match).
    db_pool_size: int = Field(default=10, ge=1)
    db_pool_overflow: int = Field(default=10, ge=0)
    requests_in_flight: int = Field(default=40, ge=1)
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses or networks, comma-separated);
    # the client's address is the right-most hop that is not one of them (api/security.py).
    trusted_proxies: str = "127.0.0.1,::1"
    # Theme suggestions (api/suggestions.py): the local tagger service (`award tagging serve`) web processes ask,
    # e.g. http://127.0.0.1:8765, so they never load numpy or the model; unset: computed in the web process.
    tagger_url: str | None = None
    tagger_timeout: float = Field(default=3.0, gt=0)  # seconds; past it the API answers 503 tagger_unavailable
    metrics_token: str | None = None  # /metrics needs "Authorization: Bearer <token>"; unset: loopback only

    @field_validator("now")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("AWARD_NOW must carry a UTC offset, e.g. 2024-09-20T09:00:00+07:00")
        return value

    @model_validator(mode="after")
    def _check(self) -> "Settings":
        if self.env == "production" and (self.secret_key == DEV_SECRET or len(self.secret_key) < 32):
            raise ValueError("AWARD_SECRET_KEY must be set to a random value of at least 32 characters in production")
        if self.storage == "s3" and not (self.s3_endpoint and self.s3_access_key and self.s3_secret_key):
            raise ValueError("AWARD_STORAGE=s3 needs AWARD_S3_ENDPOINT, AWARD_S3_ACCESS_KEY and AWARD_S3_SECRET_KEY")
        ZoneInfo(self.timezone)
        if "*" in self.trusted_proxies:
            raise ValueError("AWARD_TRUSTED_PROXIES must name the proxies' addresses or networks: with '*' any "
                             "client could choose its own address by writing X-Forwarded-For")
        from api.security import parse_networks

        try:
            parse_networks(self.trusted_proxies)
        except ValueError as exc:
            raise ValueError(f"AWARD_TRUSTED_PROXIES: {exc}") from exc
        return self

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'award.db').resolve()}"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def secure_cookies(self) -> bool:
        return self.cookie_secure if self.cookie_secure is not None else self.env == "production"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@lru_cache
def get_settings() -> Settings:
    return Settings()
