//! The words for a figure that is not shown, by why it is missing: one place, so the pages, the
//! summary, the PDF, the CSV and the text report say the same thing for the same reason.

use crate::scoring::{Metric, Privacy, Scored};

/// Why a figure is not shown as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// It cannot be computed: the data it needs has not been imported, or a divisor is zero.
    NoFigure,
    /// A survey figure withheld for privacy: too few responses, or hidden with a small group so
    /// that it cannot be worked out by subtraction.
    TooFewResponses,
    /// Computed from the salaries of the few people behind it: withheld from managers.
    SalaryBased,
}

impl Missing {
    /// Why `metric` of `scope` is not shown, or None when it has a value to show.
    pub fn of(scope: &impl Scored, metric: Metric) -> Option<Missing> {
        if scope.is_suppressed(metric) {
            Some(Missing::withheld(metric))
        } else if scope.get(metric).is_none() {
            Some(Missing::NoFigure)
        } else {
            None
        }
    }

    /// Why privacy withheld `metric` (it is listed in `suppressed`).
    pub fn withheld(metric: Metric) -> Missing {
        match metric.info().privacy {
            Privacy::SalaryBased => Missing::SalaryBased,
            Privacy::Survey(_) | Privacy::FromSurvey | Privacy::Open => Missing::TooFewResponses,
        }
    }

    /// What a page, the summary and its PDF show instead of the number.
    pub fn words(self) -> &'static str {
        match self {
            Missing::NoFigure => "–",
            Missing::TooFewResponses => "not enough responses",
            Missing::SalaryBased => "withheld: salary-based",
        }
    }

    /// The same in a narrow column of the text report.
    pub fn short(self) -> &'static str {
        match self {
            Missing::NoFigure => "–",
            Missing::TooFewResponses => "too few",
            Missing::SalaryBased => "withheld",
        }
    }

    /// The same in a CSV cell: an empty cell where there is no figure, so spreadsheets see no
    /// value rather than text.
    pub fn cell(self) -> &'static str {
        match self {
            Missing::NoFigure => "",
            other => other.words(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_withheld_figure_says_why_in_every_format() {
        let cases = [
            (
                Metric::EmpathyFavorability,
                "not enough responses",
                "too few",
            ),
            (Metric::EnpsChange, "not enough responses", "too few"),
            (Metric::TurnoverCost, "withheld: salary-based", "withheld"),
            (Metric::AbsenceCost, "withheld: salary-based", "withheld"),
        ];
        for (metric, words, short) in cases {
            let missing = Missing::withheld(metric);
            assert_eq!(missing.words(), words, "{metric}");
            assert_eq!(missing.short(), short, "{metric}");
            assert_eq!(missing.cell(), words, "{metric}");
        }
        assert_eq!(Missing::NoFigure.words(), "–");
        assert_eq!(Missing::NoFigure.cell(), "");
    }
}
