"""Flow control, enforced: concurrency slots, rate windows and held jobs, in Redis.

The rules live in :mod:`jobs.core.flow`; this package applies them where a worker is
about to start a job (:func:`jobs.engine.flow.gate.claim`, the one call in
:func:`jobs.engine.execution.claim`) and where it records how the job ended
(:func:`jobs.engine.flow.gate.release`). A job over a limit is not failed and uses no
attempt: it goes back to ``scheduled`` with a reason (:mod:`jobs.engine.flow.waiting`),
leaves its queue so jobs of other tasks behind it run, and is woken when a slot frees
or its window opens. Uniqueness and idempotency keys, decided when a job is created,
are in :mod:`jobs.engine.flow.unique`.
"""
