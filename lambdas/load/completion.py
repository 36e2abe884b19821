"""Is a run complete? Derived from the part objects that exist, never from counters."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lambdas.shared import layout
from lambdas.shared.plan import RunPlan


@dataclass(frozen=True)
class Completeness:
    pages_done: int
    missing_pages: list[int]
    part_keys: list[str]  # of the done pages, in page then chunk order

    @property
    def complete(self) -> bool:
        return not self.missing_pages


def completeness(plan: RunPlan, keys: Iterable[str]) -> Completeness:
    """A page is done when, for its chunk count K, chunks 1..K all have a part."""
    chunks_by_page: dict[int, dict[int, set[int]]] = {}
    for key in keys:
        parsed = layout.parse_part_key(key)
        if parsed is None:
            continue
        page, chunk, chunks = parsed
        chunks_by_page.setdefault(page, {}).setdefault(chunks, set()).add(chunk)
    done_keys: list[str] = []
    missing: list[int] = []
    for page in range(1, plan.pages + 1):
        complete_counts = [k for k, have in chunks_by_page.get(page, {}).items() if have >= set(range(1, k + 1))]
        if not complete_counts:
            missing.append(page)
            continue
        total = min(complete_counts)
        done_keys += [layout.part_key(plan.run_id, page, chunk, total) for chunk in range(1, total + 1)]
    return Completeness(plan.pages - len(missing), missing, done_keys)
