"""Tasks of the example project.

The ``demo.*`` tasks are the small ones the README lists (tests use them too); the
others are modelled on the job types of real applications — notifications, imports,
reports, exchange rates — with retry policies to match, so the dashboard has
something real to show.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from decimal import Decimal

from jobs import Backoff, task

logger = logging.getLogger(__name__)


@task(name="demo.add")
def add(a: float, b: float) -> float:
    """Return a + b."""
    return a + b


@task(name="demo.noop")
def noop() -> None:
    """Do nothing: what throughput benchmarks measure."""


@task(name="demo.sleep", takes_context=True, timeout=3600)
def sleep(context, seconds: float) -> float:
    """Sleep, reporting progress every second."""
    started = time.monotonic()
    whole = max(int(seconds), 1)
    for second in range(whole):
        time.sleep(min(1.0, seconds - second) if seconds < whole else 1.0)
        context.progress(100 * (second + 1) / whole, f"slept {second + 1} of {whole} s")
    return round(time.monotonic() - started, 3)


@task(name="demo.fail")
def fail(message: str) -> None:
    """Raise, always: what failure handling is tested with."""
    raise RuntimeError(message)


@task(name="demo.flaky", takes_context=True, max_attempts=5, backoff=Backoff("fixed", initial=0.0))
def flaky(context, fail_times: int) -> int:
    """Fail while the attempt number is at most ``fail_times``, then succeed."""
    if context.attempt <= fail_times:
        raise RuntimeError(f"attempt {context.attempt} fails on purpose")
    return context.attempt


@task(
    name="notifications.send",
    queue="high",
    priority="high",
    max_attempts=3,
    backoff=Backoff("exponential", initial=0.5, max_delay=5, jitter=0.1),
    timeout=10,
)
def send_notification(user_id: int, channel: str, message: str) -> dict:
    """Deliver a push, email or SMS notification (simulated)."""
    if channel not in {"push", "email", "sms"}:
        raise ValueError(f"unknown channel {channel!r}")
    time.sleep(random.uniform(0.01, 0.05))
    logger.info("sent %s notification to user %s", channel, user_id)
    return {"user_id": user_id, "channel": channel, "delivered": True}


@task(
    name="transactions.import",
    takes_context=True,
    max_attempts=5,
    backoff=Backoff("linear", initial=5, max_delay=30),
    timeout=300,
)
def import_transactions(context, account_id: int, count: int = 200) -> dict:
    """Import a bank account's transactions in batches, reporting progress."""
    batches = max(1, count // 50)
    imported = 0
    for batch in range(batches):
        time.sleep(0.2)
        imported += min(50, count - imported)
        context.progress(100 * (batch + 1) / batches, f"imported {imported} of {count}")
    return {"account_id": account_id, "imported": imported}


@task(name="reports.generate", queue="low", max_attempts=2, backoff=Backoff("fixed", initial=60), timeout=600)
def generate_report(user_id: int, kind: str = "monthly") -> dict:
    """Build a report or data export (simulated) and return where it is."""
    time.sleep(0.5)
    digest = hashlib.sha256(f"{user_id}:{kind}:{time.time()}".encode()).hexdigest()[:12]
    return {"user_id": user_id, "kind": kind, "file": f"reports/{kind}-{user_id}-{digest}.csv"}


@task(name="currency.update_rates", max_attempts=3, backoff=Backoff("exponential", initial=2, max_delay=60))
def update_currency_rates(base: str = "USD") -> dict:
    """Refresh exchange rates (simulated figures)."""
    rates = {
        code: str(Decimal(random.uniform(0.5, 6)).quantize(Decimal("0.0001")))
        for code in ("EUR", "BRL", "GBP")
    }
    return {"base": base, "rates": rates}


@task(name="subscriptions.detect", queue="low", timeout=900)
def detect_subscriptions(days: int = 90) -> dict:
    """Look for recurring payments in recent transactions (simulated)."""
    time.sleep(0.3)
    return {"days": days, "subscriptions_found": random.randint(0, 12)}


@task(name="budgets.weekly_analysis", queue="low", timeout=900)
def weekly_budget_analysis() -> dict:
    """Compare each budget with last week's spending (simulated)."""
    time.sleep(0.3)
    return {"budgets_checked": random.randint(10, 50)}


@task(name="security.scan", queue="low", timeout=1800)
def security_scan() -> dict:
    """Scan for suspicious logins (simulated)."""
    time.sleep(0.3)
    return {"alerts": 0}


CATEGORIES = {"market": "groceries", "uber": "transport", "netflix": "subscriptions", "pharmacy": "health"}


@task(name="transactions.categorise", on_event="transaction.created", max_attempts=3)
def categorise_transaction(transaction_id: int, amount: float, description: str = "") -> dict:
    """Put a newly created transaction in a spending category (runs on ``transaction.created``)."""
    words = description.lower()
    category = next((name for word, name in CATEGORIES.items() if word in words), "other")
    return {"transaction_id": transaction_id, "amount": amount, "category": category}


@task(name="reports.collect", queue="low")
def collect_report_data(day: str) -> dict:
    """Gather a day's figures for the nightly report (the first link of its chain)."""
    time.sleep(0.2)
    return {"day": day, "transactions": random.randint(100, 1000)}


@task(name="reports.render", queue="low")
def render_report(data: dict, fmt: str = "pdf") -> str:
    """Render the collected figures in one format (the chain's group, one node per format)."""
    time.sleep(0.2)
    return f"reports/nightly-{data['day']}.{fmt}"


@task(name="reports.deliver", queue="low")
def deliver_report(files: list) -> dict:
    """Mail the rendered files (the chain's last link gets the group's results)."""
    return {"sent": files}


@task(name="notifications.batch_done")
def notification_batch_done(summary: dict) -> dict:
    """A batch's callback: receives its summary (total, succeeded, failed)."""
    logger.info(
        "notification batch %s: %s of %s delivered", summary["name"], summary["succeeded"], summary["total"]
    )
    return summary
