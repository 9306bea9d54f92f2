"""Who is running a job: this process, as host:pid (what recovery checks for liveness).

Read at call time, so every process (a Celery prefork child included) names itself.
"""

from __future__ import annotations

import os
import socket


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"
