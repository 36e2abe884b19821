"""End to end on the local twin: real handlers, moto server, pollers, function URLs, stand-in, webhook sink."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from typer.testing import CliRunner

from connector.cli import app
from connector.standin import generate_page
from connector.twin import LocalTwin, TwinConfig
from lambdas.shared.randomuser import INCLUDED_FIELDS
from tests.schemas import validate_published

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def twin() -> Iterator[LocalTwin]:
    config = TwinConfig(
        instance="e2e", page_size=1000, budget_users=1_000_000, budget_window_seconds=60, manual_cooldown_seconds=0
    )
    with LocalTwin(config) as running:
        yield running


def trigger(twin: LocalTwin, **params: Any) -> dict[str, Any]:
    answer = requests.post(twin.trigger_url, json=params, timeout=30)
    assert answer.status_code == 202, answer.text
    accepted: dict[str, Any] = answer.json()
    return accepted


def served(manifest: dict[str, Any]) -> set[tuple[str, str]]:
    """(uuid, country) of every user the stand-in serves for this plan."""
    out = set()
    for page in range(1, manifest["pages"] + 1):
        results = min(manifest["page_size"], manifest["users"] - (page - 1) * manifest["page_size"])
        for record in generate_page(
            manifest["seed"], page, results, manifest["nationalities"], INCLUDED_FIELDS.split(",")
        ):
            out.add((record["login"]["uuid"], record["location"]["country"]))
    return out


def test_a_10000_user_run_publishes_exactly_what_the_standin_served(twin: LocalTwin) -> None:
    accepted = trigger(twin, users=10_000)
    run_id = accepted["run_id"]
    status = twin.wait_for_run(run_id, timeout=120)
    assert status["state"] == "published"
    counts = status["counts"]
    assert counts["extracted"] == counts["published"] + counts["rejected"]["total"] + counts["duplicates"] == 10_000
    # getUsers redirects to the snapshot; follow it like a client
    snapshot = requests.get(twin.get_users_url, timeout=30).json()
    assert snapshot["run_id"] == run_id
    published = {(u["id"], name) for name, group in snapshot["countries"].items() for u in group["users"]}
    assert published == served(twin.read_json(f"runs/{run_id}/manifest.json"))
    # one notification, at the webhook sink and on the topic with its attributes
    deadline = time.monotonic() + 10
    while not any(n["run_id"] == run_id for n in twin.sink.notifications()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [n["run_id"] for n in twin.sink.notifications()].count(run_id) == 1
    envelope = next(e for e in twin.captured_notifications() if json.loads(e["Message"])["run_id"] == run_id)
    assert envelope["MessageAttributes"]["run_id"]["Value"] == run_id
    assert envelope["MessageAttributes"]["total_users"] == {"Type": "Number", "Value": "10000"}
    assert json.loads(envelope["MessageAttributes"]["countries"]["Value"]) == sorted(
        group["code"] for group in snapshot["countries"].values()
    )
    # every object the run published validates, and the country route answers too
    assert validate_published(twin.keys(""), twin.read_json) >= 2 * 21 + 3
    germany = requests.get(twin.get_users_url, params={"country": "germany"}, timeout=30).json()
    assert germany == snapshot["countries"]["Germany"] | {
        "schema_version": 1,
        "run_id": run_id,
        "generated_at": snapshot["generated_at"],
        "country": "Germany",
    }


def test_a_second_run_moves_latest_forward(twin: LocalTwin) -> None:
    first = trigger(twin, users=300)["run_id"]
    twin.wait_for_run(first)
    second = trigger(twin, users=200, nat="de,fr")["run_id"]
    twin.wait_for_run(second)
    latest = twin.read_json("latest/run.json")
    assert latest["run_id"] == second
    assert sorted(latest["countries"]) == ["DE", "FR"]
    assert sorted(twin.keys("latest/countries/")) == ["latest/countries/DE.json", "latest/countries/FR.json"]
    status = requests.get(f"{twin.get_users_url}runs/{first}", timeout=10).json()
    assert status["state"] == "published"


def test_a_scheduled_run_fires_from_the_timer() -> None:
    config = TwinConfig(instance="scheduled", users_per_run=50, page_size=50, schedule_every_seconds=1.0)
    with LocalTwin(config) as scheduled:
        deadline = time.monotonic() + 30
        while not scheduled.keys("latest/run.json") and time.monotonic() < deadline:
            time.sleep(0.2)
        latest = scheduled.read_json("latest/run.json")
        assert latest is not None
        assert scheduled.read_json(f"runs/{latest['run_id']}/status.json")["trigger"] == "schedule"
        assert latest["total_users"] == 50


def test_connector_local_run_with_a_nationality_filter_yields_only_those_countries(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["local", "run", "--users", "300", "--nat", "de,fr", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "accounting: extracted 300 = published 300 + rejected 0 + duplicates 0" in result.output
    assert "notification: run" in result.output
    users = json.loads((tmp_path / "users.json").read_text())
    assert sorted(users["countries"]) == ["France", "Germany"]
    assert sorted(p.name for p in (tmp_path / "countries").iterdir()) == ["DE.json", "FR.json"]


def test_cli_refuses_bad_flags_with_a_clear_message() -> None:
    result = CliRunner().invoke(app, ["local", "run", "--nat", "de,xx"])
    assert result.exit_code == 2
    assert "unknown nationality code(s) XX" in result.output
    result = CliRunner().invoke(app, ["local", "run", "--users", "0"])
    assert result.exit_code == 2


def test_trigger_status_and_users_talk_to_a_running_twin(
    twin: LocalTwin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from connector.remote import Endpoints

    monkeypatch.chdir(tmp_path)
    Endpoints(twin.trigger_url, twin.get_users_url).save()
    runner = CliRunner()
    started = runner.invoke(app, ["trigger", "--users", "120", "--nat", "fr"])
    assert started.exit_code == 0, started.output
    run_id = json.loads(started.output)["run_id"]
    twin.wait_for_run(run_id)
    status = runner.invoke(app, ["status", run_id])
    assert status.exit_code == 0
    assert json.loads(status.output)["state"] == "published"
    france = runner.invoke(app, ["users", "--country", "France"])
    assert france.exit_code == 0
    assert json.loads(france.output)["count"] == 120
    missing = runner.invoke(app, ["users", "--country", "DE"])
    assert missing.exit_code == 1
    assert "available: FR (France)" in missing.output


def test_cli_says_when_no_twin_is_running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["status", "20261203T030000Z-0000"])
    assert result.exit_code == 1
    assert "no local twin is running" in result.output
