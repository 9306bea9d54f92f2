"""What `python3 run.py` does, in parts: the standard library only, since a fresh machine runs it
before any of the project's packages is installed.

paths     where things are, and the two helpers every part uses
locks     the venv and the hashed requirement locks
envfile   app/.env: first-run wizard, reading it, --help-env
machine   what the machine provides: Debian packages, PostgreSQL and Redis, the web page's build
testing   the code checks and the test runner
cli       the commands and their arguments
"""
