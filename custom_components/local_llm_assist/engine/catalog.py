"""The model catalog shipped with the integration (catalog.json beside the integration code)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INTEGRATION_DIR = Path(__file__).resolve().parent.parent
CATALOG_FILE = INTEGRATION_DIR / "catalog.json"
PROMPT_STYLES = ("full", "compact")


@dataclass(frozen=True)
class CatalogAdapter:
    """A LoRA adapter shipped inside the integration, applied on top of the entry's model file."""

    file: str  # relative to the integration's folder
    sha256: str
    scale: float = 1.0

    @property
    def path(self) -> Path:
        return INTEGRATION_DIR / self.file


@dataclass(frozen=True)
class CatalogModel:
    id: str
    role: str  # "llm" or "stt"
    name: str
    file: str
    url: str | None
    size: int | None  # exact bytes, when verified
    approx_size_mb: int | None
    sha256: str | None
    verified: bool
    license: str
    ram_gb: float | None
    good_for: str
    adapter: CatalogAdapter | None = None
    # The prompt a model wants: "full" (instructions and worked examples), or "compact" for a model
    # fine-tuned on our format, which needs neither (a shorter prompt is also a faster one).
    prompt_style: str = "full"

    @property
    def size_mb(self) -> int | None:
        return round(self.size / 1_000_000) if self.size else self.approx_size_mb

    def label(self) -> str:
        """One line for a picker: what it is, what it costs, what it is for."""
        size = f"{self.size_mb} MB" if self.size_mb else "size unknown"
        approx = "" if self.verified else " (approx.)"
        ram = f", ~{self.ram_gb} GB RAM" if self.ram_gb else ""
        return f"{self.name}: {size}{approx}{ram}, {self.license}. {self.good_for}"


def load_catalog(path: Path = CATALOG_FILE) -> list[CatalogModel]:
    """Read the catalog (blocking file I/O: call it from an executor in Home Assistant)."""
    entries: list[dict[str, Any]] = json.loads(path.read_text())["models"]
    return [
        CatalogModel(
            id=entry["id"],
            role=entry["role"],
            name=entry["name"],
            file=entry["file"],
            url=entry.get("url"),
            size=entry.get("size"),
            approx_size_mb=entry.get("approx_size_mb"),
            sha256=entry.get("sha256"),
            verified=bool(entry.get("verified")),
            license=entry["license"],
            ram_gb=entry.get("ram_gb"),
            good_for=entry.get("good_for", ""),
            adapter=_adapter(entry.get("adapter")),
            prompt_style=_prompt_style(entry.get("prompt_style", "full")),
        )
        for entry in entries
    ]


def _adapter(entry: dict[str, Any] | None) -> CatalogAdapter | None:
    if entry is None:
        return None
    return CatalogAdapter(file=entry["file"], sha256=entry["sha256"], scale=float(entry.get("scale", 1.0)))


def _prompt_style(style: str) -> str:
    if style not in PROMPT_STYLES:
        raise ValueError(f"unknown prompt style {style!r}: one of {', '.join(PROMPT_STYLES)}")
    return style


def downloadable_llms(catalog: list[CatalogModel]) -> list[CatalogModel]:
    return [model for model in catalog if model.role == "llm" and model.url]
