"""The fast lane: a Jobdesk worker that runs jobs in its own process, N at a time.

:class:`jobs.engine.fastlane.worker.FastWorker` is an RQ worker (listed by ``rq info`` and
django-rq, jobs keep their RQ ids) with every rule of the forking class (paused queues,
JSON only, leases, lost attempts, foreign jobs refused: the same mixins), but no fork per
job: each job runs in one of its slot threads (:mod:`.slots`), ``async def`` tasks on one
event loop shared by the slots (:mod:`.aio`), timeouts and stop commands are enforced by
its monitor thread (:mod:`.monitor`), which also renews leases and heartbeats, jobs may
be taken in bounded batches (:mod:`.prefetch`), and it
recycles itself (exit status 0) after N jobs or M MiB (:mod:`jobs.engine.recycling`). A job still
running when a stop's shutdown timeout runs out is given back to its queue without
consuming an attempt (:mod:`jobs.engine.giveback`).
"""
