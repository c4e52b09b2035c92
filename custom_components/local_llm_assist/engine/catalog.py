"""The model catalog shipped with the integration (catalog.json beside the integration code)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CATALOG_FILE = Path(__file__).resolve().parent.parent / "catalog.json"


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
        )
        for entry in entries
    ]


def downloadable_llms(catalog: list[CatalogModel]) -> list[CatalogModel]:
    return [model for model in catalog if model.role == "llm" and model.url]
