"""What the benchmark prints: progress lines, and the tables of its results (docs/performance.md)."""

from __future__ import annotations

MB = 2**20


class BenchError(RuntimeError):
    """The benchmark could not measure what it set out to (a stage failed, a reference could not run)."""


def say(message: str) -> None:
    print(message, flush=True)


def _mb(value: int | None) -> str:
    return "-" if not value else f"{value / MB:,.0f}"


def _rate(m: dict) -> str:
    return f"{m['rows_per_second']:,}" if m.get("rows_per_second") else ""


STAGE_HEADER = (f"{'stage':<16} {'seconds':>9} {'process s':>9} {'rows/s':>10} {'client MB':>9} {'server MB':>9}"
                f"   {'reference':<32} {'ref s':>8} {'ref MB':>6} {'ratio':>7}")


def _line(label: str, m: dict) -> str:
    text = (f"{label:<16} {m['seconds']:>9.2f} {m['process_seconds']:>9.2f} {_rate(m):>10} "
            f"{_mb(m.get('tree_rss')):>9} {_mb(m.get('server_pss')):>9}")
    ref = m.get("reference")
    if ref:
        if ref.get("missing"):
            text += f"   {ref['name']:<32} {'n/a':>8}"
        else:
            ratio = f"{m['ratio']:.2f}x" if m.get("ratio") is not None else ""
            text += (f"   {ref['name']:<32} {ref['seconds']:>8.2f} {_mb(ref.get('tree_rss')):>6} {ratio:>7}")
    return text


def scenario_table(scenario: dict) -> list[str]:
    night = scenario["nights"][-1]
    gen = scenario["generated"]
    lines = [f"{scenario['scenario']}: {scenario['councils']} council(s) ({gen['children_looked_after']:,} children "
             f"looked after, largest {gen['largest_council']:,}), {len(scenario['nights'])} night(s) generated "
             f"({gen['rows']:,} rows, {gen['bytes'] / 1e6:,.1f} MB); the night of {night['date']}: "
             f"{night['drops']} drop(s), {night['rows']:,} rows",
             STAGE_HEADER, "-" * len(STAGE_HEADER), _line("generate", gen)]
    lines += [_line(stage, m) for stage, m in night["stages"].items()]
    lines.append(_line("night", night["night"]))
    for ref in ("validate", "dbt_build"):
        detail = night["stages"].get(ref, {}).get("reference", {}).get("detail")
        if detail:
            lines.append(f"  {ref} reference: " + ", ".join(
                f"{k.removesuffix('_s')} {v:.2f} s" if k.endswith("_s") else f"{k.replace('_', ' ')} {v}"
                for k, v in detail.items()))
    build = (night["stages"].get("dbt_build", {}).get("detail") or {}).get("build")
    if build:
        lines.append(f"  dbt build: {build}")
    unchanged = scenario.get("unchanged_night")
    if unchanged:
        lines += ["", f"the incremental night: {unchanged['la_code']}'s drop of {unchanged['date']}, every file its "
                      f"last good drop's ({unchanged['rows']:,} rows); the other councils sent nothing",
                  STAGE_HEADER, "-" * len(STAGE_HEADER)]
        lines += [_line(stage, m) for stage, m in unchanged["stages"].items()]
        lines.append(_line("night", unchanged["night"]))
        build = (unchanged["stages"].get("dbt_build", {}).get("detail") or {}).get("build")
        if build:
            lines.append(f"  dbt build: {build}")
    return lines


def memory_table(points: list[dict]) -> list[str]:
    header = (f"{'councils':>8} {'largest CLA':>11} {'rows':>12} {'generate MB':>11} {'land MB':>8} "
              f"{'validate MB':>11} {'server MB':>9}  measured in")
    lines = ["peak memory by number of councils (client: the stage's process tree; server: PSS during land/validate)",
             header, "-" * len(header)]
    for p in sorted(points, key=lambda p: p["councils"]):
        server = max(p.get("land", {}).get("server_pss", 0), p.get("validate", {}).get("server_pss", 0))
        lines.append(f"{p['councils']:>8,} {p['largest_council']:>11,} {p['rows']:>12,} "
                     f"{_mb(p['generate'].get('tree_rss')):>11} {_mb(p['land'].get('tree_rss')):>8} "
                     f"{_mb(p['validate'].get('tree_rss')):>11} {_mb(server):>9}  {p['source']}")
    return lines


def validation_scale_table(timings: list[dict]) -> list[str]:
    header = f"{'drop':<34} {'rows':>12} {'validation':>11} {'(SQL pass)':>11} {'full scan':>10} {'ratio':>6}  goal"
    lines = ["validation at scale (the demo council, then replicated in SQL)", header, "-" * (len(header) + 12)]
    for t in timings:
        sql_pass = f"{t['sql_pass_s']:.2f} s" if t["sql_pass_s"] is not None else ""
        ratio = t["validation_s"] / t["scan_s"] if t["scan_s"] else float("nan")
        if t["met"] is None:
            lines.append(f"{t['label']:<34} {'':>12} {t['validation_s']:>9.2f} s {'':>11} {t['scan_s']:>8.2f} s "
                         f"{ratio:>5.1f}x  ({t['goal']})")
        else:
            lines.append(f"{t['label']:<34} {t['rows']:>12,} {t['validation_s']:>9.2f} s {sql_pass:>11} "
                         f"{t['scan_s']:>8.2f} s {ratio:>5.1f}x  {t['goal']}: {'met' if t['met'] else 'NOT MET'}")
    return lines


def goals_table(goals: list[dict]) -> list[str]:
    lines = ["goals"]
    for g in goals:
        verdict = "not measured" if g["met"] is None else "met" if g["met"] else "NOT MET"
        lines.append(f"  {verdict:<12} {g['goal']}: {g['shown']}" + (f" ({g['note']})" if g.get("note") else ""))
    return lines


def comparison_lines(comparison: dict) -> list[str]:
    lines = [f"  {n}" for n in comparison.get("notes", [])]
    for r in comparison.get("regressions", []):
        lines.append(f"  REGRESSION {r['what']}: {r['stored']:,.2f} stored, {r['now']:,.2f} now ({r['ratio']:.2f}x)")
    if comparison.get("compared") and not comparison.get("regressions"):
        lines.append("  no regression")
    return ["compared with the stored result", *lines]
