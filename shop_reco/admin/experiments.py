"""Experiments in the admin: the list, a start form (the experiment's JSON), each one's results, stop.

Results are a table (answers, impressions, clicks, add-to-carts, rates with
95% intervals, chance of being best) and server-drawn SVG bars of each rate
with its interval as a whisker, with the same numbers in the table. Starting
goes through :func:`~shop_reco.admin.experiment_lifecycle.start_experiment`
(validation and the safety test bench); a refused start shows why and keeps
the JSON the merchant typed.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from shop_reco.admin.experiment_lifecycle import (
    ExperimentError,
    ExperimentReport,
    Rate,
    report_for,
    start_experiment,
    stop_experiment,
)
from shop_reco.admin.security import current_admin, on_csrf_failure
from shop_reco.state import get_session
from shop_reco.storage.experiments import all_experiments, find_experiment

if TYPE_CHECKING:
    from shop_reco.state import RecoState

NOTICES = {"started": "Experiment started.", "stopped": "Experiment stopped: every answer uses the live rules again."}
#: What the start form holds at first: a live control and a variant to fill in.
EXAMPLE = {
    "key": "my-experiment",
    "variants": [
        {"key": "control", "weight": 50, "rules": "live"},
        {"key": "b", "weight": 50, "rules": "live"},
    ],
}
#: Axis steps (as fractions) from 0.1% to 20%: a chart gets about five ticks.
NICE_STEPS = (0.001, 0.002, 0.0025, 0.005, 0.01, 0.02, 0.025, 0.05, 0.1, 0.2)
COLORS = ("#1f5f8b", "#b3541e", "#2e7d32", "#6b46c1", "#b7791f", "#2c7a7b")


@dataclass(frozen=True, slots=True)
class RateBar:
    label: str
    text: str  # the value and its interval, as printed beside the bar
    y: float
    width: float
    low: float | None
    high: float | None
    color: str


@dataclass(frozen=True, slots=True)
class RateChart:
    """Geometry of one horizontal bar chart of a rate per variant, with interval whiskers."""

    id: str
    title: str
    desc: str
    width: int
    height: int
    left: int
    plot_width: int
    bar_height: int
    bars: tuple[RateBar, ...]
    ticks: tuple[tuple[float, str], ...]


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def interval_text(rate: Rate) -> str:
    if rate.interval is None:
        return "no impressions yet"
    return f"{percent(rate.interval[0])} to {percent(rate.interval[1])}"


def rate_chart(chart_id: str, title: str, report: ExperimentReport, attribute: str) -> RateChart:
    """Bars of ``attribute`` (``ctr`` or ``add_to_cart_rate``) per variant, scaled to the highest interval."""
    width, left, top, bar_height, gap, right = 420, 100, 26, 26, 14, 62
    plot_width = width - left - right
    rates: list[Rate] = [getattr(v, attribute) for v in report.variants]
    highest = max([r.interval[1] for r in rates if r.interval] + [0.001])
    step = next(s for s in NICE_STEPS if highest / s <= 5)
    scale_top = step * math.ceil(highest / step - 1e-9)
    scale = plot_width / scale_top
    bars = []
    for n, (variant, rate) in enumerate(zip(report.variants, rates, strict=True)):
        value = rate.value or 0.0
        low, high = rate.interval if rate.interval else (None, None)
        bars.append(
            RateBar(
                variant.key,
                percent(rate.value),
                top + n * (bar_height + gap),
                value * scale,
                None if low is None else low * scale,
                None if high is None else high * scale,
                COLORS[n % len(COLORS)],
            )
        )
    ticks = tuple((i * step * scale, f"{i * step * 100:.4g}%") for i in range(round(scale_top / step) + 1))
    height = top + len(bars) * (bar_height + gap)
    desc = "; ".join(
        f"{v.key}: {percent(getattr(v, attribute).value)} (95% interval {interval_text(getattr(v, attribute))})"
        for v in report.variants
    )
    return RateChart(chart_id, title, desc + ".", width, height, left, plot_width, bar_height, tuple(bars), ticks)


def _render_list(text: str, errors: dict[str, list[str]] | None = None, status: int = 200) -> ResponseReturnValue:
    rows = all_experiments(get_session())
    return (
        render_template(
            "shop_reco/admin/experiments/list.html",
            experiments=rows,
            text=text,
            errors=errors or {},
            running=next((r for r in rows if r.status == "running"), None),
            notice=NOTICES.get(request.args.get("notice", "")),
        ),
        status,
    )


def _rerender_start() -> ResponseReturnValue:
    return _render_list(request.form.get("experiment_json", ""))


def list_experiments() -> ResponseReturnValue:
    return _render_list(json.dumps(EXAMPLE, indent=2))


@on_csrf_failure(_rerender_start)
def start() -> ResponseReturnValue:
    text = request.form.get("experiment_json", "")
    try:
        data: Any = json.loads(text)
    except ValueError as exc:
        return _render_list(text, {"experiment_json": [f"This is not valid JSON: {exc}."]}, 422)
    try:
        row = start_experiment(data, actor=current_admin())
    except ExperimentError as exc:
        errors = exc.errors or {"experiment_json": [exc.message]}
        return _render_list(text, errors, 422)
    return redirect(url_for(".experiment_detail", key=row.key, notice="started"))


def detail(key: str) -> ResponseReturnValue:
    row = find_experiment(get_session(), key)
    if row is None:
        abort(404, description=f"There is no experiment {key!r}.")
    report = report_for(row)
    return render_template(
        "shop_reco/admin/experiments/detail.html",
        experiment=row,
        report=report,
        charts=(
            rate_chart("ctr-chart", "Click-through rate by variant", report, "ctr"),
            rate_chart("cart-chart", "Add-to-cart rate by variant", report, "add_to_cart_rate"),
        ),
        percent=percent,
        interval_text=interval_text,
        notice=NOTICES.get(request.args.get("notice", "")),
    )


def stop(key: str) -> ResponseReturnValue:
    try:
        stop_experiment(key, actor=current_admin())
    except ExperimentError as exc:
        abort(409, description=" ".join(msg for msgs in exc.errors.values() for msg in msgs) or exc.message)
    return redirect(url_for(".experiment_detail", key=key, notice="stopped"))


def register(bp: Blueprint, state: RecoState) -> None:
    bp.add_url_rule("/experiments", "experiments", list_experiments)
    bp.add_url_rule("/experiments", "experiment_start", start, methods=["POST"])
    bp.add_url_rule("/experiments/<key>", "experiment_detail", detail)
    bp.add_url_rule("/experiments/<key>/stop", "experiment_stop", stop, methods=["POST"])
