"""Validation of every published object against the JSON Schemas in docs/schemas."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SCHEMAS = Path(__file__).resolve().parent.parent / "docs" / "schemas"


@cache
def _registry() -> Registry:  # type: ignore[type-arg]
    resources = []
    for path in SCHEMAS.glob("*.schema.json"):
        document = json.loads(path.read_text())
        resource = Resource.from_contents(document)
        resources += [(document["$id"], resource), (path.name, resource)]
    return Registry().with_resources(resources)


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    return Draft202012Validator(schema, registry=_registry())


def schema_for_key(key: str) -> str | None:
    if "/countries/" in key:
        return "country"
    if key.endswith("/users.json"):
        return "users"
    if key == "latest/run.json":
        return "run"
    if key.endswith("/status.json"):
        return "status"
    return None


def validate_published(keys: list[str], read: Callable[[str], Any]) -> int:
    """Validate every published object among `keys`; the number validated."""
    validated = 0
    for key in keys:
        name = schema_for_key(key)
        if name is None:
            continue
        validator(name).validate(read(key))
        validated += 1
    return validated
