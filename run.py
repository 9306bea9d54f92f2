#!/usr/bin/env python3
"""Video Studio launcher and setup wizard. Standard library only.

python3 run.py              set up (venv, dependencies, app/.env, web page, database) and run
python3 run.py test         set up everything the tests need, run the code checks and every test
python3 run.py check        the code checks only: ruff, mypy, eslint, prettier, tsc, import-linter
python3 run.py lock         compile app/backend/requirements*.txt into the hashed locks beside them
python3 run.py worker       run Celery workers (VIDEO_JOB_BACKEND=celery; docs/scale.md)
python3 run.py generate "a prompt" [--steps 12 --seed 0 --out clip.mp4 --provider preview --in-process]
python3 run.py adduser NAME create a login (required to listen beyond 127.0.0.1)
python3 run.py serve        serve this machine's engines behind the tt-media-server video API
python3 run.py --help-env   explain every setting in app/.env
python3 run.py --help       all commands and options

The work is done by the package launcher/ beside this file (see its __init__.py).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from launcher.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
