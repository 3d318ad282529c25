"""The worker fleet: pools from settings, the supervisor that keeps them sized and healthy.

:mod:`~jobs.engine.fleet.pools` reads ``JOBS["WORKER_POOLS"]``; the supervisor
(:mod:`~jobs.engine.fleet.supervisor`, run by ``manage.py jobs_workers``) starts
``rqworker`` processes (:mod:`~jobs.engine.fleet.process`), measures them
(:mod:`~jobs.engine.fleet.observe`), scales them (:mod:`~jobs.engine.fleet.scaling`),
records them (:mod:`~jobs.engine.fleet.records`) and takes operators' requests
(:mod:`~jobs.engine.fleet.control`).
"""
