import pytest

from lambdas.shared.messages import ContinueTask, PageTask
from lambdas.shared.plan import MAX_SQS_DELAY, Budget, PlanError, make_plan, schedule

RUN = "20261203T030000Z-7f3a"


def plan_for(users: int, page_size: int = 5000, budget: Budget | None = None):  # type: ignore[no-untyped-def]
    return make_plan(
        RUN, "manual", "2026-12-03T03:00:00Z", users, page_size, (), "http://x/api/1.4/", budget or Budget()
    )


@pytest.mark.parametrize(
    ("users", "pages", "last_page"),
    [(1, 1, 1), (100, 1, 100), (5000, 1, 5000), (5001, 2, 1), (1_000_000, 200, 5000)],
)
def test_pages_and_last_page_size(users: int, pages: int, last_page: int) -> None:
    plan = plan_for(users)
    assert plan.pages == pages
    assert plan.page_results(pages) == last_page
    assert sum(plan.page_results(p) for p in range(1, pages + 1)) == users


def test_small_run_is_one_immediate_task() -> None:
    assert [(t.task, t.delay_seconds) for t in schedule(plan_for(100))] == [
        (PageTask(run_id=RUN, page=1, results=100), 0)
    ]


def test_pages_are_spread_over_budget_windows() -> None:
    # Given the default budget (20,000 users / 300 s at 95%) and 5,000-user pages
    plan = plan_for(40_000)
    # When scheduled, Then 3 pages fit a window (15,000 <= 19,000) and the 4th waits one window plus guard
    delays = [t.delay_seconds for t in schedule(plan)]
    assert delays == [0, 0, 0, 306, 306, 306, 612, 612]


def test_a_million_users_continue_past_the_sqs_delay_limit() -> None:
    plan = plan_for(1_000_000)
    first = schedule(plan)
    pages = [t for t in first if isinstance(t.task, PageTask)]
    continuation = first[-1]
    assert all(t.delay_seconds <= MAX_SQS_DELAY for t in first)
    assert len(pages) == 9  # windows at 0, 306, 612; the next (918 s) is past 900
    assert continuation.task == ContinueTask(run_id=RUN, next_page=10, first_delay_seconds=18)
    assert continuation.delay_seconds == MAX_SQS_DELAY
    # When every continuation is followed, Then every page is scheduled exactly once
    seen, tasks = [t.task.page for t in pages], first
    while isinstance(tasks[-1].task, ContinueTask):
        cont = tasks[-1].task
        tasks = schedule(plan, cont.next_page, cont.first_delay_seconds)
        seen += [t.task.page for t in tasks if isinstance(t.task, PageTask)]
    assert seen == list(range(1, 201))


@pytest.mark.parametrize(
    ("budget", "per_window"),
    [(Budget(users_per_window=1000, window_seconds=10, safety=1.0), 1000), (Budget(users_per_window=250), 237)],
)
def test_no_window_exceeds_the_usable_budget(budget: Budget, per_window: int) -> None:
    plan = plan_for(3000, page_size=100, budget=budget)
    by_delay: dict[int, int] = {}
    tasks = schedule(plan)
    while True:
        for t in tasks:
            if isinstance(t.task, PageTask):
                by_delay[t.delay_seconds] = by_delay.get(t.delay_seconds, 0) + t.task.results
        if not isinstance(tasks[-1].task, ContinueTask):
            break
        tasks = schedule(plan, tasks[-1].task.next_page, tasks[-1].task.first_delay_seconds)
    assert max(by_delay.values()) <= per_window


@pytest.mark.parametrize(
    ("users", "page_size", "parameter"),
    [
        (0, 100, "users"),
        (1_000_001, 5000, "users"),
        (100, 0, "page_size"),
        (100, 5001, "page_size"),
        (1_000_000, 50, "users"),
    ],
)
def test_out_of_bounds_parameters_are_named(users: int, page_size: int, parameter: str) -> None:
    with pytest.raises(PlanError) as error:
        plan_for(users, page_size)
    assert error.value.parameter == parameter
