"""Content Credentials (C2PA) over real HTTP against studio subprocesses on the preview engine:
every finished MP4 carries a signed manifest that c2pa's own Reader validates.

The studio signs with a CA it made itself (no STUDIO_C2PA_CERT), which no trust list holds, so a
reader's verdict is "Valid" (the manifest and the file's hash check out) and not "Trusted": the one
failure is `signingCredential.untrusted`. With an operator's certificate from a CA on the reader's
trust list the same file reads "Trusted"."""

from __future__ import annotations

import io
import json
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import av
import c2pa  # type: ignore[import-untyped]
import httpx

from tests.support.media import tiny_mp4, top_level_boxes
from tests.support.storyboards import create as create_board
from tests.support.storyboards import shot, wait_board
from tests.support.studio import BACKEND, StudioServer

TINY = {"model": "preview", "size": "64x64", "seconds": "1"}
IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"


def make(studio: StudioServer, client: httpx.Client, path: str = "/v1/videos", **fields: Any) -> dict:
    answer = client.post(path, json=fields)
    assert answer.status_code == 201, answer.text
    done = studio.wait_for(answer.json()["id"])
    assert done["status"] == "completed", done
    return done


def read(data: bytes) -> tuple[str, dict, dict]:
    with c2pa.Reader("video/mp4", io.BytesIO(data)) as reader:
        return reader.get_validation_state(), reader.get_validation_results(), reader.get_active_manifest()


def failures(results: dict) -> list[str]:
    return [item["code"] for item in results["activeManifest"]["failure"]]


def assertion(manifest: dict, label: str) -> dict:
    return next(a["data"] for a in manifest["assertions"] if a["label"].startswith(label))


def test_a_generated_video_is_signed_and_a_changed_byte_reads_invalid(studio_factory) -> None:
    studio = studio_factory()
    with studio.client() as client:
        done = make(studio, client, prompt="a red kite over dunes", negative_prompt="fog", seed=11, **TINY)
        data = client.get(done["content_url"]).content
        assert len(data) == done["metadata"]["bytes"]
        state, results, manifest = read(data)
        # Self-made CA: valid but untrusted (module docstring); nothing else fails.
        assert state == "Valid" and failures(results) == ["signingCredential.untrusted"], results
        assert manifest["claim_generator_info"][0]["name"] == "Video Studio"
        [action] = assertion(manifest, "c2pa.actions")["actions"]
        assert action["action"] == "c2pa.created"
        assert action["digitalSourceType"] == IPTC + "algorithmicMedia"  # the preview engine is not AI
        assert "preview" in action["softwareAgent"]["name"]
        settings = assertion(manifest, "org.videostudio.settings")
        assert settings["prompt"] == "a red kite over dunes" and settings["negative_prompt"] == "fog"
        assert settings["seed"] == 11 and settings["steps"] == 12 and settings["size"] == "64x64"
        assert settings["length"]["frames"] == done["metadata"]["frames"] and settings["model"].endswith("(preview)")
        with av.open(io.BytesIO(data), mode="r") as container:  # still a playable MP4, moov first
            assert len(list(container.decode(video=0))) == done["metadata"]["frames"]
            tag = json.loads(container.metadata["comment"])  # the settings as a plain tag too
        assert tag["prompt"] == "a red kite over dunes" and tag["seed"] == 11 and tag["size"] == "64x64"
        assert top_level_boxes(data).index(b"moov") < top_level_boxes(data).index(b"mdat")

        answer = client.get(f"/v1/videos/{done['id']}/credentials").json()
        assert answer["signed"] and answer["validation_state"] == "Valid"
        assert answer["manifest_store"]["active_manifest"] == manifest["label"]

        # A byte of the picture changed: the file's hash no longer matches its manifest.
        stored = studio.data_dir / "media" / "videos" / f"{done['id']}.mp4"
        tampered = bytearray(stored.read_bytes())
        tampered[tampered.find(b"mdat") + 64] ^= 0xFF
        stored.write_bytes(bytes(tampered))
        state, results, _ = read(bytes(tampered))
        assert state == "Invalid" and "assertion.bmffHash.mismatch" in failures(results), results
        answer = client.get(f"/v1/videos/{done['id']}/credentials").json()
        assert answer["signed"] and answer["validation_state"] == "Invalid"

        # The signing key: 0600, and never in an answer or the log.
        key_file = studio.data_dir / "c2pa" / "signer.key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert stat.S_IMODE((studio.data_dir / "c2pa" / "ca.key").stat().st_mode) == 0o600
        secret = "".join(key_file.read_text().splitlines()[1:-1])[:40]
        assert secret not in str(answer) and secret not in studio.log_path.read_text()
        assert client.get("/v1/videos/video_nope/credentials").status_code == 404


def test_an_extend_and_a_remix_name_their_source_as_ingredient(studio_factory) -> None:
    studio = studio_factory()
    with studio.client() as client:
        source = make(studio, client, prompt="a boat", seed=3, **TINY)
        longer = make(
            studio, client, "/v1/videos/extensions", video={"id": source["id"]}, prompt="it sails", seconds="1"
        )
        remixed = make(studio, client, f"/v1/videos/{source['id']}/remix", prompt="a red boat")
        for made, how in ((longer, "extended"), (remixed, "remixed")):
            state, results, manifest = read(client.get(made["content_url"]).content)
            assert state == "Valid" and failures(results) == ["signingCredential.untrusted"], results
            [parent] = manifest["ingredients"]
            assert parent["relationship"] == "parentOf" and parent["title"] == f"video {source['id']}"
            actions = assertion(manifest, "c2pa.actions")["actions"]
            assert [a["action"] for a in actions] == ["c2pa.opened", "c2pa.edited"] and actions[1]["description"] == how
            assert len(actions[0]["parameters"]["ingredients"]) == 1


def test_a_storyboard_join_has_its_shots_as_ingredients(studio_factory) -> None:
    studio = studio_factory()
    with studio.client() as client:
        board = wait_board(client, create_board(client, [shot("a red sky", seed=1), shot("a blue sea", seed=2)])["id"])
        state, results, manifest = read(client.get(board["content_url"]).content)
        assert state == "Valid" and failures(results) == ["signingCredential.untrusted"], results
        ids = [f"video {s['video_id']}" for s in board["shots"]]
        assert [i["title"] for i in manifest["ingredients"]] == ids
        assert [i["relationship"] for i in manifest["ingredients"]] == ["parentOf", "componentOf"]
        assert assertion(manifest, "org.videostudio.settings")["storyboard_id"] == board["id"]


def test_a_sweep_grid_has_its_cells_as_ingredients(studio_factory) -> None:
    studio = studio_factory()
    base = {"prompt": "a grid", "size": "64x64", "num_frames": 3}
    with studio.client() as client:
        answer = client.post("/v1/videos/sweeps", json={"base": base, "axes": [{"param": "seed", "values": [1, 2]}]})
        assert answer.status_code == 201, answer.text
        made = answer.json()
        for cell in made["cells"]:
            studio.wait_for_as(client, cell["video_id"])
        made = client.get(f"/v1/videos/sweeps/{made['id']}").json()
        state, results, manifest = read(client.get(made["content_url"]).content)
        assert state == "Valid" and failures(results) == ["signingCredential.untrusted"], results
        assert [i["title"] for i in manifest["ingredients"]] == [f"video {c['video_id']}" for c in made["cells"]]
        assert assertion(manifest, "c2pa.actions")["actions"][1]["description"] == "gridded"


def test_omit_prompt_leaves_no_prompt_text_in_the_file(studio_factory) -> None:
    studio = studio_factory(STUDIO_C2PA_OMIT_PROMPT="true")
    with studio.client() as client:
        done = make(studio, client, prompt="zebracorn-secret-words", negative_prompt="hushed-negative", **TINY)
        data = client.get(done["content_url"]).content
        assert b"zebracorn" not in data and b"hushed-negative" not in data
        state, _, manifest = read(data)
        settings = assertion(manifest, "org.videostudio.settings")
        assert state == "Valid" and settings["prompt_omitted"] is True and "prompt" not in settings
        with av.open(io.BytesIO(data), mode="r") as container:
            assert json.loads(container.metadata["comment"])["prompt_omitted"] is True


def test_signcredentials_signs_an_older_unsigned_video_in_place(studio_factory) -> None:
    studio = studio_factory()
    with studio.client() as client:
        done = make(studio, client, prompt="an older video", **TINY)
        stored = studio.data_dir / "media" / "videos" / f"{done['id']}.mp4"
        stored.write_bytes(tiny_mp4())  # as a video made before the studio signed
        assert client.get(f"/v1/videos/{done['id']}/credentials").json()["signed"] is False
        command = [sys.executable, "manage.py", "signcredentials"]
        run = subprocess.run(command, cwd=BACKEND, env=studio.env(), capture_output=True, text=True, timeout=60)
        assert run.returncode == 0 and f"{done['id']}: signed" in run.stdout, run.stderr
        state, results, manifest = read(stored.read_bytes())
        assert state == "Valid" and failures(results) == ["signingCredential.untrusted"]
        assert assertion(manifest, "org.videostudio.settings")["prompt"] == "an older video"
        again = subprocess.run(command, cwd=BACKEND, env=studio.env(), capture_output=True, text=True, timeout=60)
        assert "0 signed, 1 already signed" in again.stdout
        assert client.get(f"/v1/videos/{done['id']}/credentials").json()["validation_state"] == "Valid"


def test_an_operators_certificate_signs(tmp_path: Path, studio_factory) -> None:
    """The operator's PEM chain and key are used as given (here: a chain the test makes the way the
    studio would, in another folder)."""
    maker = subprocess.run(
        [sys.executable, "-c", MAKE_CHAIN, str(tmp_path / "op")], cwd=BACKEND, capture_output=True, text=True
    )
    assert maker.returncode == 0, maker.stderr
    chain, key = tmp_path / "op" / "c2pa" / "chain.pem", tmp_path / "op" / "c2pa" / "signer.key"
    studio = studio_factory(STUDIO_C2PA_CERT=str(chain), STUDIO_C2PA_KEY=str(key))
    with studio.client() as client:
        done = make(studio, client, prompt="the operator's", **TINY)
        _, _, manifest = read(client.get(done["content_url"]).content)
        assert manifest["signature_info"]["common_name"] == "Video Studio content signer"
        assert not (studio.data_dir / "c2pa").exists()  # nothing self-made when the operator gives one


MAKE_CHAIN = """
import sys
from pathlib import Path
from django.conf import settings
settings.configure(DATA_DIR=Path(sys.argv[1]), STUDIO_C2PA_CERT="", STUDIO_C2PA_KEY="", STUDIO_C2PA_TSA_URL="")
from videos.files.credentials import identity
identity.load()
"""


def test_the_self_made_leaf_meets_c2pas_certificate_profile(settings, tmp_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID

    from videos.files.credentials import identity

    settings.DATA_DIR, settings.STUDIO_C2PA_CERT, settings.STUDIO_C2PA_KEY = tmp_path, "", ""
    made = identity.load()
    assert made.self_made and "PRIVATE" not in repr(made)
    leaf, ca = x509.load_pem_x509_certificates(made.cert_chain_pem)
    key = leaf.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1"
    assert leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and not usage.key_cert_sign
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.EMAIL_PROTECTION]
    aki = leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    assert leaf.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    assert leaf.issuer == ca.subject and ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert identity.load().cert_chain_pem == made.cert_chain_pem  # made once, then read back
    assert stat.S_IMODE((tmp_path / "c2pa").stat().st_mode) == 0o700


def test_processes_starting_together_share_one_self_made_identity(tmp_path: Path) -> None:
    """Workers that sign their first video at once make one CA and leaf between them (a lock),
    never a key from one and a certificate from another."""
    script = MAKE_CHAIN + "made = identity.load()\nidentity._check_operator(made.cert_chain_pem, made.key_pem)\n"
    script += "print(made.cert_chain_pem.hex()[-64:])\n"
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], cwd=BACKEND, stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    outs = [proc.communicate(timeout=60)[0].strip() for proc in procs]
    assert all(proc.returncode == 0 for proc in procs) and len(set(outs)) == 1, outs
