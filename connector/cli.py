"""`connector`: run the pipeline offline, or talk to a running twin or a deployed stack."""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path
from typing import Annotated, Any

import requests
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from connector.remote import STATE_FILE, ConnectorNotFoundError, Endpoints, call, locate
from connector.standin import Fault, StandIn
from lambdas.shared.nationalities import UnknownNationalityError, parse_nationalities
from lambdas.shared.plan import MAX_PAGE_SIZE, MAX_USERS

app = typer.Typer(help="randomuser-connector: run it offline, trigger it, read its data.", no_args_is_help=True)
local = typer.Typer(help="The local twin: the whole pipeline offline on this machine.", no_args_is_help=True)
app.add_typer(local, name="local")
console = Console()
OutputsOption = Annotated[
    Path | None, typer.Option("--outputs", help="cdk deploy --outputs-file JSON of a deployed stack.")
]


def _nat(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return ",".join(parse_nationalities(value))
    except UnknownNationalityError as error:
        raise typer.BadParameter(str(error), param_hint="--nat") from None


def _fail(message: str) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(1)


def _wait_for_stop() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()


@app.command()
def standin(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0 picks a free one).")] = 8900,
    budget: Annotated[int, typer.Option(min=1, help="Users per client IP per window before 429.")] = 20_000,
    window: Annotated[float, typer.Option(min=0.1, help="Budget window in seconds.")] = 300.0,
    fault_rate: Annotated[float, typer.Option(min=0.0, max=1.0, help="Probability of a fault per request.")] = 0.0,
    faults: Annotated[str, typer.Option(help=f"Fault kinds to draw from: {', '.join(f.value for f in Fault)}.")] = "",
) -> None:
    """Serve the offline randomuser stand-in until Ctrl-C."""
    try:
        kinds = [Fault(kind.strip()) for kind in faults.split(",") if kind.strip()]
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--faults") from None
    try:
        server = StandIn(port=port, budget_users=budget, window_seconds=window).start()
    except OSError as error:
        raise _fail(f"cannot listen on 127.0.0.1:{port}: {error.strerror}") from None
    if kinds:
        server.random_faults(fault_rate, kinds)
    console.print(f"randomuser stand-in on [bold]{server.url}[/] (Ctrl-C stops it)")
    _wait_for_stop()
    server.stop()


def _twin(source: str | None, page_size: int, every: float | None, webhooks: list[str]) -> Any:
    from connector.twin import LocalTwin, TwinConfig

    config = TwinConfig(source_url=source, page_size=page_size, schedule_every_seconds=every, webhooks=webhooks)
    return LocalTwin(config)


@local.command("up")
def local_up(
    source: Annotated[str | None, typer.Option(help="randomuser base URL; default: the offline stand-in.")] = None,
    page_size: Annotated[int, typer.Option(min=1, max=MAX_PAGE_SIZE, help="Users per page.")] = 1000,
    every: Annotated[
        float | None, typer.Option(min=1.0, help="Run the schedule every N seconds (default daily).")
    ] = None,
    webhook: Annotated[list[str] | None, typer.Option(help="Also deliver notifications to this URL.")] = None,
) -> None:
    """Start the twin and keep it up until Ctrl-C."""
    twin = _twin(source, page_size, every, webhook or []).start()
    Endpoints(twin.trigger_url, twin.get_users_url).save()
    console.print("[bold green]local twin up[/] (Ctrl-C stops it)")
    console.print(f"  trigger URL   {twin.trigger_url}   (POST, or GET ?users=N&nat=de,fr)")
    console.print(f"  getUsers URL  {twin.get_users_url}")
    console.print(f"  S3 endpoint   {twin.endpoint}  bucket {twin.bucket}")
    console.print(f"  randomuser    {twin.source_url}")
    try:
        _wait_for_stop()
    finally:
        STATE_FILE.unlink(missing_ok=True)
        twin.stop()
        console.print("local twin stopped")


def _country_table(latest: dict[str, Any]) -> Table:
    table = Table(title=f"users per country (run {latest['run_id']})")
    table.add_column("country")
    table.add_column("code")
    table.add_column("users", justify="right")
    table.add_column("")
    top = max((entry["count"] for entry in latest["countries"].values()), default=1)
    for code, entry in sorted(latest["countries"].items(), key=lambda item: item[1]["name"]):
        table.add_row(entry["name"], code, str(entry["count"]), "█" * max(1, round(24 * entry["count"] / top)))
    return table


def _download_latest(twin: Any, out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    keys = twin.keys("latest/")
    for key in keys:
        target = out / key.removeprefix("latest/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(twin.s3.get_object(Bucket=twin.bucket, Key=key)["Body"].read())
    return len(keys)


def _follow(twin: Any, run_id: str, pages: int, timeout: float) -> dict[str, Any]:
    columns = (TextColumn("pages"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        bar = progress.add_task("pages", total=pages)
        status = twin.wait_for_run(
            run_id, timeout=timeout, on_progress=lambda s: progress.update(bar, completed=s["pages"]["done"])
        )
        progress.update(bar, completed=status["pages"]["done"])
    return dict(status)


@local.command("run")
def local_run(
    users: Annotated[int, typer.Option(min=1, max=MAX_USERS, help="Users to extract.")] = 1000,
    nat: Annotated[str | None, typer.Option(help="Nationality codes, e.g. de,fr (default: all 21).")] = None,
    source: Annotated[str | None, typer.Option(help="randomuser base URL; default: the offline stand-in.")] = None,
    out: Annotated[Path, typer.Option(help="Where to copy latest/.")] = Path("output"),
    page_size: Annotated[int, typer.Option(min=1, max=MAX_PAGE_SIZE, help="Users per page.")] = 100,
    timeout: Annotated[float, typer.Option(min=1.0, help="Seconds to wait for publication.")] = 600.0,
) -> None:
    """Start the twin, run the pipeline once end to end, show the result, copy latest/ to --out."""
    nat_codes = _nat(nat)
    started = time.monotonic()
    with _twin(source, page_size, None, []) as twin:
        console.print(f"local twin up: S3/SQS/SNS at {twin.endpoint}, randomuser at {twin.source_url}")
        body: dict[str, Any] = {"users": users} | ({"nat": nat_codes} if nat_codes else {})
        answer = requests.post(twin.trigger_url, json=body, timeout=30)
        if answer.status_code != 202:
            raise _fail(f"trigger answered {answer.status_code}: {answer.text}")
        accepted = answer.json()
        run_id = accepted["run_id"]
        console.print(f"run [bold]{run_id}[/] planned: {accepted['users']} users in {accepted['pages']} page(s)")
        try:
            status = _follow(twin, run_id, accepted["pages"], timeout)
        except (RuntimeError, TimeoutError) as error:
            raise _fail(str(error)) from None
        latest = twin.read_json("latest/run.json")
        console.print(_country_table(latest))
        counts = status["counts"]
        console.print(
            f"accounting: extracted {counts['extracted']} = published {counts['published']} "
            f"+ rejected {counts['rejected']['total']} + duplicates {counts['duplicates']}"
        )
        deadline = time.monotonic() + 5
        while not twin.sink.notifications() and time.monotonic() < deadline:
            time.sleep(0.1)
        for message in twin.sink.notifications():
            console.print(
                f"notification: run {message['run_id']}, {message['total_users']} users, "
                f"{len(message['users_per_country'])} countries, links to {message['links'].get('latest', '')}"
            )
        copied = _download_latest(twin, out)
        console.print(
            f"[bold green]published[/] in {time.monotonic() - started:.1f}s. "
            f"{copied} objects of latest/ copied to [bold]{out.resolve()}[/] "
            f"(users.json, run.json, countries/<CODE>.json)"
        )


@app.command()
def trigger(
    users: Annotated[int | None, typer.Option(min=1, max=MAX_USERS, help="Users to extract.")] = None,
    nat: Annotated[str | None, typer.Option(help="Nationality codes, e.g. de,fr.")] = None,
    outputs: OutputsOption = None,
) -> None:
    """Start a run on a running twin or a deployed stack."""
    nat_codes = _nat(nat)
    body = {k: v for k, v in {"users": users, "nat": nat_codes}.items() if v is not None}
    try:
        endpoints = locate(outputs)
        answer = call(endpoints, "POST", endpoints.trigger_url, body)
    except ConnectorNotFoundError as error:
        raise _fail(str(error)) from None
    console.print_json(answer.text)
    if answer.status_code != 202:
        raise typer.Exit(1)


@app.command()
def status(run_id: str, outputs: OutputsOption = None) -> None:
    """Show a run's status."""
    try:
        endpoints = locate(outputs)
        answer = call(endpoints, "GET", f"{endpoints.get_users_url.rstrip('/')}/runs/{run_id}")
    except ConnectorNotFoundError as error:
        raise _fail(str(error)) from None
    console.print_json(answer.text)
    if answer.status_code != 200:
        raise typer.Exit(1)


@app.command("users")
def users_command(
    country: Annotated[str | None, typer.Option(help="Country code or name.")] = None,
    run: Annotated[str | None, typer.Option(help="A run id (default: the latest run).")] = None,
    outputs: OutputsOption = None,
) -> None:
    """Fetch the published users (follows the redirect to S3) and print them as JSON."""
    params = {k: v for k, v in {"country": country, "run": run}.items() if v is not None}
    try:
        endpoints = locate(outputs)
        answer = requests.get(endpoints.get_users_url, params=params, timeout=60)
    except ConnectorNotFoundError as error:
        raise _fail(str(error)) from None
    except requests.ConnectionError:
        raise _fail(f"nothing answers at {endpoints.get_users_url}: is the twin running?") from None
    if answer.status_code != 200:
        raise _fail(f"getUsers answered {answer.status_code}: {answer.text}")
    console.print_json(json.dumps(answer.json()))


def main() -> None:
    app()
