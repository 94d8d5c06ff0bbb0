"""The benchmark's targets, their PASS/FAIL, the printed table and bench/results/latest.json.

Pure Python (no Django), so tests/bench can check it on a tiny made-up result.
"""

import json
import math
import operator
from dataclasses import asdict, dataclass, field
from pathlib import Path

OPS = {"<=": operator.le, ">=": operator.ge, "==": operator.eq}


@dataclass
class Check:
    section: str
    name: str
    measured: float | int | str | None
    op: str = ""
    target: float | int | None = None
    unit: str = ""
    note: str = ""
    skipped: str = ""  # a reason: the check could not run here
    passed: bool | None = None  # for a check with several criteria (a page): decided by the caller
    target_text: str = ""
    status: str = field(init=False, default="")

    def __post_init__(self) -> None:
        if self.skipped:
            self.status = "SKIP"
        elif self.passed is not None:
            self.status = "PASS" if self.passed else "FAIL"
        elif not self.op:
            self.status = "INFO"
        elif self.measured is None or (isinstance(self.measured, float) and math.isnan(self.measured)):
            self.status = "FAIL"
        else:
            self.status = "PASS" if OPS[self.op](self.measured, self.target) else "FAIL"


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (p95 of 30 values is the 29th smallest)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(checks: list[Check]) -> str:
    """A Markdown table (it reads fine in a terminal and pastes into the README as is)."""
    lines = ["| Section | Measure | Measured | Target | Result |", "|---|---|---:|---:|---|"]
    for c in checks:
        target = c.target_text or (
            f"{c.op} {_fmt(c.target)}{(' ' + c.unit) if c.unit else ''}" if c.op else ""
        )
        measured = f"{_fmt(c.measured)}{(' ' + c.unit) if c.unit and c.measured is not None else ''}"
        result = c.status + (f" ({c.skipped})" if c.skipped else "") + (f" — {c.note}" if c.note else "")
        lines.append(f"| {c.section} | {c.name} | {measured} | {target} | {result} |")
    return "\n".join(lines)


PAGE_TARGET = "p95 ≤ 50 ms; queries ≤ 12, equal; 0 Xero calls; p95 10k/1k ≤ 1.5"


def page_check(name: str, small: dict, large: dict) -> Check:
    """One row per page, from its figures at 1,000 (small) and 10,000 (large) clients."""
    ratio = large["p95_ms"] / small["p95_ms"] if small["p95_ms"] else float("inf")
    misses = []
    if max(small["p95_ms"], large["p95_ms"]) > 50:
        misses.append("p95 > 50 ms")
    if large["queries"] > 12 or small["queries"] > 12:
        misses.append("queries > 12")
    if large["queries"] != small["queries"]:
        misses.append("queries differ")
    if small["xero_calls"] or large["xero_calls"]:
        misses.append("Xero calls")
    if ratio > 1.5:
        misses.append("ratio > 1.5")
    measured = (
        f"1k p50/p95 {small['p50_ms']:.1f}/{small['p95_ms']:.1f} ms, "
        f"10k {large['p50_ms']:.1f}/{large['p95_ms']:.1f} ms, ratio {ratio:.2f}; "
        f"queries {small['queries']}/{large['queries']}; Xero {small['xero_calls'] + large['xero_calls']}"
    )
    return Check("Pages", name, measured, passed=not misses, target_text=PAGE_TARGET, note=", ".join(misses))


def summary(checks: list[Check]) -> dict:
    counts = {}
    for c in checks:
        counts[c.status] = counts.get(c.status, 0) + 1
    return counts


def write_json(path: Path, *, checks: list[Check], meta: dict, details: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "meta": meta,
        "summary": summary(checks),
        "checks": [asdict(c) for c in checks],
        "details": details,
    }
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    return path
