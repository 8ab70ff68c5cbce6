//! The managers' playbook: a suggested conversation or action for each metric that can stand
//! out, when it is worse or better than its reference, and the next step the quarterly summary
//! suggests to executives for a team that needs attention. The suggestions live in one place,
//! docs/playbook.md (compiled in, and served as `/help/playbook`), read here once per process.
//!
//! The file's shape: a `### Label (`key`)` heading per metric, then the bullets
//! `- **Worse:** …`, `- **Better:** …` and `- **Next step for executives:** …`, whose wrapped
//! lines are indented by two spaces.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::Verdict;
use crate::scoring::Metric;

/// docs/playbook.md as compiled in.
pub const MARKDOWN: &str = include_str!("../../docs/playbook.md");

static SUGGESTIONS: LazyLock<HashMap<(Metric, Side), String>> =
    LazyLock::new(|| parse(MARKDOWN).unwrap_or_else(|error| panic!("docs/playbook.md: {error}")));

/// Which side of its reference a figure is on, or the executives' next step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Side {
    Worse,
    Better,
    Executives,
}

/// The playbook's suggestion for `metric` when it is `verdict` (better or worse) than its
/// reference; None for other verdicts or a metric the playbook does not cover.
pub fn suggestion(metric: Metric, verdict: Verdict) -> Option<&'static str> {
    let side = match verdict {
        Verdict::Worse => Side::Worse,
        Verdict::Better => Side::Better,
        Verdict::Same | Verdict::Neutral | Verdict::Unknown => return None,
    };
    SUGGESTIONS.get(&(metric, side)).map(String::as_str)
}

/// The next step the quarterly summary suggests to executives when `metric` puts a team on its
/// attention list.
pub fn next_step(metric: Metric) -> Option<&'static str> {
    SUGGESTIONS
        .get(&(metric, Side::Executives))
        .map(String::as_str)
}

/// The suggestions of a playbook, or what is wrong with it (with its line number).
fn parse(markdown: &str) -> Result<HashMap<(Metric, Side), String>, String> {
    let mut out = HashMap::new();
    let mut metric = None;
    // The suggestion being read while its lines continue, with the line it starts on.
    let mut open: Option<(Metric, Side, String, usize)> = None;
    let mut close = |open: &mut Option<(Metric, Side, String, usize)>| {
        if let Some((metric, side, text, line)) = open.take()
            && out.insert((metric, side), text).is_some()
        {
            return Err(format!(
                "line {line}: a second {side:?} suggestion for {metric}"
            ));
        }
        Ok(())
    };
    for (index, line) in markdown.lines().enumerate() {
        let number = index + 1;
        if let Some(heading) = line.strip_prefix("### ") {
            close(&mut open)?;
            metric = match heading.split('`').nth(1) {
                Some(key) => Some(Metric::from_key(key).ok_or_else(|| {
                    format!("line {number}: \"{key}\" is not a metric of the report")
                })?),
                None => None,
            };
            continue;
        }
        if let Some(rest) = line.strip_prefix("- **") {
            close(&mut open)?;
            let (side, text) = if let Some(text) = rest.strip_prefix("Worse:** ") {
                (Side::Worse, text)
            } else if let Some(text) = rest.strip_prefix("Better:** ") {
                (Side::Better, text)
            } else if let Some(text) = rest.strip_prefix("Next step for executives:** ") {
                (Side::Executives, text)
            } else {
                continue;
            };
            let metric = metric
                .ok_or_else(|| format!("line {number}: a suggestion outside a metric's section"))?;
            open = Some((metric, side, text.trim().to_string(), number));
            continue;
        }
        match (&mut open, line.strip_prefix("  ")) {
            (Some((_, _, text, _)), Some(more)) if !more.trim().is_empty() => {
                text.push(' ');
                text.push_str(more.trim());
            }
            _ => close(&mut open)?,
        }
    }
    close(&mut open)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::present::standout::CANDIDATES;

    #[test]
    fn every_metric_that_can_stand_out_has_a_suggestion_either_way() {
        for metric in CANDIDATES {
            for verdict in [Verdict::Worse, Verdict::Better] {
                let text = suggestion(metric, verdict)
                    .unwrap_or_else(|| panic!("no {verdict:?} suggestion for {metric}"));
                assert!(text.len() > 40, "{metric} {verdict:?}: {text}");
                assert!(!text.contains("  "), "{metric} {verdict:?}: {text}");
            }
        }
        assert_eq!(suggestion(Metric::Csat, Verdict::Same), None);
    }

    #[test]
    fn every_reason_for_attention_has_a_next_step_for_executives() {
        for metric in crate::summary::ATTENTION_METRICS {
            let text = next_step(metric).unwrap_or_else(|| panic!("no next step for {metric}"));
            assert!(text.len() > 40, "{metric}: {text}");
        }
        assert_eq!(next_step(Metric::Csat), None);
    }

    #[test]
    fn wrapped_lines_are_joined_and_sections_are_keyed_by_metric() {
        let markdown = "\
# Playbook

### Turnover (`turnover_rate`)

- **Worse:** Talk with
  the team.
- **Better:** Keep going.
- **Next step for executives:** Ask
  the manager.

### Customer satisfaction (`csat`)

- **Worse:** Read the responses.
";
        let parsed = parse(markdown).unwrap();
        assert_eq!(
            parsed[&(Metric::TurnoverRate, Side::Worse)],
            "Talk with the team."
        );
        assert_eq!(parsed[&(Metric::TurnoverRate, Side::Better)], "Keep going.");
        assert_eq!(parsed[&(Metric::Csat, Side::Worse)], "Read the responses.");
        assert_eq!(
            parsed[&(Metric::TurnoverRate, Side::Executives)],
            "Ask the manager."
        );
        assert_eq!(parsed.len(), 4);
    }

    #[test]
    fn a_playbook_naming_an_unknown_metric_or_repeating_one_is_refused() {
        assert_eq!(
            parse("### Morale (`morale`)\n- **Worse:** Cheer up.\n").unwrap_err(),
            "line 1: \"morale\" is not a metric of the report"
        );
        assert_eq!(
            parse("### Turnover (`turnover_rate`)\n- **Worse:** A.\n- **Worse:** B.\n")
                .unwrap_err(),
            "line 3: a second Worse suggestion for turnover_rate"
        );
        assert_eq!(
            parse("- **Worse:** Nobody's.\n").unwrap_err(),
            "line 1: a suggestion outside a metric's section"
        );
    }
}
