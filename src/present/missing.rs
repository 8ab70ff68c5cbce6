//! The words for a figure that is not shown, by why it is missing: one place, so the pages, the
//! summary, the PDF, the CSV and the text report say the same thing for the same reason.

use crate::scoring::{Metric, Privacy, Reason, Scored};

/// Why a figure is not shown as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// It cannot be computed: a divisor is zero.
    NoFigure,
    /// The imports do not cover it, or there is nothing to count (`no_data`).
    NoData,
    /// The empathy index without empathy favorability, or with known parts carrying less than
    /// half of the weight (`no_data` of the index).
    NotEnoughData,
    /// A survey figure of a month (`not_reported_for_months`).
    NotReportedForMonths,
    /// A survey figure of a period still under way (`period_not_finished`).
    PeriodNotFinished,
    /// Computed from the salaries of fewer than three people: withheld from all but HR
    /// (`too_few_people`).
    TooFewPeople,
    /// A survey figure withheld for privacy: too few responses, or hidden with a small group so
    /// that it cannot be worked out by subtraction.
    TooFewResponses,
    /// Computed from the salaries of the few people behind it: withheld from managers.
    SalaryBased,
}

impl Missing {
    /// Why `metric` of `scope` is not shown, or None when it has a value to show.
    pub fn of(scope: &impl Scored, metric: Metric) -> Option<Missing> {
        if let Some(reason) = scope.reason(metric) {
            Some(Missing::of_reason(metric, reason))
        } else if scope.is_suppressed(metric) {
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

    /// The words for `metric`'s reason: as [`Missing::from`], but an empathy index without
    /// data is made of too few known parts.
    pub fn of_reason(metric: Metric, reason: Reason) -> Missing {
        match (metric, reason) {
            (Metric::EmpathyIndex, Reason::NoData) => Missing::NotEnoughData,
            _ => Missing::from(reason),
        }
    }

    /// Whether it says there is nothing to show, rather than that something is withheld.
    pub fn is_no_data(self) -> bool {
        matches!(
            self,
            Missing::NoFigure | Missing::NoData | Missing::NotEnoughData
        )
    }

    /// The words for the report's reason.
    pub fn from(reason: Reason) -> Missing {
        match reason {
            Reason::NoData => Missing::NoData,
            Reason::TooFewResponses => Missing::TooFewResponses,
            Reason::NotReportedForMonths => Missing::NotReportedForMonths,
            Reason::PeriodNotFinished => Missing::PeriodNotFinished,
            Reason::SalaryBased => Missing::SalaryBased,
            Reason::TooFewPeople => Missing::TooFewPeople,
        }
    }

    /// What a page, the summary and its PDF show instead of the number.
    pub fn words(self) -> &'static str {
        match self {
            Missing::NoFigure => "–",
            Missing::NoData => "no data",
            Missing::NotEnoughData => "not enough data",
            Missing::NotReportedForMonths => "reported for finished quarters only",
            Missing::PeriodNotFinished => "reported once the period has ended",
            Missing::TooFewPeople => "withheld: too few people",
            Missing::TooFewResponses => "not enough responses",
            Missing::SalaryBased => "withheld: salary-based",
        }
    }

    /// The same in a narrow column of the text report.
    pub fn short(self) -> &'static str {
        match self {
            Missing::NoFigure => "–",
            Missing::NoData => "no data",
            Missing::NotEnoughData => "not enough",
            Missing::NotReportedForMonths => "quarters only",
            Missing::PeriodNotFinished => "not ended",
            Missing::TooFewPeople => "withheld",
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

    #[test]
    fn every_reason_of_the_report_has_its_words() {
        let cases = [
            (Reason::NoData, "no data"),
            (Reason::TooFewResponses, "not enough responses"),
            (
                Reason::NotReportedForMonths,
                "reported for finished quarters only",
            ),
            (
                Reason::PeriodNotFinished,
                "reported once the period has ended",
            ),
            (Reason::SalaryBased, "withheld: salary-based"),
            (Reason::TooFewPeople, "withheld: too few people"),
        ];
        for (reason, words) in cases {
            assert_eq!(Missing::from(reason).words(), words, "{reason:?}");
            assert_eq!(Missing::from(reason).cell(), words, "{reason:?}");
        }
    }

    #[test]
    fn an_empathy_index_without_data_reads_not_enough_data() {
        let index = Missing::of_reason(Metric::EmpathyIndex, Reason::NoData);
        assert_eq!(index.words(), "not enough data");
        assert_eq!(index.cell(), "not enough data");
        assert!(index.is_no_data());
        assert_eq!(
            Missing::of_reason(Metric::Csat, Reason::NoData).words(),
            "no data"
        );
        assert_eq!(
            Missing::of_reason(Metric::EmpathyIndex, Reason::PeriodNotFinished).words(),
            "reported once the period has ended"
        );
    }
}
