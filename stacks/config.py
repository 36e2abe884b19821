"""The connector's configuration: CDK context (cdk.json defaults, `-c key=value` overrides), typed and checked.

Every invalid value fails `cdk synth` with a message that names the key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from lambdas.shared.nationalities import parse_nationalities
from lambdas.shared.plan import MAX_PAGE_SIZE, MAX_PAGES, MAX_USERS, Budget
from lambdas.shared.settings import DEFAULT_SOURCE_URL

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
INSTANCE = re.compile(r"^[a-z][a-z0-9-]{0,19}$")
REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
SCHEDULE = re.compile(r"^(rate\(\s*\d+\s+(minute|minutes|hour|hours|day|days)\s*\)|cron\(\s*(\S+\s+){5}\S+\s*\))$")
UrlAuth = Literal["AWS_IAM", "NONE"]
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
KEYS = (
    "instance", "regions", "users_per_run", "page_size", "nationalities", "source_url", "schedule",
    "rate_budget_users", "rate_budget_window_seconds", "manual_cooldown_seconds", "notification_emails",
    "notification_webhooks", "alarm_emails", "trigger_auth", "get_users_auth", "run_retention_days",
    "log_retention_days", "keep_data_on_destroy", "first_run_on_deploy", "freshness_hours",
    "fetch_reserved_concurrency",
)  # fmt: skip


class ConfigError(ValueError):
    """An invalid configuration value; the message names the key."""


def _list(value: Any) -> list[str]:
    """A list from context: a JSON list, a comma-separated string, or empty."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            value = json.loads(text)
        else:
            return [item.strip() for item in text.split(",") if item.strip()]
    if isinstance(value, list | tuple):
        return [str(item).strip() for item in value]
    raise ValueError(f"must be a list or a comma-separated string, got {value!r}")


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.lower() in ("true", "1", "yes")
    raise ValueError(f"must be true or false, got {value!r}")


class ConnectorConfig(BaseModel):
    """One deployment of the connector. Defaults are those of cdk.json."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    instance: str = "default"
    regions: tuple[str, ...] = ("eu-central-1",)
    users_per_run: int = Field(default=100, ge=1, le=MAX_USERS)
    page_size: int = Field(default=5000, ge=1, le=MAX_PAGE_SIZE)
    nationalities: tuple[str, ...] = ()
    source_url: str = DEFAULT_SOURCE_URL
    schedule: str = "rate(1 day)"
    rate_budget_users: int = Field(default=20_000, ge=1)
    rate_budget_window_seconds: int = Field(default=300, ge=1, le=3600)
    manual_cooldown_seconds: int = Field(default=60, ge=0, le=86_400)
    notification_emails: tuple[str, ...] = ()
    notification_webhooks: tuple[str, ...] = ()
    alarm_emails: tuple[str, ...] = ()
    trigger_auth: UrlAuth = "AWS_IAM"
    get_users_auth: UrlAuth = "NONE"
    run_retention_days: int = Field(default=30, ge=1, le=3650)
    log_retention_days: int = Field(default=30, ge=1, le=3653)
    keep_data_on_destroy: bool = True
    first_run_on_deploy: bool = True
    freshness_hours: int = Field(default=26, ge=1, le=168)
    # 0: none. New accounts (10 concurrent executions in all) cannot reserve any: set 0 there.
    fetch_reserved_concurrency: int = Field(default=4, ge=0, le=100)

    @field_validator("instance")
    @classmethod
    def _instance(cls, value: str) -> str:
        if not INSTANCE.match(value):
            raise ValueError("must be 1-20 lower-case letters, digits or hyphens, starting with a letter")
        return value

    @field_validator("regions", "notification_emails", "notification_webhooks", "alarm_emails", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> tuple[str, ...]:
        return tuple(_list(value))

    @field_validator("keep_data_on_destroy", "first_run_on_deploy", mode="before")
    @classmethod
    def _bools(cls, value: Any) -> bool:
        return _bool(value)

    @field_validator("regions")
    @classmethod
    def _regions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("needs at least one region")
        bad = [region for region in value if not REGION.match(region)]
        if bad:
            raise ValueError(f"not AWS region names: {', '.join(bad)}")
        return value

    @field_validator("nationalities", mode="before")
    @classmethod
    def _nationalities(cls, value: Any) -> tuple[str, ...]:
        return parse_nationalities(_list(value))

    @field_validator("source_url")
    @classmethod
    def _source(cls, value: str) -> str:
        if not re.match(r"^https://[^\s/]+/\S*$", value):
            raise ValueError(f"must be an https:// URL ending in the API version path, got {value!r}")
        return value

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        if not SCHEDULE.match(value.strip()):
            raise ValueError(f"must be rate(N unit) or cron(6 fields), got {value!r}")
        return value.strip()

    @field_validator("notification_emails", "alarm_emails")
    @classmethod
    def _emails(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [email for email in value if not EMAIL.match(email)]
        if bad:
            raise ValueError(f"not email addresses: {', '.join(bad)}")
        return value

    @field_validator("notification_webhooks")
    @classmethod
    def _webhooks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [url for url in value if not re.match(r"^https://[^\s/]+(/\S*)?$", url)]
        if bad:
            raise ValueError(f"webhooks must be https:// URLs: {', '.join(bad)}")
        return value

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if value not in LOG_RETENTION_DAYS:
            raise ValueError(
                f"must be one of CloudWatch's retention periods: {', '.join(map(str, LOG_RETENTION_DAYS))}"
            )
        return value

    @model_validator(mode="after")
    def _budget(self) -> ConnectorConfig:
        budget = Budget(users_per_window=self.rate_budget_users, window_seconds=self.rate_budget_window_seconds)
        if self.page_size > budget.usable_users:
            raise ValueError(
                f"page_size {self.page_size} exceeds the usable rate budget of {budget.usable_users} users"
            )
        if -(-self.users_per_run // self.page_size) > MAX_PAGES:
            raise ValueError(
                f"users_per_run {self.users_per_run} needs more than {MAX_PAGES} pages of {self.page_size}"
            )
        return self

    def lambda_environment(self) -> dict[str, str]:
        """What the functions learn of this configuration (see lambdas/shared/settings.py)."""
        return {
            "USERS_PER_RUN": str(self.users_per_run),
            "PAGE_SIZE": str(self.page_size),
            "NATIONALITIES": ",".join(self.nationalities),
            "SOURCE_URL": self.source_url,
            "RATE_BUDGET_USERS": str(self.rate_budget_users),
            "RATE_BUDGET_WINDOW_SECONDS": str(self.rate_budget_window_seconds),
            "MANUAL_COOLDOWN_SECONDS": str(self.manual_cooldown_seconds),
        }


def load_config(get: Callable[[str], Any] | Mapping[str, Any]) -> ConnectorConfig:
    """Read every key from CDK context (try_get_context) or a mapping; raise ConfigError naming the key."""
    lookup = get.get if isinstance(get, Mapping) else get
    values = {key: value for key in KEYS if (value := lookup(key)) is not None}
    try:
        return ConnectorConfig.model_validate(values)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'page_size'}: {e['msg'].removeprefix('Value error, ')}"
            for e in error.errors()
        )
        raise ConfigError(f"invalid connector configuration (cdk.json context or -c key=value): {problems}") from None
