"""The built page's files, compressed once ahead of serving (WhiteNoise then sends the .br or
.gz copy to a browser that accepts it, and never compresses per request)."""

from __future__ import annotations

from pathlib import Path

from whitenoise.compress import Compressor


def precompress(dist: Path) -> int:
    """Write .br/.gz beside every compressible file whose copies are missing or stale; returns
    how many files were compressed. (Copies carry their original's mtime: a rebuild shows.)"""
    if not dist.is_dir():
        return 0
    compressor = Compressor(quiet=True)
    done = 0
    for path in sorted(dist.rglob("*")):
        if not path.is_file() or path.suffix in (".br", ".gz") or not compressor.should_compress(path.name):
            continue
        copy = path.with_name(path.name + ".br")
        if copy.exists() and copy.stat().st_mtime == path.stat().st_mtime:
            continue
        compressor.compress(str(path))
        done += 1
    return done
