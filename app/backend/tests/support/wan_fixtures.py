"""The tiny local Wan pipelines the local engine's tests run (tests/test_local_wan.py and
tests/test_local_wan_extend_edit.py): each kind (t2v, ti2v, i2v) built in code and saved in the
Diffusers folder layout once per test module, and one t2v and one ti2v provider per module, so
their pipelines load once (as in the studio). A pytest plugin: those tests name it in
`pytest_plugins` (tests/conftest.py belongs to the studio).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.wan_tiny import save_tiny_pipeline
from videos.providers.local_wan.engine import LocalWanProvider


@pytest.fixture(scope="module")
def t2v_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_pipeline(tmp_path_factory.mktemp("wan") / "t2v", "t2v")


@pytest.fixture(scope="module")
def ti2v_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_pipeline(tmp_path_factory.mktemp("wan") / "ti2v", "ti2v")


@pytest.fixture(scope="module")
def i2v_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_pipeline(tmp_path_factory.mktemp("wan") / "i2v", "i2v")


@pytest.fixture(scope="module")
def t2v(t2v_dir: Path) -> LocalWanProvider:
    """One provider for the module, so the pipeline loads once (as in the studio)."""
    return LocalWanProvider(str(t2v_dir), device="cpu")


@pytest.fixture(scope="module")
def ti2v(ti2v_dir: Path) -> LocalWanProvider:
    return LocalWanProvider(str(ti2v_dir), device="cpu")


@pytest.fixture
def red_png(tmp_path: Path) -> Path:
    from PIL import Image

    path = tmp_path / "red.png"
    Image.new("RGB", (120, 60), (220, 30, 30)).save(path)
    return path
