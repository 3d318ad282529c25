"""``@both_worker_classes``: run a real-process test with the forking class and the fast lane.

The ``worker_class`` fixture (``tests/jobs/engine/conftest.py``) makes the suite's
``processes.worker(...)`` start the class under test, so the test body is unchanged.
"""

from __future__ import annotations

import pytest

from jobs.conf import FAST_WORKER_CLASS

WORKER_CLASSES = {"forking": (), "fast": ("--worker-class", FAST_WORKER_CLASS)}

both_worker_classes = pytest.mark.parametrize("worker_class", list(WORKER_CLASSES), indirect=True)
