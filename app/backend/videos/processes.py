"""Whether a process of this host is still there: leases and claims held by a dead one are freed
(videos/queue/recovery.py for jobs, videos/webhooks/worker.py for deliveries)."""

from __future__ import annotations

import os


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True
