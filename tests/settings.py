"""Settings for the test suite: the example project's, plus the suite's own tasks.

Pytest (``DJANGO_SETTINGS_MODULE``) and every worker and scheduler subprocess the tests
start use this module, so ``tests.*`` tasks are registered wherever a job may run. The
example project's ``demo.*`` tasks stay registered for the tests about the project.
"""

from project.settings import *  # noqa: F403 - the example project's settings, unchanged
from project.settings import JOBS

JOBS = {
    **JOBS,
    "TASK_MODULES": [
        *JOBS["TASK_MODULES"],
        "tests.tasks",
        "tests.adopt_tasks",
        "tests.fast_tasks",
        "tests.flow_tasks",
        "tests.workflow_tasks",
        "tests.backends_tasks",
    ],
    "FLOW_BREAKERS": {
        "tests-bank": {
            "threshold": 3,
            "window": 60,
            "recovery": 3,
            "ignore": ["tests.flow_tasks.NotAtTheBank"],
        }
    },
}
