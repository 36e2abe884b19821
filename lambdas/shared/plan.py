"""The plan of a run (its manifest) and the pacing arithmetic that spreads its pages over time.

Pure: no clock reads, no AWS. The plan handler and the fetch handler (for
continuations) both call `schedule`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lambdas.shared.messages import ContinueTask, PageTask
from lambdas.shared.nationalities import parse_nationalities
from lambdas.shared.runs import seed_for, validate_run_id

MAX_USERS = 1_000_000
MAX_PAGE_SIZE = 5_000  # randomuser's largest page
MAX_PAGES = 10_000  # randomuser silently turns a larger page number into 1
MAX_SQS_DELAY = 900
Trigger = Literal["schedule", "manual", "direct", "deployment"]


class Budget(BaseModel):
    """randomuser's rate limit as the connector respects it: users per client IP per window."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    users_per_window: int = Field(default=20_000, ge=1)
    window_seconds: int = Field(default=300, ge=1)
    safety: float = Field(default=0.95, gt=0, le=1)  # share of the budget a run may use

    @property
    def usable_users(self) -> int:
        return max(1, math.floor(self.users_per_window * self.safety))

    @property
    def spacing_seconds(self) -> int:
        """Time between two windows of pages: the window plus a guard for clock and queue jitter."""
        return self.window_seconds + max(1, math.ceil(self.window_seconds * 0.02))


class RunPlan(BaseModel):
    """Everything a run needs, fixed once and written create-only as runs/<run_id>/manifest.json."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    schema_version: Literal[1] = 1
    run_id: str
    trigger: Trigger
    planned_at: str
    users: int = Field(ge=1, le=MAX_USERS)
    page_size: int = Field(ge=1, le=MAX_PAGE_SIZE)
    pages: int = Field(ge=1, le=MAX_PAGES)
    seed: str
    nationalities: tuple[str, ...] = ()
    source_url: str
    budget: Budget = Budget()

    @field_validator("run_id")
    @classmethod
    def _run_id(cls, value: str) -> str:
        return validate_run_id(value)

    @field_validator("nationalities", mode="before")
    @classmethod
    def _nationalities(cls, value: object) -> tuple[str, ...]:
        return parse_nationalities(value)  # type: ignore[arg-type]

    @model_validator(mode="after")
    def _consistent(self) -> RunPlan:
        if self.pages != math.ceil(self.users / self.page_size):
            raise ValueError(f"pages={self.pages} does not match users={self.users} / page_size={self.page_size}")
        if self.page_size > self.budget.usable_users:
            raise ValueError(
                f"page_size={self.page_size} exceeds the usable rate budget of {self.budget.usable_users} users"
            )
        return self

    def page_results(self, page: int) -> int:
        """Users on a page: page_size, except the remainder on the last page."""
        if not 1 <= page <= self.pages:
            raise ValueError(f"page {page} outside 1..{self.pages}")
        return self.page_size if page < self.pages else self.users - self.page_size * (self.pages - 1)

    def page_task(self, page: int) -> PageTask:
        return PageTask(run_id=self.run_id, page=page, results=self.page_results(page))


class PlanError(ValueError):
    """A parameter of a run that is out of bounds; `parameter` names it."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


def make_plan(
    run_id: str,
    trigger: Trigger,
    planned_at: str,
    users: int,
    page_size: int,
    nationalities: tuple[str, ...],
    source_url: str,
    budget: Budget,
) -> RunPlan:
    """Validate the parameters of a run, naming the first one that is wrong."""
    if not 1 <= users <= MAX_USERS:
        raise PlanError("users", f"must be between 1 and {MAX_USERS:,}, got {users}")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise PlanError("page_size", f"must be between 1 and {MAX_PAGE_SIZE:,}, got {page_size}")
    if page_size > budget.usable_users:
        raise PlanError("page_size", f"must not exceed the usable rate budget of {budget.usable_users} users")
    pages = math.ceil(users / page_size)
    if pages > MAX_PAGES:
        raise PlanError(
            "users", f"{users:,} users at page_size {page_size:,} need {pages:,} pages; randomuser serves {MAX_PAGES:,}"
        )
    return RunPlan(
        run_id=run_id,
        trigger=trigger,
        planned_at=planned_at,
        users=users,
        page_size=page_size,
        pages=pages,
        seed=seed_for(run_id),
        nationalities=nationalities,
        source_url=source_url,
        budget=budget,
    )


@dataclass(frozen=True)
class ScheduledTask:
    task: PageTask | ContinueTask
    delay_seconds: int


def schedule(plan: RunPlan, first_page: int = 1, first_delay_seconds: int = 0) -> list[ScheduledTask]:
    """Page tasks from `first_page` on, in budget windows, as far as SQS delays reach.

    Window k holds as many whole pages as the usable budget allows and starts
    `first_delay + k * spacing` seconds from now. Pages whose window would start
    past SQS's 15-minute delay limit are left to a ContinueTask, which schedules
    them (with this same function) when it comes due.
    """
    budget = plan.budget
    out: list[ScheduledTask] = []
    delay, used = first_delay_seconds, 0
    for page in range(first_page, plan.pages + 1):
        results = plan.page_results(page)
        if used + results > budget.usable_users:
            delay, used = delay + budget.spacing_seconds, 0
        if delay > MAX_SQS_DELAY:
            out.append(
                ScheduledTask(
                    ContinueTask(run_id=plan.run_id, next_page=page, first_delay_seconds=delay - MAX_SQS_DELAY),
                    MAX_SQS_DELAY,
                )
            )
            break
        out.append(ScheduledTask(plan.page_task(page), delay))
        used += results
    return out


def deferral_delay(budget: Budget) -> int:
    """How long a rate-limited page waits before it is tried again: one window, within SQS's limit."""
    return min(MAX_SQS_DELAY, budget.spacing_seconds)
