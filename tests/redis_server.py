"""Pytest plugin (loaded with ``-p``, before Django): a throwaway Redis for the suite.

It starts before Django reads its settings, so ``REDIS_URL`` already points at it. The
suite never touches the Redis on 6379; set ``JOBS_TEST_REDIS_URL`` to use a server of
your choosing instead.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from project import embedded_redis

_url = os.environ.get("JOBS_TEST_REDIS_URL")
if not _url:
    _port = embedded_redis.free_port()
    _directory = Path(tempfile.mkdtemp(prefix="jobdesk-test-redis-"))
    _process = embedded_redis.start(_port, _directory)
    atexit.register(shutil.rmtree, _directory, ignore_errors=True)
    atexit.register(_process.kill)
    _url = f"redis://127.0.0.1:{_port}/0"
os.environ["REDIS_URL"] = _url
