"""Powertools Logger, Metrics and Tracer, configured the same way in every function."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

NAMESPACE = "RandomUserConnector"


def powertools(service: str) -> tuple[Logger, Metrics, Tracer]:
    """Structured JSON logs, EMF metrics and X-Ray tracing for one function."""
    return Logger(service=service), Metrics(namespace=NAMESPACE, service=service), Tracer(service=service)
