"""Assemble the real test/demo model files that ship inside PyPI packages, and verify them.

The packages (see models/README.md) carry weights split into parts; this joins the parts into
.cache/models/<file> and checks the sha256 against models/catalog.json. Nothing here imports the
model packages: they are located with importlib's find_spec, which does not run their code.

    python -m toolkit.models assemble      # every model marked "test_package" in the catalog
    python -m toolkit.models path qwen2.5-coder-0.5b-instruct-q4_k_m
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CATALOG_PATH = REPO_ROOT / "models" / "catalog.json"
CACHE_DIR = REPO_ROOT / ".cache" / "models"
# The assembled files the tests, benchmarks and evals run on.
DEFAULT_LLM = CACHE_DIR / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"  # the product's default model
SMOKE_LLM = CACHE_DIR / "SmolLM2-135M-Instruct.Q4_1.gguf"  # the smallest: for tests of plumbing, not answers
FAST_WHISPER = CACHE_DIR / "faster-whisper-tiny.en"
ACCURATE_WHISPER = CACHE_DIR / "faster-whisper-base"
CHUNK_SIZE = 1 << 20


@dataclass(frozen=True)
class PackagedModel:
    """A catalog model that a PyPI package carries, and how to put its file together."""

    model_id: str
    file_name: str
    sha256: str
    parts: list[tuple[str, str]]  # (package module name, file path inside the package)
    # Folder models (CTranslate2 whisper): the parts make model.bin, these files are copied beside it.
    extra_files: list[tuple[str, str]]

    @property
    def is_folder(self) -> bool:
        return self.file_name.endswith("/")


def load_packaged_models() -> dict[str, PackagedModel]:
    catalog = json.loads(CATALOG_PATH.read_text())
    models = {}
    for entry in catalog["models"]:
        package = entry.get("test_package")
        if not package:
            continue
        models[entry["id"]] = PackagedModel(
            model_id=entry["id"],
            file_name=entry["file"],
            sha256=entry["sha256"] or entry["model_bin_sha256"],
            parts=[(part["module"], part["path"]) for part in package["parts"]],
            extra_files=[(extra["module"], extra["path"]) for extra in package.get("extra_files", [])],
        )
    return models


def package_dir(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"model package {module!r} is not installed: run scripts/setup")
    return Path(next(iter(spec.submodule_search_locations)))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def assembled_path(model: PackagedModel) -> Path:
    """The GGUF file, or for a folder model the folder."""
    return CACHE_DIR / model.file_name


def assemble(model: PackagedModel) -> Path:
    if not model.is_folder:
        return join_parts(model, assembled_path(model))
    folder = assembled_path(model)
    folder.mkdir(parents=True, exist_ok=True)
    for module, relative in model.extra_files:
        source = package_dir(module) / relative
        target = folder / source.name
        if not target.exists() or target.read_bytes() != source.read_bytes():
            shutil.copyfile(source, target)
    join_parts(model, folder / "model.bin")
    return folder


def join_parts(model: PackagedModel, target: Path) -> Path:
    """Join the parts once; a file that is already there with the right hash is reused."""
    if target.exists() and file_sha256(target) == model.sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".partial")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for module, relative in model.parts:
            with (package_dir(module) / relative).open("rb") as part:
                while chunk := part.read(CHUNK_SIZE):
                    digest.update(chunk)
                    out.write(chunk)
    if digest.hexdigest() != model.sha256:
        partial.unlink()
        raise SystemExit(f"{model.model_id}: sha256 {digest.hexdigest()} does not match the catalog's {model.sha256}")
    partial.replace(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("assemble", help="assemble and verify every packaged model that is installed")
    path_parser = sub.add_parser("path", help="print the assembled file of one model")
    path_parser.add_argument("model_id")
    args = parser.parse_args(argv)
    models = load_packaged_models()
    if args.command == "path":
        print(assemble(models[args.model_id]))
        return 0
    for model in models.values():
        if all(importlib.util.find_spec(module) for module, _ in model.parts):
            print(f"{model.model_id}: {assemble(model)}")
        else:
            print(f"{model.model_id}: package not installed, skipped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
