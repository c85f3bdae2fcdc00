"""Data-quality tolerances (expectations/thresholds.yml), loaded and validated."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

THRESHOLDS = Path(__file__).resolve().parents[2] / "expectations" / "thresholds.yml"


class Volume(BaseModel):
    model_config = ConfigDict(extra="forbid")
    history_files: int = Field(10, ge=1)
    min_share_of_median: float = Field(0.5, gt=0, le=1)
    max_probability: float = Field(0.001, gt=0, lt=1)


class RowChecks(BaseModel):
    model_config = ConfigDict(extra="forbid")
    default_mostly: float = Field(1.0, ge=0, le=1)
    mostly: dict[str, float] = {}

    def mostly_for(self, check: str) -> float:
        return self.mostly.get(check, self.default_mostly)


class Provisional(BaseModel):
    model_config = ConfigDict(extra="forbid")
    alarm_share: float = Field(0.02, gt=0, le=1)


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")
    volume: Volume = Volume()
    row_checks: RowChecks = RowChecks()
    provisional: Provisional = Provisional()


@lru_cache
def load_thresholds(path: Path = THRESHOLDS) -> Thresholds:
    try:
        return Thresholds.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except (ValidationError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: {exc}") from exc


def too_few_rows(rows: int, median: float, volume: Volume) -> bool:
    """Whether a file's row count is implausibly low against the source's usual files."""
    from scipy import stats

    if median <= 0 or rows >= volume.min_share_of_median * median:
        return False
    return float(stats.poisson.cdf(rows, median)) < volume.max_probability
