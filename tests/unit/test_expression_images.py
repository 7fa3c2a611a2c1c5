"""The packaged expression images of the default agent: complete, valid and reproducible."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from PIL import Image

from synthetic_soul.domain.expressions import EXPRESSIONS

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "scripts" / "draw_expressions.py"
IMAGE_DIR = Path(str(resources.files("synthetic_soul") / "assets" / "expressions" / "jasmine"))


@pytest.mark.parametrize("name", EXPRESSIONS)
def test_every_expression_has_a_256_png(name: str) -> None:
    path = IMAGE_DIR / f"{name}.png"
    assert path.is_file(), f"missing {path}"
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == (256, 256)
        image.verify()


def test_no_stray_images() -> None:
    names = {p.stem for p in IMAGE_DIR.glob("*.png")}
    assert names == set(EXPRESSIONS)


def _pixels(path: Path) -> bytes:
    with Image.open(path) as image:
        return image.convert("RGBA").tobytes()


def test_script_reproduces_the_committed_images(tmp_path: Path) -> None:
    """Compared by pixels, not bytes: another Pillow/zlib may encode the same picture anew."""
    subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    for name in EXPRESSIONS:
        drawn = _pixels(tmp_path / f"{name}.png")
        committed = _pixels(IMAGE_DIR / f"{name}.png")
        mean_diff = sum(abs(a - b) for a, b in zip(drawn, committed, strict=True)) / len(drawn)
        assert mean_diff < 2.0, f"{name}.png differs from a fresh drawing ({mean_diff:.2f})"
