"""Typed settings of each Lambda, read once from the environment and checked at start-up.

The CDK stack sets these variables; the local twin sets the same ones. Nothing
else in the code reads os.environ.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Self

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, ValidationError, field_validator

from lambdas.shared.nationalities import parse_nationalities
from lambdas.shared.plan import MAX_PAGE_SIZE, MAX_USERS, Budget

DEFAULT_SOURCE_URL = "https://randomuser.me/api/1.4/"


class SettingsError(RuntimeError):
    """The environment does not configure the function correctly; names every wrong variable."""


class EnvSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        env = os.environ if environ is None else environ
        try:
            return cls.model_validate(dict(env))
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '?'}: {e['msg']}" for e in error.errors())
            raise SettingsError(f"invalid {cls.__name__} environment: {problems}") from error


class BucketSettings(EnvSettings):
    bucket_name: str = Field(alias="BUCKET_NAME", min_length=3)


class BudgetSettings(EnvSettings):
    budget_users: int = Field(default=20_000, alias="RATE_BUDGET_USERS", ge=1)
    budget_window_seconds: int = Field(default=300, alias="RATE_BUDGET_WINDOW_SECONDS", ge=1)
    budget_safety: float = Field(default=0.95, alias="RATE_BUDGET_SAFETY", gt=0, le=1)

    @property
    def budget(self) -> Budget:
        return Budget(
            users_per_window=self.budget_users, window_seconds=self.budget_window_seconds, safety=self.budget_safety
        )


class PlanSettings(BucketSettings, BudgetSettings):
    tasks_queue_url: str = Field(alias="TASKS_QUEUE_URL", min_length=1)
    default_users: int = Field(default=100, alias="USERS_PER_RUN", ge=1, le=MAX_USERS)
    page_size: int = Field(default=5_000, alias="PAGE_SIZE", ge=1, le=MAX_PAGE_SIZE)
    nationalities: tuple[str, ...] = Field(default=(), alias="NATIONALITIES")
    source_url: AnyHttpUrl = Field(default=AnyHttpUrl(DEFAULT_SOURCE_URL), alias="SOURCE_URL")
    manual_cooldown_seconds: int = Field(default=60, alias="MANUAL_COOLDOWN_SECONDS", ge=0)
    read_api_url: str = Field(default="", alias="READ_API_URL")

    @field_validator("nationalities", mode="before")
    @classmethod
    def _nationalities(cls, value: object) -> tuple[str, ...]:
        return parse_nationalities(value)  # type: ignore[arg-type]


class FetchSettings(BucketSettings, BudgetSettings):
    tasks_queue_url: str = Field(alias="TASKS_QUEUE_URL", min_length=1)
    raw_queue_url: str = Field(alias="RAW_QUEUE_URL", min_length=1)
    connect_timeout: float = Field(default=3.05, alias="HTTP_CONNECT_TIMEOUT_SECONDS", gt=0)
    read_timeout: float = Field(default=30.0, alias="HTTP_READ_TIMEOUT_SECONDS", gt=0)
    retries: int = Field(default=5, alias="HTTP_RETRIES", ge=0, le=10)
    backoff_factor: float = Field(default=0.5, alias="HTTP_BACKOFF_FACTOR", ge=0)
    backoff_max: float = Field(default=20.0, alias="HTTP_BACKOFF_MAX_SECONDS", ge=0)


class TransformSettings(EnvSettings):
    grouped_queue_url: str = Field(alias="GROUPED_QUEUE_URL", min_length=1)


class LoadSettings(BucketSettings):
    topic_arn: str = Field(alias="TOPIC_ARN", min_length=1)
    read_api_url: str = Field(default="", alias="READ_API_URL")
    notification_lease_seconds: int = Field(default=900, alias="NOTIFICATION_LEASE_SECONDS", ge=1)


class ReadSettings(BucketSettings):
    presign_seconds: int = Field(default=300, alias="PRESIGN_SECONDS", ge=1, le=3600)
