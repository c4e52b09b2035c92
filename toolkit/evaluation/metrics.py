"""Run-level numbers from the case results."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from toolkit.statistics import percentile

from .runner import CaseResult
from .scoring import count_outcomes

Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Rate:
    """k of n, with its 95% Wilson score interval."""

    k: int
    n: int

    @property
    def value(self) -> float:
        return self.k / self.n if self.n else float("nan")

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.k, self.n)

    def as_dict(self) -> dict[str, Any]:
        low, high = self.interval
        return {"k": self.k, "n": self.n, "rate": self.value, "low": low, "high": high}


def wilson_interval(k: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Unlike k/n ± error, it stays inside [0, 1] and is honest for small n and rates near 0 or 1."""
    if n == 0:
        return (float("nan"), float("nan"))
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - margin), min(1.0, centre + margin))


@dataclass(frozen=True)
class StageLatency:
    p50_ms: float
    p95_ms: float
    mean_ms: float


@dataclass(frozen=True)
class RunMetrics:
    accuracy: Rate  # over unique sentences: a sentence passes when every case that says it passes
    case_accuracy: Rate
    by_category: dict[str, Rate]
    false_action: Rate  # negative cases that changed something
    invalid_output: Rate
    outcomes: dict[str, int]
    latency: dict[str, StageLatency]  # total, prompt (model prompt evaluation), generation (decoding)
    tokens: dict[str, float]
    skipped_by_reason: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {
            "accuracy": self.accuracy.as_dict(),
            "case_accuracy": self.case_accuracy.as_dict(),
            "by_category": {name: rate.as_dict() for name, rate in sorted(self.by_category.items())},
            "false_action": self.false_action.as_dict(),
            "invalid_output": self.invalid_output.as_dict(),
            "outcomes": self.outcomes,
            "latency": {stage: asdict(numbers) for stage, numbers in self.latency.items()},
            "tokens": self.tokens,
            "skipped_by_reason": self.skipped_by_reason,
        }


def compute_metrics(results: list[CaseResult]) -> RunMetrics:
    scored = [result for result in results if not result.verdict.skipped]
    observed = [result.observation for result in scored if result.observation]
    negatives = [result for result in scored if result.case.negative]
    return RunMetrics(
        accuracy=_sentence_accuracy(scored),
        case_accuracy=Rate(sum(result.verdict.passed for result in scored), len(scored)),
        by_category=_by_category(scored),
        false_action=Rate(sum(bool(r.observation and r.observation.changed) for r in negatives), len(negatives)),
        invalid_output=Rate(sum(seen.invalid_output for seen in observed), len(scored)),
        outcomes=count_outcomes(result.verdict for result in results),
        latency={
            "total": _latency(seen.stages.total_ms for seen in observed),
            "prompt": _latency(seen.stages.prompt_ms for seen in observed if seen.stages.generations),
            "generation": _latency(seen.stages.generation_ms for seen in observed if seen.stages.generations),
        },
        tokens=_tokens(observed),
        skipped_by_reason=_skipped_by_reason(results),
    )


def _sentence_accuracy(scored: list[CaseResult]) -> Rate:
    passed_by_sentence: dict[str, bool] = {}
    for result in scored:
        key = result.case.text.strip().casefold()
        passed_by_sentence[key] = passed_by_sentence.get(key, True) and result.verdict.passed
    return Rate(sum(passed_by_sentence.values()), len(passed_by_sentence))


def _by_category(scored: list[CaseResult]) -> dict[str, Rate]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for result in scored:
        counts[result.case.category][0] += result.verdict.passed
        counts[result.case.category][1] += 1
    return {category: Rate(k, n) for category, (k, n) in counts.items()}


def _latency(values: Iterable[float]) -> StageLatency:
    listed = list(values)
    mean = sum(listed) / len(listed) if listed else float("nan")
    return StageLatency(percentile(listed, 0.5), percentile(listed, 0.95), mean)


def _tokens(observed: list[Any]) -> dict[str, float]:
    with_model = [seen.stages for seen in observed if seen.stages.generations]
    count = len(with_model) or 1
    return {
        "turns_with_model": len(with_model),
        "generations": sum(stages.generations for stages in with_model),
        "prompt_tokens_mean": sum(stages.prompt_tokens for stages in with_model) / count,
        "prompt_tokens_evaluated_mean": sum(s.prompt_tokens - s.cached_prompt_tokens for s in with_model) / count,
        "completion_tokens_mean": sum(stages.completion_tokens for stages in with_model) / count,
        "completion_tokens_total": sum(stages.completion_tokens for stages in with_model),
    }


def _skipped_by_reason(results: list[CaseResult]) -> dict[str, int]:
    reasons: dict[str, int] = defaultdict(int)
    for result in results:
        if result.verdict.skipped:
            reasons[result.verdict.detail] += 1
    return dict(sorted(reasons.items(), key=lambda item: -item[1]))
