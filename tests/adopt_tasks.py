"""Tasks whose type hints the argument checks are tested against (issue 18)."""

from __future__ import annotations

from typing import Literal

from jobs import task


@task(name="tests.typed")
def typed(
    count: int,
    ratio: float = 1.0,
    label: str | None = None,
    mode: Literal["fast", "slow"] = "fast",
    flags: list[bool] | None = None,
    options: dict[str, int] | None = None,
    *,
    dry_run: bool = False,
) -> int:
    return count


@task(name="tests.pair")
def pair(first, second):  # no hints: any JSON values, as they came
    return [first, second]
