"""Run identity: sortable run ids and the randomuser seed derived from them."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime

RUN_ID_PATTERN = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{4}$")
SEED_LENGTH = 16  # randomuser special-cases 18-character seeds (and can hang on them)


class InvalidRunIdError(ValueError):
    """A string that is not a run id."""


def new_run_id(now: datetime | None = None, suffix: str | None = None) -> str:
    """`20261203T030000Z-7f3a`: UTC time plus 4 random hex digits; lexicographic = time order."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    tail = suffix if suffix is not None else secrets.token_hex(2)
    return validate_run_id(f"{moment:%Y%m%dT%H%M%SZ}-{tail}")


def validate_run_id(run_id: str) -> str:
    if not isinstance(run_id, str) or not RUN_ID_PATTERN.match(run_id):
        raise InvalidRunIdError(f"run id {run_id!r} is not of the form 20261203T030000Z-7f3a")
    return run_id


def run_started_at(run_id: str) -> datetime:
    """The moment encoded in a run id."""
    return datetime.strptime(validate_run_id(run_id)[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def seed_for(run_id: str) -> str:
    """The randomuser seed of a run: deterministic, ends in a letter, never 18 characters.

    The letter at the end keeps pages of different seeds apart: randomuser
    concatenates seed and page, so `abc` page 12 would equal `abc1` page 2.
    """
    digest = hashlib.sha256(validate_run_id(run_id).encode()).hexdigest()
    seed = f"ru{digest[: SEED_LENGTH - 3]}x"
    assert len(seed) == SEED_LENGTH and seed[-1].isalpha()
    return seed
