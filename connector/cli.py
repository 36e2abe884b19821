"""`connector`: the command line of the local twin and of a deployed connector."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from connector.standin import Fault, StandIn

app = typer.Typer(help="randomuser-connector: run it offline, trigger it, read its data.", no_args_is_help=True)
local = typer.Typer(help="The local twin: the whole pipeline offline on this machine.", no_args_is_help=True)
app.add_typer(local, name="local")
console = Console()


@app.command()
def standin(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0 picks a free one).")] = 8900,
    budget: Annotated[int, typer.Option(help="Users per client IP per window before 429.")] = 20_000,
    window: Annotated[float, typer.Option(help="Budget window in seconds.")] = 300.0,
    fault_rate: Annotated[float, typer.Option(help="Probability of a fault per request.")] = 0.0,
    faults: Annotated[str, typer.Option(help="Comma-separated fault kinds to draw from.")] = "",
) -> None:
    """Serve the offline randomuser stand-in until Ctrl-C."""
    kinds = [Fault(kind.strip()) for kind in faults.split(",") if kind.strip()]
    try:
        server = StandIn(port=port, budget_users=budget, window_seconds=window).start()
    except OSError as error:
        raise typer.BadParameter(f"cannot listen on 127.0.0.1:{port}: {error.strerror}", param_hint="--port") from None
    if kinds:
        server.random_faults(fault_rate, kinds)
    console.print(f"randomuser stand-in on [bold]{server.url}[/] (Ctrl-C stops it)")
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    server.stop()


def main() -> None:
    app()


__all__ = ["Path", "app", "main"]
