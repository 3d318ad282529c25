"""Reading a queue's figures never writes; pausing creates the row it needs."""

from __future__ import annotations

import pytest

from jobs.exceptions import UnknownQueue
from jobs.models import QueueStats
from jobs.services import pause_queue
from jobs.services.queues import get_queue_stats


@pytest.mark.django_db
def test_reading_a_queue_before_the_housekeepers_first_pass_writes_nothing(django_assert_num_queries):
    with django_assert_num_queries(1):
        stats = get_queue_stats("normal")
    assert (stats.name, stats.pk, stats.waiting, stats.paused) == ("normal", None, 0, False)
    assert not QueueStats.objects.exists()


@pytest.mark.django_db
def test_an_unknown_queue_is_refused_without_a_query(django_assert_num_queries):
    with django_assert_num_queries(0), pytest.raises(UnknownQueue, match="the queues are high, normal, low"):
        get_queue_stats("nowhere")


@pytest.mark.django_db(transaction=True)
def test_pausing_a_queue_with_no_row_yet_creates_it_paused():
    pause_queue("low")
    assert QueueStats.objects.get(name="low").paused is True
    assert get_queue_stats("low").paused is True
