"""The server around the Django app: what it stands in for, and why (docs/architecture.md).

server    granian, embedded in runstudio's process: reads the sockets in Rust
edge      the ASGI layer before Django: admission, body limits, the handoffs, replays
bridge    Django's WSGI handler on a small thread pool, one hop per request
front     nginx in front (STUDIO_FRONT=nginx): it sends the files' bytes
handoff   the one header protocol between a view and the edge
replay    the one cache of answers given again for a moment (file grants, status answers, ETAs)
sending   how a handed-off file leaves: granian's path-send, chunks as the client reads, nginx
ranges    HTTP Range parsing
limits    every server limit, once

Nothing here imports the project (studio/); the views use only handoff, replay, ranges,
sending and limits, which import nothing of videos/ (import-linter contracts in pyproject.toml).
"""
