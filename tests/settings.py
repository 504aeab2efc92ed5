"""The settings of the test suite (pytest's ``DJANGO_SETTINGS_MODULE``, see pyproject.toml).

The production settings module does not guess whether it runs under a test runner: the test-only choices
live here. Subprocess tests that start the real ``motcua`` command use ``motcua.settings`` like production.
"""

from __future__ import annotations

import os

from motcua.settings import *  # noqa: F403
from motcua.settings import TASKS

# The test profile: immediate tasks (a notice is sent within the request that caused it), SMS/Zalo to memory
# (motcua.notifications.conf), WhiteNoise serving from the finders. An explicit MOTCUA_ENV still wins.
ENV = os.environ.get("MOTCUA_ENV", "test")
WHITENOISE_USE_FINDERS = True
if "MOTCUA_TASKS_BACKEND" not in os.environ:
    TASKS = {**TASKS, "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# The second factor of staff is tested where it is the subject (tests/accounts/test_two_factor.py turns it on,
# as production has it); the rest of the suite signs officers in with force_login to test what they may do.
MOTCUA_STAFF_2FA = False
