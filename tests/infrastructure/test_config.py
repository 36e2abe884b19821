"""Every invalid configuration value fails synthesis with a message that names its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from stacks.config import ConfigError, load_config


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("notification_webhooks", "http://hooks.example/x", "webhooks must be https:// URLs"),
        ("notification_emails", "not-an-email", "not email addresses"),
        ("alarm_emails", "a@b", "not email addresses"),
        ("users_per_run", "0", "greater than or equal to 1"),
        ("users_per_run", "1000001", "less than or equal to 1000000"),
        ("page_size", "5001", "less than or equal to 5000"),
        ("nationalities", "de,xx", "unknown nationality code(s) XX"),
        ("schedule", "every day", "rate(N unit) or cron(6 fields)"),
        ("schedule", "cron(0 3 * * *)", "rate(N unit) or cron(6 fields)"),
        ("source_url", "http://randomuser.me/api/1.4/", "https:// URL"),
        ("trigger_auth", "OPEN", "'AWS_IAM' or 'NONE'"),
        ("get_users_auth", "none", "'AWS_IAM' or 'NONE'"),
        ("regions", "mars-1", "not AWS region names"),
        ("instance", "Acme Corp", "lower-case letters"),
        ("log_retention_days", "10", "CloudWatch's retention periods"),
        ("keep_data_on_destroy", "maybe", "true or false"),
        ("rate_budget_users", "1000", "exceeds the usable rate budget"),
        ("manual_cooldown_seconds", "-1", "greater than or equal to 0"),
        ("fetch_reserved_concurrency", "-2", "greater than or equal to 0"),
    ],
)
def test_an_invalid_value_names_its_key(key: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config({key: value})
    assert f"{key}: " in str(error.value) or key == "rate_budget_users"
    assert message in str(error.value)


def test_lists_come_as_json_or_comma_separated_and_defaults_match_cdk_json() -> None:
    import json

    defaults = json.loads((Path(__file__).resolve().parents[2] / "cdk.json").read_text())["context"]
    assert load_config(defaults) == load_config({})
    config = load_config({"notification_emails": '["a@x.io", "b@x.io"]', "regions": "eu-west-1, us-east-1"})
    assert config.notification_emails == ("a@x.io", "b@x.io")
    assert config.regions == ("eu-west-1", "us-east-1")


def test_synthesis_fails_on_a_bad_context_value(tmp_path: Path) -> None:
    from tests.infrastructure.conftest import synthesize

    with pytest.raises(ConfigError, match="notification_webhooks: webhooks must be https"):
        synthesize({"notification_webhooks": "http://insecure.example"}, tmp_path)
