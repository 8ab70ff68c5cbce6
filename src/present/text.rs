//! The report as a plain-text table (`attune report --format text`): one column per scope, one
//! row per metric, tier by tier, then the outcome links.

use std::fmt::Write;

use super::{Missing, labels, value};
use crate::report::{Report, Scope};
use crate::scoring::{self, Scored, Tier};

/// The width of the label column, and of each scope's column.
const LABEL_WIDTH: usize = 32;
const COLUMN_WIDTH: usize = 14;

/// The report as a plain-text table. Money is shown without a currency symbol: the report does
/// not carry the currency.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Attune report {} ({} to {})\n",
        report.period, report.start, report.end
    );
    let scopes: Vec<(&str, &Scope)> = std::iter::once(("Organization", &report.org))
        .chain(
            report
                .teams
                .iter()
                .map(|(name, scope)| (name.as_str(), scope)),
        )
        .collect();
    for tier in [Tier::Fundamentals, Tier::Intermediate, Tier::Advanced] {
        let _ = write!(out, "{:<LABEL_WIDTH$}", labels::tier(tier));
        for (name, _) in &scopes {
            let _ = write!(out, " {:>COLUMN_WIDTH$}", truncate(name, COLUMN_WIDTH));
        }
        out.push('\n');
        for metric in scoring::catalogue().iter().filter(|m| m.tier == tier) {
            let _ = write!(out, "{:<LABEL_WIDTH$}", truncate(metric.label, LABEL_WIDTH));
            for (_, scope) in &scopes {
                let cell = match Missing::of(*scope, metric.metric) {
                    Some(missing) => missing.short().to_string(),
                    None => value(metric.unit, scope.get(metric.metric), ""),
                };
                let _ = write!(out, " {cell:>COLUMN_WIDTH$}");
            }
            out.push('\n');
        }
        out.push('\n');
    }
    for link in &report.outcome_links {
        let later = match link.lag {
            1 => "next-quarter".to_string(),
            lag => format!("{lag}-quarters-later"),
        };
        let estimate = match (link.correlation, link.ci_low, link.ci_high) {
            (Some(r), Some(low), Some(high)) => {
                format!("r = {r:.2}, 95 % interval {low:.2} to {high:.2}")
            }
            _ => "not enough data".to_string(),
        };
        let rate_ratio = match (
            link.rate_ratio_per_10_points,
            link.rate_ratio_ci_low,
            link.rate_ratio_ci_high,
        ) {
            (Some(rr), Some(low), Some(high)) => {
                format!("; rate ratio per 10 points {rr:.2} ({low:.2} to {high:.2})")
            }
            _ => String::new(),
        };
        let within = match link.within_team.correlation {
            Some(r) => format!("; within teams r = {r:.2}"),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "Favorability vs {later} {}: {estimate}{rate_ratio}{within} (n = {}, {} teams; {})",
            link.outcome, link.n, link.teams, link.note
        );
    }
    let _ = writeln!(
        out,
        "\n\"{}\": fewer than {} survey responses, hidden for privacy. Definitions: docs/metrics.md.",
        Missing::TooFewResponses.short(),
        report.min_group_size
    );
    // The other short words the table used, each with what it stands for.
    let mut used: Vec<Missing> = Vec::new();
    for (_, scope) in &scopes {
        for metric in scoring::catalogue() {
            if let Some(missing) = Missing::of(*scope, metric.metric)
                && missing.short() != missing.words()
                && missing != Missing::TooFewResponses
                && !used.contains(&missing)
            {
                used.push(missing);
            }
        }
    }
    for missing in used {
        let _ = writeln!(out, "\"{}\": {}.", missing.short(), missing.words());
    }
    out
}

/// `text` cut to `width` characters, with "…" when it was longer.
fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut short: String = text.chars().take(width - 1).collect();
        short.push('…');
        short
    }
}

#[cfg(test)]
mod tests {
    use super::truncate;

    #[test]
    fn long_names_are_cut_with_an_ellipsis() {
        assert_eq!(truncate("Engineering", 14), "Engineering");
        assert_eq!(truncate("Customer Success EMEA", 14), "Customer Succ…");
    }
}
