"""AWS played by a moto server on loopback: see tests/moto_env.py."""

from tests.moto_env import aws, moto_endpoint

__all__ = ["aws", "moto_endpoint"]
