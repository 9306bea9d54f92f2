"""Reading a local Wan model folder (or cached repo) without torch: what it is and whether
it is complete. The engine and the status line both use it, so a core install can say
precisely what is missing before anything heavy is imported."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from videos.providers.base import ProviderError

EXTRA_HINT = (
    "pip install --no-deps torch==2.13.0 && pip install --require-hashes -r app/backend/requirements-local.lock"
)
DOCS_HINT = "see docs/local-engine.md"
DEFAULT_SIZE = (832, 480)  # Wan 2.1 / 2.2 480p; every Wan model was trained at it
TI2V_DEFAULT_SIZE = (1280, 704)  # Wan2.2 TI2V-5B's native 720p
_SUPPORTED_PIPELINES = ("WanPipeline", "WanImageToVideoPipeline")
_WEIGHT_COMPONENTS = ("transformer", "transformer_2", "vae", "text_encoder", "image_encoder")
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".safetensors.index.json", ".bin.index.json")
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass(frozen=True)
class ModelInfo:
    """What the model folder says about itself, read from its JSON configs (no torch)."""

    folder: Path
    pipeline_class: str  # WanPipeline | WanImageToVideoPipeline
    expand_timesteps: bool  # Wan2.2 TI2V-5B: one model for text- and image-to-video
    size_multiple: int  # VAE spatial factor x transformer patch: 16 (Wan 2.1/A14B), 32 (TI2V)
    temporal_factor: int  # frames must be temporal_factor * k + 1
    default_size: tuple[int, int]
    # Wan 2.2 A14B: a high-noise and a low-noise transformer (transformer_2) share the steps.
    two_experts: bool = False

    @property
    def image_to_video(self) -> bool:
        return self.pipeline_class == "WanImageToVideoPipeline" or self.expand_timesteps

    @property
    def text_to_video(self) -> bool:
        return self.pipeline_class == "WanPipeline"

    @property
    def video_to_video(self) -> bool:
        """Edits a clip through diffusers' WanVideoToVideoPipeline over the same modules.

        That pipeline runs one transformer on text-conditioned latents: Wan 2.1 T2V (1.3B,
        14B) and Wan 2.2 TI2V-5B fit it; image-only models (their transformer also takes the
        image's channels) and two-expert Wan 2.2 A14B models (it would run the high-noise
        expert alone on every step) do not.
        """
        return self.text_to_video and not self.two_experts

    @property
    def kind(self) -> str:
        if self.expand_timesteps:
            return "Wan 2.2 TI2V (text- and image-to-video)"
        return "Wan image-to-video" if not self.text_to_video else "Wan text-to-video"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as exc:
        raise ProviderError("not_configured", f"Cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ProviderError("not_configured", f"{path} is not a JSON object.")
    return data


def _resolve_folder(model_path: str | None) -> Path:
    """A local folder as given, or a repo id looked up in the Hugging Face cache only."""
    if not model_path or not model_path.strip():
        raise ProviderError(
            "not_configured",
            "No local model is configured: set LOCAL_WAN_MODEL_PATH to a Wan 2.1/2.2 "
            f"Diffusers folder or a cached repo id ({DOCS_HINT}).",
        )
    raw = model_path.strip()
    path = Path(raw).expanduser()
    if path.exists():
        if not path.is_dir():
            raise ProviderError("not_configured", f"The local model path {path} is a file, not a folder.")
        return path.resolve()
    if _REPO_ID.match(raw) and not raw.startswith((".", "~")):
        try:
            from huggingface_hub import snapshot_download
        except ImportError as exc:
            raise ProviderError(
                "not_configured",
                f"The local engine's optional extra is not installed ({EXTRA_HINT}).",
            ) from exc
        try:
            # local_files_only: resolves the cached snapshot, never touches the network.
            return Path(snapshot_download(raw, local_files_only=True))
        except Exception as exc:  # LocalEntryNotFoundError and friends
            raise ProviderError(
                "not_configured",
                f"The model {raw} is not in the Hugging Face cache on this machine, and "
                f"nothing is downloaded here: copy its Diffusers folder in place and point "
                f"LOCAL_WAN_MODEL_PATH at it ({DOCS_HINT}).",
            ) from exc
    raise ProviderError(
        "not_configured",
        f"The local model folder {path} does not exist: put a Wan 2.1/2.2 Diffusers model "
        f"there or change LOCAL_WAN_MODEL_PATH ({DOCS_HINT}).",
    )


def inspect_model(model_path: str | None) -> ModelInfo:
    """Check that `model_path` holds a complete Wan Diffusers model; raise not_configured."""
    folder = _resolve_folder(model_path)
    index_path = folder / "model_index.json"
    if not index_path.is_file():
        raise ProviderError(
            "not_configured",
            f"{folder} holds no Wan model (no model_index.json): put a Wan 2.1/2.2 "
            f"Diffusers folder there ({DOCS_HINT}).",
        )
    index = _read_json(index_path)
    cls = index.get("_class_name")
    if cls not in _SUPPORTED_PIPELINES:
        raise ProviderError(
            "not_configured",
            f"{folder} holds a {cls or 'unknown'} model; the local engine runs "
            f"{' and '.join(_SUPPORTED_PIPELINES)} (Wan 2.1 / 2.2 text- or image-to-video).",
        )
    for name, spec in index.items():
        if name.startswith("_") or not isinstance(spec, list) or spec[:1] == [None]:
            continue
        sub = folder / name
        if not sub.is_dir():
            raise ProviderError("not_configured", f"{folder} is incomplete: the '{name}' folder is missing.")
        if name in _WEIGHT_COMPONENTS and not any(f.name.endswith(_WEIGHT_SUFFIXES) for f in sub.iterdir()):
            raise ProviderError("not_configured", f"{folder} is incomplete: no weights in '{name}/'.")
    vae_cfg = _read_json(folder / "vae" / "config.json")
    tname = "transformer" if (folder / "transformer" / "config.json").is_file() else "transformer_2"
    t_cfg = _read_json(folder / tname / "config.json")
    patch = t_cfg.get("patch_size") or [1, 2, 2]
    multiple = int(vae_cfg.get("scale_factor_spatial", 8)) * int(patch[1])
    expand = bool(index.get("expand_timesteps", False))
    second = index.get("transformer_2")
    return ModelInfo(
        folder=folder,
        pipeline_class=cls,
        expand_timesteps=expand,
        size_multiple=multiple,
        temporal_factor=int(vae_cfg.get("scale_factor_temporal", 4)),
        default_size=TI2V_DEFAULT_SIZE if expand else DEFAULT_SIZE,
        two_experts=isinstance(second, list) and bool(second) and second[0] is not None,
    )
