#!/usr/bin/env python3
"""Fit Attune's outcome-link estimates with statsmodels on a fixed data set, and check them.

Attune computes its outcome links itself (src/scoring/links/). This script computes the same
estimates independently with statsmodels, on the committed team-quarters in links.csv:

- the pooled correlation: from an OLS fit of the outcome on favorability (r is the signed square
  root of R²), with its 95 % interval by Fisher's z, tanh(atanh r ± z₀.₉₇₅ / √(n − 3));
- the within-team correlation: the partial correlation of the outcome and favorability given the
  team, from the t value of favorability in the OLS fit `y ~ x + C(team)` (r = t / √(t² + df),
  df its residual degrees of freedom, n − J − 1), with the Fisher interval over df − 1 = n − J − 2;
- for voluntary turnover, a Poisson GLM of the leavers with log(average headcount) as offset:
  the rate ratio per 10 points exp(10 β) and its 95 % Wald interval; when Pearson's χ² over the
  residual degrees of freedom exceeds 1, the fit with scale='X2' (quasi-Poisson) gives the
  interval.

Usage:
    python3 tests/stats/compare.py            # recompute; exit 1 unless expected.json still holds
    python3 tests/stats/compare.py --write    # rewrite expected.json (the command it records)
    python3 tests/stats/compare.py --make-data  # regenerate links.csv (seeded; not needed in CI)

The Rust test `scoring::links::statsmodels` asserts that Attune's estimates equal expected.json.
CI (.ci/run) runs this script, so a change in statsmodels' numbers, the data or the expected
file cannot go unnoticed.
"""

import csv
import json
import math
import sys
from pathlib import Path

import numpy as np
import statsmodels
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy.stats import norm

HERE = Path(__file__).resolve().parent
DATA = HERE / "links.csv"
EXPECTED = HERE / "expected.json"
WRITE_COMMAND = "python3 tests/stats/compare.py --write"

# The report's last quarter for this data set, and Attune's rules (src/scoring/links/mod.rs).
LAST_QUARTER = "2024-Q4"
OUTCOME_QUARTERS = 8
LAGS = [1, 2, 3]
MIN_TEAM_QUARTERS = 20
OUTCOMES = ["voluntary_turnover_rate", "absenteeism_rate", "csat"]

# The committed numbers must agree with a fresh statsmodels fit to this relative tolerance.
TOLERANCE = 1e-9


def quarter_index(label):
    year, q = label.split("-Q")
    return int(year) * 4 + int(q) - 1


def optional(cell):
    return float(cell) if cell != "" else None


def read_data():
    rows = {}
    with DATA.open(newline="") as f:
        for row in csv.DictReader(f):
            headcount = float(row["headcount_avg"])
            leavers = int(row["voluntary_leavers"])
            rows[(row["team"], quarter_index(row["quarter"]))] = {
                "favorability": optional(row["empathy_favorability"]),
                "leavers": leavers,
                "headcount": headcount,
                # As Attune computes it: unknown over nobody.
                "voluntary_turnover_rate": 100.0 * leavers / headcount if headcount > 0 else None,
                "absenteeism_rate": optional(row["absenteeism_rate"]),
                "csat": optional(row["csat"]),
            }
    return rows


def sample(rows, lag, outcome):
    """Favorability in quarter q − lag against the outcome in q, q among the last eight."""
    last = quarter_index(LAST_QUARTER)
    teams = sorted({team for team, _ in rows})
    points = []
    for quarter in range(last - OUTCOME_QUARTERS + 1, last + 1):
        for number, team in enumerate(teams):
            later = rows.get((team, quarter))
            earlier = rows.get((team, quarter - lag))
            if later is None or earlier is None:
                continue
            x, y = earlier["favorability"], later[outcome]
            if x is None or y is None:
                continue
            points.append(
                {"team": number, "x": x, "y": y, "leavers": later["leavers"],
                 "headcount": later["headcount"]}
            )
    return points


def fisher(r, dof):
    z = norm.ppf(0.975)
    return math.tanh(math.atanh(r) - z / math.sqrt(dof)), math.tanh(math.atanh(r) + z / math.sqrt(dof))


def pooled(points):
    n = len(points)
    if n < MIN_TEAM_QUARTERS:
        return None
    x = np.array([p["x"] for p in points])
    y = np.array([p["y"] for p in points])
    fit = sm.OLS(y, sm.add_constant(x)).fit()
    r = math.copysign(math.sqrt(fit.rsquared), fit.params[1])
    low, high = fisher(r, n - 3)
    return {"correlation": r, "ci_low": low, "ci_high": high, "n": n,
            "teams": len({p["team"] for p in points})}


def within_team(points):
    sizes = {}
    for p in points:
        sizes[p["team"]] = sizes.get(p["team"], 0) + 1
    kept = [p for p in points if sizes[p["team"]] >= 2]
    if len(kept) < MIN_TEAM_QUARTERS:
        return None
    data = {"x": [p["x"] for p in kept], "y": [p["y"] for p in kept],
            "team": [str(p["team"]) for p in kept]}
    fit = smf.ols("y ~ x + C(team)", data=data).fit()
    t, df = fit.tvalues["x"], fit.df_resid
    r = t / math.sqrt(t * t + df)
    low, high = fisher(r, df - 1)
    return {"correlation": r, "ci_low": low, "ci_high": high, "n": len(kept),
            "teams": len({p["team"] for p in kept})}


def poisson(points):
    counted = [p for p in points if p["headcount"] > 0]
    if len(counted) < MIN_TEAM_QUARTERS:
        return None
    x = sm.add_constant(np.array([p["x"] for p in counted]))
    y = np.array([p["leavers"] for p in counted], dtype=float)
    offset = np.log(np.array([p["headcount"] for p in counted]))
    model = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset)
    fit = model.fit(tol=1e-13, maxiter=200)
    dispersion = fit.pearson_chi2 / fit.df_resid
    if dispersion > 1:
        fit = model.fit(tol=1e-13, maxiter=200, scale="X2")
    low, high = fit.conf_int(alpha=0.05)[1]
    return {"rate_ratio_per_10_points": math.exp(10 * fit.params[1]),
            "ci_low": math.exp(10 * low), "ci_high": math.exp(10 * high),
            "dispersion": dispersion, "n": len(counted),
            "teams": len({p["team"] for p in counted})}


def estimates():
    rows = read_data()
    links = []
    for lag in LAGS:
        for outcome in OUTCOMES:
            points = sample(rows, lag, outcome)
            links.append({
                "outcome": outcome,
                "lag": lag,
                "n": len(points),
                "pooled": pooled(points),
                "within_team": within_team(points),
                "poisson": poisson(points) if outcome == "voluntary_turnover_rate" else None,
            })
    return links


def differences(expected, actual, path="links"):
    """Where two JSON values differ beyond the tolerance."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        if expected.keys() != actual.keys():
            return [f"{path}: keys {sorted(expected)} != {sorted(actual)}"]
        return [d for k in expected for d in differences(expected[k], actual[k], f"{path}.{k}")]
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{path}: {len(expected)} entries != {len(actual)}"]
        return [d for i, (e, a) in enumerate(zip(expected, actual))
                for d in differences(e, a, f"{path}[{i}]")]
    if isinstance(expected, float) and isinstance(actual, (int, float)):
        if abs(expected - actual) <= TOLERANCE * max(1.0, abs(expected)):
            return []
    elif expected == actual:
        return []
    return [f"{path}: committed {expected!r}, statsmodels gives {actual!r}"]


def make_data():
    """The fixed data set: seven teams over twelve quarters whose favorability drives their
    outcomes a quarter or two later, with the awkward cases Attune must handle: favorability
    withheld for privacy, a quarter with nobody in the team, a team that exists for only two
    quarters, a wave of leavers, and CSAT for the customer-facing teams only (too few
    team-quarters for an estimate once one of them stops its customer survey)."""
    rng = np.random.default_rng(20240416)
    teams = {"Atlas": 58, "Beacon": 80, "Compass": 66, "Delta": 74, "Ember": 62, "Fjord": 84}
    customer_facing = {"Atlas", "Compass", "Delta"}
    quarters = [f"{year}-Q{q}" for year in (2022, 2023, 2024) for q in (1, 2, 3, 4)]
    rows = []
    for t, (team, base) in enumerate(teams.items()):
        favorability = []
        headcount = 8 + 5 * t
        for i, quarter in enumerate(quarters):
            fav = base + 9 * math.sin(0.9 * i + 1.7 * t) + rng.normal(0, 3)
            favorability.append(fav)
            earlier = favorability[max(0, i - 1)]
            rate = 0.045 * math.exp(-0.035 * (earlier - 70))
            headcount_avg = max(0.0, headcount + rng.normal(0, 1.5))
            if team == "Ember" and quarter == "2023-Q3":
                headcount_avg = 0.0
            leavers = int(rng.poisson(rate * headcount_avg))
            if team == "Compass" and quarter == "2024-Q1":
                leavers += 6  # a wave of leavers: more spread than a Poisson model expects
            shown = not (team == "Atlas" and i % 5 == 2) and not (team == "Fjord" and i == 7)
            surveyless = team == "Delta" and quarter in ("2024-Q2", "2024-Q3", "2024-Q4")
            absenteeism = 4.0 - 0.06 * (earlier - 70) + rng.normal(0, 0.8)
            csat = 70 + 0.25 * (favorability[max(0, i - 2)] - 70) + rng.normal(0, 4)
            rows.append({
                "team": team,
                "quarter": quarter,
                "empathy_favorability": f"{fav:.2f}" if shown else "",
                "voluntary_leavers": leavers if headcount_avg > 0 else 0,
                "headcount_avg": f"{headcount_avg:.1f}",
                "absenteeism_rate": f"{absenteeism:.3f}" if headcount_avg > 0 else "",
                "csat": f"{csat:.1f}" if team in customer_facing and not surveyless else "",
            })
    for i, quarter in enumerate(quarters[-2:]):
        rows.append({"team": "Gale", "quarter": quarter, "empathy_favorability": f"{71 + 4 * i:.2f}",
                     "voluntary_leavers": 1 - i, "headcount_avg": "6.0",
                     "absenteeism_rate": f"{3.1 - i:.3f}", "csat": ""})
    with DATA.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def main():
    if "--make-data" in sys.argv:
        make_data()
        print(f"wrote {DATA.relative_to(HERE.parent.parent)}")
        return 0
    actual = estimates()
    if "--write" in sys.argv:
        document = {
            "command": WRITE_COMMAND,
            "statsmodels": statsmodels.__version__,
            "data": DATA.name,
            "last_quarter": LAST_QUARTER,
            "links": actual,
        }
        EXPECTED.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {EXPECTED.relative_to(HERE.parent.parent)} with statsmodels {statsmodels.__version__}")
        return 0
    committed = json.loads(EXPECTED.read_text())
    problems = differences(committed["links"], actual)
    if problems:
        print("statsmodels no longer gives the committed numbers:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"statsmodels {statsmodels.__version__} agrees with tests/stats/expected.json "
          f"({len(actual)} outcome links)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
