"""Content Credentials (C2PA) for the studio's MP4s: `sign` writes a signed manifest into a
finished file (streamed, file to file: never the whole video in memory) and swaps it in place;
`read` answers a file's manifest store and its validation. What the manifest says: manifest.py;
whose key signs: identity.py (docs/security.md)."""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import IO, Any

import c2pa  # type: ignore[import-untyped]  # ships no type hints
from django.conf import settings

from videos.files.credentials import identity
from videos.files.credentials.manifest import Ingredient, Provenance, definition, ingredient_json

__all__ = ["Ingredient", "NoCredentials", "Provenance", "SigningError", "read", "sign"]
log = logging.getLogger(__name__)
MP4 = "video/mp4"
# c2pa-rs keeps its intermediate copy of the file in memory up to this size (default 512 MB), then
# in a temp file: 16 MB keeps a long video's signing from holding another copy of it in memory.
C2PA_SETTINGS = {"core": {"backing_store_memory_threshold_in_mb": 16, "merkle_tree_chunk_size_in_kb": 1024}}


class SigningError(Exception):
    """The file could not be signed; it is left as it was."""


class NoCredentials(Exception):
    """The file carries no C2PA manifest (made before signing, or signing failed)."""


def sign(path: Path, what: Provenance) -> None:
    """Sign the MP4 at `path` in place: written to a sibling file, then renamed over it, so a
    failure leaves the original untouched (and a reader never sees half a file)."""
    started = time.monotonic()
    signed = path.with_name(path.name + ".c2pa.mp4")
    try:
        me = identity.load()
        info = c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, me.cert_chain_pem, me.key_pem, me.tsa_url or None)
        context = c2pa.Context.from_dict(C2PA_SETTINGS)
        with c2pa.Signer.from_info(info) as signer, c2pa.Builder(definition(what, _omit_prompt()), context) as builder:
            for number, item in enumerate(what.ingredients):
                with open(item.path, "rb") as fh:
                    label = "parent" if item.relationship == "parentOf" else f"input{number}"
                    builder.add_ingredient(ingredient_json(item, label), item.mime, fh)
            with open(path, "rb") as source, open(signed, "w+b") as dest:
                builder.sign(signer, MP4, source, dest)
        os.replace(signed, path)
    except (identity.IdentityError, c2pa.C2paError, OSError) as exc:
        signed.unlink(missing_ok=True)
        # c2pa's and the identity's messages name files and codes, never key bytes.
        raise SigningError(f"{type(exc).__name__}: {exc}") from exc
    log.debug("signed %s in %.3f s", path.name, time.monotonic() - started)


def read(stream: IO[bytes]) -> dict[str, Any]:
    """A file's manifest store (c2pa's Reader) with its validation state and results."""
    try:
        with c2pa.Reader(MP4, stream, context=c2pa.Context.from_dict(C2PA_SETTINGS)) as reader:
            store = json.loads(reader.json())
            state = reader.get_validation_state()
            results = reader.get_validation_results()
    except c2pa.C2paError as exc:
        if isinstance(exc, c2pa.C2paError.ManifestNotFound):
            raise NoCredentials(str(exc)) from exc
        # A file whose manifest cannot even be parsed is answered as invalid, not as an error.
        return {"validation_state": "Invalid", "validation_results": None, "error": str(exc), "manifest_store": None}
    return {"validation_state": state, "validation_results": results, "manifest_store": store}


def _omit_prompt() -> bool:
    return bool(getattr(settings, "STUDIO_C2PA_OMIT_PROMPT", False))
