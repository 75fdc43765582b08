"""Figures and an HTML report of a sensitivity experiment (``python -m experiments.sensitivity``).

    python -m analysis.sensitivity results/sensitivity/market_town/baseline/community_first [-o out.html]

Per outcome: the Morris screening plot (mean absolute elementary effect mu* against its spread
sigma, with the 95% confidence interval of mu*) and the Sobol first-order and total indices (with
their 95% confidence intervals); a table ranking the parameters by total index; and the seed-noise
check (spread of each outcome across seeds at the default values against its spread across the
Sobol sample).  ``section`` gives the same content as an HTML fragment for other reports.
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
import plotly.offline
import polars as pl
import yaml

from analysis.parameter_space import Axis, axes
from model.outputs import CONFIG, METADATA, MORRIS, OUTCOMES, RUNS, SOBOL, atomic_write, is_complete

_PLOT_CONFIG = {"displaylogo": False, "responsive": True}
_S1, _ST = "#2f6fab", "#e8833a"


class SensitivityError(RuntimeError):
    """The directory does not hold a complete, readable sensitivity experiment."""


@dataclass(frozen=True)
class Sensitivity:
    """The tables and provenance of one sensitivity experiment."""

    root: Path
    config: dict
    metadata: dict
    runs: pl.DataFrame
    morris: pl.DataFrame | None
    sobol: pl.DataFrame | None

    @property
    def space(self) -> list[Axis]:
        """The sampled parameters, their ranges and scales."""
        return axes(self.config["sensitivity"]["parameters"])


def load(result_dir: str | Path) -> Sensitivity:
    """Read a sensitivity experiment; a missing or unreadable file is reported by name."""
    root = Path(result_dir)
    if not is_complete(root):
        raise SensitivityError(f"{root}: no complete sensitivity experiment (no {METADATA}: still running, "
                               "failed or interrupted; run it again to resume)")
    metadata = json.loads((root / METADATA).read_text())
    if metadata.get("experiment") != "sensitivity":
        raise SensitivityError(f"{root}: not a sensitivity experiment (see its {METADATA})")

    def table(name: str) -> pl.DataFrame | None:
        if name not in metadata["files"]:
            return None
        try:
            return pl.read_parquet(root / name)
        except Exception as error:  # noqa: BLE001 - any unreadable file is named
            raise SensitivityError(f"{root / name}: unreadable ({error})") from None

    config = yaml.safe_load((root / CONFIG).read_text())
    return Sensitivity(root, config, metadata, table(RUNS), table(MORRIS), table(SOBOL))


def noise_check(s: Sensitivity) -> pl.DataFrame:
    """Per outcome: standard deviation across the parameter sample and across seeds at the default values.

    The indices use one seed for every sample (common random numbers); seed noise much smaller than
    the spread the parameters cause means that choice of seed matters little.
    """
    sample = "sobol" if s.sobol is not None else "morris"
    spread = [pl.col(o).filter(pl.col("method") == sample).std().alias(f"{o}|parameters") for o in OUTCOMES]
    noise = [pl.col(o).filter(pl.col("method") == "noise").std().alias(f"{o}|seeds") for o in OUTCOMES]
    row = s.runs.select(*spread, *noise).row(0, named=True)
    return pl.DataFrame([{"outcome": o, "sd_parameters": row[f"{o}|parameters"], "sd_seeds": row[f"{o}|seeds"]}
                         for o in OUTCOMES])


def ranking(s: Sensitivity) -> pl.DataFrame:
    """Per outcome, parameters ordered by total Sobol index (or Morris mu* without Sobol)."""
    if s.sobol is not None:
        return s.sobol.sort(["outcome", "ST"], descending=[False, True])
    return s.morris.sort(["outcome", "mu_star"], descending=[False, True])


def morris_figure(morris: pl.DataFrame, outcome: str) -> go.Figure:
    """mu* (x, with 95% confidence interval) against sigma (y) for each parameter: far right matters most;
    high sigma relative to mu* means the effect depends on the other parameters (interactions or non-linearity)."""
    rows = morris.filter(pl.col("outcome") == outcome)
    fig = go.Figure(go.Scatter(
        x=rows["mu_star"], y=rows["sigma"], mode="markers+text", text=rows["parameter"], textposition="top center",
        error_x={"type": "data", "array": rows["mu_star_conf"], "thickness": 1},
        marker={"size": 9, "color": _S1}, hovertemplate="%{text}<br>mu* %{x:.4g}<br>sigma %{y:.4g}<extra></extra>"))
    top = max(rows["mu_star"].max() + rows["mu_star_conf"].max(), rows["sigma"].max()) or 1.0
    fig.add_trace(go.Scatter(x=[0, top], y=[0, top], mode="lines", line={"dash": "dot", "color": "#9aa5b1"},
                             hoverinfo="skip", showlegend=False))
    fig.update_layout(height=420, margin={"l": 60, "r": 20, "t": 10, "b": 50}, showlegend=False,
                      template="plotly_white", xaxis_title=f"mu* ({OUTCOMES[outcome]} per Morris step)",
                      yaxis_title="sigma")
    return fig


def sobol_figure(sobol: pl.DataFrame, outcome: str) -> go.Figure:
    """First-order (S1) and total (ST) Sobol indices with 95% confidence intervals, largest ST on top."""
    rows = sobol.filter(pl.col("outcome") == outcome).sort("ST")
    fig = go.Figure()
    for index, colour, name in (("S1", _S1, "first order (S1)"), ("ST", _ST, "total (ST)")):
        fig.add_trace(go.Bar(y=rows["parameter"], x=rows[index], orientation="h", name=name, marker_color=colour,
                             error_x={"type": "data", "array": rows[f"{index}_conf"], "thickness": 1},
                             hovertemplate=f"%{{y}}<br>{index} %{{x:.3f}}<extra></extra>"))
    fig.update_layout(height=90 + 34 * rows.height, barmode="group", template="plotly_white",
                      margin={"l": 190, "r": 20, "t": 10, "b": 40}, xaxis_title="share of output variance",
                      legend={"orientation": "h", "y": -0.12})
    return fig


def _chart(div_id: str, title: str, fig: go.Figure) -> str:
    body = pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div_id, config=_PLOT_CONFIG,
                       default_height=f"{fig.layout.height}px")
    return f"<figure class='chart'><h4>{html.escape(title)}</h4>{body}</figure>"


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.3g}"


def _setup(s: Sensitivity) -> str:
    c, st = s.config, s.config["sensitivity"]
    counts = s.runs.group_by("method").len()
    runs = ", ".join(f"{m} {n}" for m, n in counts.sort("method").iter_rows())
    ranges = "".join(f"<li><code>{html.escape(a.name)}</code>: {html.escape(a.describe())}</li>" for a in s.space)
    return (f"<p>Policy <b>{html.escape(c['policy']['name'])}</b> in <b>{html.escape(c['population']['name'])}</b> "
            f"({c['population']['n_neighbourhoods']} neighbourhoods), scenario {html.escape(c['scenario']['name'])}; "
            f"{c['warmup_weeks']} weeks of warm-up, then {c['weeks']} weeks measured. Every sample runs on seed "
            f"{c['seed']} (same town, same life events), so the indices show the parameters' effects, not chance. "
            f"Runs: {html.escape(runs)}. Confidence intervals: 95%, {st['resamples']} bootstrap resamples.</p>"
            f"<details><summary>Parameters and their ranges</summary><ul>{ranges}</ul></details>")


def _noise_html(s: Sensitivity) -> str:
    rows = "".join(
        f"<tr><th scope='row'>{html.escape(OUTCOMES[r['outcome']])}</th><td>{_number(r['sd_parameters'])}</td>"
        f"<td>{_number(r['sd_seeds'])}</td></tr>" for r in noise_check(s).iter_rows(named=True))
    return ("<table class='summary'><thead><tr><th>Outcome</th><th>SD across the parameter sample</th>"
            f"<th>SD across seeds at the defaults</th></tr></thead><tbody>{rows}</tbody></table>")


def _ranking_html(s: Sensitivity, top: int = 3) -> str:
    key = "ST" if s.sobol is not None else "mu_star"
    items = []
    for (outcome,), rows in ranking(s).group_by("outcome", maintain_order=True):
        lead = ", ".join(f"<code>{html.escape(r['parameter'])}</code> ({key} {r[key]:.2f})"
                         for r in rows.head(top).iter_rows(named=True))
        items.append(f"<li>{html.escape(OUTCOMES[outcome])}: {lead}</li>")
    return f"<ul>{''.join(items)}</ul>"


def section(s: Sensitivity, anchor: str = "sensitivity") -> str:
    """The sensitivity results as an HTML fragment (plotly.js must be loaded by the page)."""
    parts = [f"<section id='{anchor}'><h2>Sensitivity to uncertain parameters</h2>", _setup(s),
             "<h3>Most influential parameters</h3>", _ranking_html(s),
             "<h3>Seed noise against parameter effects</h3>", _noise_html(s)]
    for outcome in OUTCOMES:
        charts = []
        if s.morris is not None and outcome in s.morris["outcome"]:
            charts.append(_chart(f"{anchor}-morris-{outcome}", "Morris screening: mu* against sigma",
                                 morris_figure(s.morris, outcome)))
        if s.sobol is not None and outcome in s.sobol["outcome"]:
            charts.append(_chart(f"{anchor}-sobol-{outcome}", "Sobol indices", sobol_figure(s.sobol, outcome)))
        if charts:
            parts.append(f"<h3>{html.escape(OUTCOMES[outcome].capitalize())}</h3><div class='grid'>{''.join(charts)}</div>")
    parts.append(f"<p class='note'>Results: <code>{html.escape(str(s.root))}</code>; model revision "
                 f"{html.escape(s.metadata['git_revision'])}.</p></section>")
    return "".join(parts)


def write_report(result_dir: str | Path, output: str | Path | None = None) -> Path:
    """Write a standalone HTML page (plotly.js inlined) of the experiment, atomically."""
    s = load(result_dir)
    out = Path(output) if output is not None else s.root / "sensitivity.html"
    page = _PAGE.format(plotly_js=plotly.offline.get_plotlyjs(), section=section(s))
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, lambda path: path.write_text(page, encoding="utf-8"))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.sensitivity", description=__doc__.splitlines()[0])
    parser.add_argument("result_dir", help="directory of a sensitivity experiment")
    parser.add_argument("-o", "--output", help="HTML file to write (default: <result_dir>/sensitivity.html)")
    args = parser.parse_args(argv)
    try:
        out = write_report(args.result_dir, args.output)
    except SensitivityError as error:
        print(f"sensitivity report: {error}", file=sys.stderr)
        return 2
    print(f"wrote {out}")
    return 0


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sensitivity analysis</title>
<style>
  body {{ font-family: system-ui, sans-serif; color: #1f2933; margin: 0; background: #f5f7fa; line-height: 1.45; }}
  main {{ max-width: 1240px; margin: 0 auto; padding: 24px 28px 40px; background: #fff; }}
  table.summary {{ border-collapse: collapse; font-size: 0.92rem; }}
  table.summary th, table.summary td {{ padding: 5px 12px; border-bottom: 1px solid #e4e7eb; text-align: right; }}
  table.summary th[scope=row], table.summary thead th:first-child {{ text-align: left; font-weight: 500; }}
  .grid {{ display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 18px 26px; align-items: start; }}
  figure.chart {{ margin: 0; min-width: 0; }} .note {{ color: #52606d; font-size: 0.9rem; }}
</style>
<script type="text/javascript">{plotly_js}</script>
</head><body><main>
{section}
</main></body></html>
"""


if __name__ == "__main__":
    sys.exit(main())
