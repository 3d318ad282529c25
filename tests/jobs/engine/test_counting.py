"""Counters of several attempts, summed in the process and sent in one pipeline."""

from __future__ import annotations

from jobs.engine import counting


def test_sums_send_one_increment_per_counter_and_every_sample(redis):
    sums = counting.Sums()
    for runtime in (3, 5, 7):
        sums.hincrby("counts", "succeeded", 1)
        sums.hincrby("counts", "runtime_ms", runtime)
        sums.lpush("samples", runtime)
        sums.ltrim("samples", 0, 1)
    sums.send(redis)
    assert redis.hgetall("counts") == {b"succeeded": b"3", b"runtime_ms": b"15"}
    assert redis.lrange("samples", 0, -1) == [b"7", b"5"], "newest first, trimmed once"
    sums.send(redis)
    assert redis.hget("counts", "succeeded") == b"3", "what was sent is sent once"


def test_without_a_batch_each_attempt_sends_its_own_pipeline(redis):
    with counting.sink(redis) as pipe:
        pipe.hincrby("counts", "failed", 1)
    assert redis.hget("counts", "failed") == b"1"


def test_a_batch_holds_the_counts_until_sent_and_stops_with_its_worker(redis):
    counting.batch()
    try:
        with counting.sink(redis) as pipe:
            pipe.hincrby("counts", "failed", 1)
        assert redis.hget("counts", "failed") is None
    finally:
        counting.stop_batching(redis)
    assert redis.hget("counts", "failed") == b"1"
    with counting.sink(redis) as pipe:
        pipe.hincrby("counts", "failed", 1)
    assert redis.hget("counts", "failed") == b"2", "a pipeline per attempt again"
