"""``vlmskg survival``: Kaplan–Meier estimates, median, 1/3/5-year survival, numbers at
risk and the log-rank test across groups; optionally the figure."""

from __future__ import annotations

import argparse
import json
import sys

from kg.analysis.plots import save_survival
from kg.analysis.records import ENDPOINTS, ORIGINS
from kg.analysis.survival import MILESTONES, Estimate, SurvivalAnalysis, analyse
from kg.commands.query import format_rows
from kg.commands.summary import FORMATS, add_selection, selected_records

__all__ = ["register", "run", "survival_rows"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``survival`` sub-command."""
    parser = subparsers.add_parser(
        "survival", help="Kaplan-Meier survival with 95%% CI, median, 1/3/5-year estimates",
        description="Kaplan-Meier estimates (95% log-log confidence intervals, Greenwood "
                    "variance), median survival, survival at 1, 3 and 5 years and the numbers "
                    "at risk, overall or per group of --by with a log-rank test. Time zero is "
                    "the index operation (or the diagnosis); cases without a usable time are "
                    "left out and counted per reason.")
    parser.add_argument("--endpoint", choices=list(ENDPOINTS), default="overall",
                        help="overall (death), event-free (recurrence, metastasis or death) or "
                             "metastasis-free (metastasis or death); default: overall")
    parser.add_argument("--origin", choices=ORIGINS, default="surgery",
                        help="time zero: the index operation (default) or the diagnosis")
    add_selection(parser)
    parser.add_argument("--plot", metavar="FILE",
                        help="also draw the curves with the numbers at risk (.png or .svg)")
    parser.add_argument("--format", choices=FORMATS, default="table",
                        help="output format (default: table)")
    parser.set_defaults(run=run)


def _percent(estimate: Estimate) -> str:
    if estimate.survival is None:
        return "not reached by follow-up"
    return (f"{100 * estimate.survival:.0f}% ({100 * (estimate.lower or 0):.0f}-"
            f"{100 * (estimate.upper or 0):.0f})")


def _months(value: float | None) -> str:
    return "not reached" if value is None else f"{value:.1f}"


def survival_rows(analysis: SurvivalAnalysis) -> tuple[list[str], list[list[str]]]:
    """One row per group: cases, analysed, events, median (95% CI), 1/3/5-year survival
    (95% CI), left out."""
    header = ["group", "cases", "analysed", "events", "median months (95% CI)",
              *(f"{m / 12:g}-year survival (95% CI)" for m in MILESTONES), "left out"]
    rows = []
    for group in analysis.groups:
        median = group.curve.median
        ci = (f" ({_months(median.lower)}-{_months(median.upper)})"
              if median.time is not None else "")
        rows.append([group.name, str(group.selected), str(group.curve.n),
                     str(group.curve.n_events), _months(median.time) + ci,
                     *(_percent(e) for e in group.estimates),
                     str(sum(group.excluded.values()))])
    return header, rows


def _text(analysis: SurvivalAnalysis) -> str:
    origin = "the index operation" if analysis.origin == "surgery" else "diagnosis"
    lines = [f"{analysis.endpoint} survival from {origin}"
             + (f", by {analysis.by}" if analysis.by else ""), ""]
    header, rows = survival_rows(analysis)
    lines.append(format_rows(header, rows, "table"))
    risk_header = ["at risk, months", *(f"{t:g}" for t in analysis.risk_times)]
    risk_rows = [[g.name, *(str(g.curve.at_risk_at(t)) for t in analysis.risk_times)]
                 for g in analysis.groups]
    lines.append(format_rows(risk_header, risk_rows, "table"))
    if analysis.logrank is not None:
        test = analysis.logrank
        lines.append(f"log-rank test: chi-squared {test.statistic:.3f}, {test.df} df, "
                     f"p = {test.p:.4g}\n")
    elif analysis.by:
        lines.append("log-rank test: not computed (fewer than two groups with cases, or no "
                     "event in them)\n")
    for group in analysis.groups:
        for reason, count in group.excluded.items():
            lines.append(f"left out ({group.name}): {count} - {reason}")
        for precision, count in group.imprecise.items():
            lines.append(f"imprecise time ({group.name}): {count} {precision} (used as "
                         "stated; 'at least' events censored there)")
    return "\n".join(lines).rstrip("\n") + "\n"


def run(args: argparse.Namespace) -> int:
    """Print the estimates (and write the figure); errors are raised for the CLI to print."""
    analysis = analyse(selected_records(args), args.endpoint, args.origin, args.by)
    if args.plot:
        save_survival(analysis, args.plot)
    if args.format == "json":
        sys.stdout.write(json.dumps(analysis.as_dict(), indent=2, ensure_ascii=False) + "\n")
    elif args.format == "csv":
        header, rows = survival_rows(analysis)
        sys.stdout.write(format_rows(header, rows, "csv"))
    else:
        sys.stdout.write(_text(analysis))
    return 0
