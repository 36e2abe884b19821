"""Reading a run's manifest (runs/<run_id>/manifest.json), the plan every stage works from."""

from __future__ import annotations

from functools import cache

from lambdas.shared import layout
from lambdas.shared.aws import ObjectStore
from lambdas.shared.plan import RunPlan
from lambdas.shared.ports import Store


class ManifestMissingError(LookupError):
    """A message for a run that has no manifest."""


def load_plan(store: Store, run_id: str) -> RunPlan:
    document = store.get_json(layout.manifest_key(run_id))
    if document is None:
        raise ManifestMissingError(f"run {run_id} has no manifest at {layout.manifest_key(run_id)}")
    return RunPlan.model_validate(document)


@cache
def cached_plan(bucket: str, run_id: str) -> RunPlan:
    """Manifests are create-only, so a Lambda container may keep the ones it has read."""
    return load_plan(ObjectStore(bucket), run_id)
