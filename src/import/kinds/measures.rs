//! The `measures` kind: the value of any other team figure (KPI) on a day or over a period,
//! optionally by team. The metric names of docs/metrics.md feed the built-in metrics; any other
//! name is stored too.

use super::{Dated, ImportKind, Spec, Target, shown, team};
use crate::db;
use crate::db::measures::NewMeasure;
use crate::import::cells::{Cells, RowState};
use crate::import::columns::Column;

/// Other team measures.
pub struct Measures;

const COLUMNS: &[Column] = &[
    team(false),
    Column {
        name: "date",
        required: false,
        aliases: &["day"],
    },
    Column {
        name: "period",
        required: false,
        aliases: &["month", "quarter", "year"],
    },
    Column {
        name: "metric",
        required: true,
        aliases: &["kpi", "measure", "name", "indicator"],
    },
    Column {
        name: "value",
        required: true,
        aliases: &["amount", "total"],
    },
];

/// The well-known measure names (docs/metrics.md says which metric uses which).
const KNOWN_MEASURES: &[&str] = &[
    "output_units",
    "revenue",
    "review_rating",
    "review_count",
    "ideas_submitted",
    "ideas_implemented",
    "launches",
    "partnerships",
    "volunteer_hours",
    "co2e_tonnes",
];

impl ImportKind for Measures {
    type Row = NewMeasure;

    const SPEC: Spec = Spec {
        name: "measures",
        label: "Other team measures (KPIs)",
        columns: COLUMNS,
        date_columns: &["date"],
        number_columns: &["value"],
        forbidden: None,
        date_or_period: true,
        refers_to_roster: true,
        writes_every_row: true,
    };

    fn read_row(cells: &mut Cells<'_>, state: &mut RowState) -> Option<NewMeasure> {
        let team = cells.team("team", false);
        let span = cells.date_or_period();
        let metric = cells.required("metric").map(|m| metric_name(&m));
        if let Some(name) = &metric {
            if name.is_empty()
                || !name.starts_with(|c: char| c.is_ascii_lowercase())
                || !name.is_ascii()
            {
                let value = cells.string("metric").unwrap_or_default();
                cells.error(
                    "metric",
                    Some(&value),
                    "not a metric name (letters, digits and _; starting with a letter)".into(),
                );
            } else if !KNOWN_MEASURES.contains(&name.as_str()) {
                state.note(format!(
                    "metric \"{name}\" is stored but no built-in metric uses it"
                ));
            }
        }
        let value = cells.required_number("value");
        let (period_start, period_end) = span?;
        if let Some(name) = &metric {
            let team_key = team.as_deref().unwrap_or("");
            state.check_duplicate(
                cells,
                format!("{team_key}|{name}|{period_start}|{period_end}"),
                "team, metric and period",
            );
        }
        Some(NewMeasure {
            team,
            period_start,
            period_end,
            metric: metric?,
            value: value?,
        })
    }

    fn dated(m: &NewMeasure) -> Dated {
        Dated::span(m.period_start, m.period_end)
    }

    fn preview(m: &NewMeasure) -> Vec<(&'static str, String)> {
        vec![
            ("team", shown(&m.team)),
            ("period_start", m.period_start.to_string()),
            ("period_end", m.period_end.to_string()),
            ("metric", m.metric.clone()),
            ("value", m.value.to_string()),
        ]
    }

    async fn write(to: Target<'_>, rows: &[NewMeasure]) -> Result<u64, sqlx::Error> {
        db::measures::upsert(to.conn, Some(to.import_id), rows).await
    }
}

/// A measure name as stored: lowercase words joined by one underscore, whatever separates
/// them in the file.
fn metric_name(written: &str) -> String {
    let lower = written.trim().to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.join("_")
}

#[cfg(test)]
mod tests {
    use super::metric_name;

    #[test]
    fn separators_in_a_row_give_one_underscore_and_none_is_kept_at_the_ends() {
        for (written, stored) in [
            ("CO2e (tonnes)", "co2e_tonnes"),
            ("Output  Units", "output_units"),
            ("a--b", "a_b"),
            ("Ideas submitted", "ideas_submitted"),
            (" _review_rating_ ", "review_rating"),
        ] {
            assert_eq!(metric_name(written), stored, "{written:?}");
        }
    }
}
