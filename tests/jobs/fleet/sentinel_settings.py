"""The suite's settings with Redis reached through the Sentinels a test started.

``RQ_QUEUES`` names Sentinels and a master name, as a deployment would; the addresses
come from the environment (:data:`tests.jobs.fleet.sentinel_config.SENTINELS_VARIABLE`).
"""

import os

from tests.jobs.fleet.sentinel_config import SENTINELS_VARIABLE, parse, rq_queues
from tests.settings import *  # noqa: F403 - the suite's settings, Redis aside
from tests.settings import JOBS

RQ_QUEUES = rq_queues(parse(os.environ[SENTINELS_VARIABLE]), JOBS["QUEUES"])
