//! Why a figure is null: the report's `reasons`, one per metric left without a value.

use serde::Serialize;

/// Why a metric of a scope has no value (its JSON name is the contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// No data: the imports do not cover the period for this scope, or there is nothing to
    /// count (no responses at all, nobody employed).
    NoData,
    /// A survey figure over fewer responses than the minimum group size, or hidden with a
    /// small group so that it cannot be worked out by subtraction.
    TooFewResponses,
    /// A survey figure of a month: survey figures are reported for finished quarters (and
    /// years) only.
    NotReportedForMonths,
    /// A survey figure of a period not finished yet: a period still filling up would reveal
    /// each new response as it arrives.
    PeriodNotFinished,
    /// Computed from salaries: withheld from this reader (managers).
    SalaryBased,
    /// Computed from the salaries of fewer than three people, or recoverable by subtraction
    /// as such: withheld from everyone but HR.
    TooFewPeople,
}

impl Reason {
    /// The JSON name: `"too_few_people"`.
    pub fn key(self) -> &'static str {
        match self {
            Reason::NoData => "no_data",
            Reason::TooFewResponses => "too_few_responses",
            Reason::NotReportedForMonths => "not_reported_for_months",
            Reason::PeriodNotFinished => "period_not_finished",
            Reason::SalaryBased => "salary_based",
            Reason::TooFewPeople => "too_few_people",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reason_serializes_as_its_key() {
        for reason in [
            Reason::NoData,
            Reason::TooFewResponses,
            Reason::NotReportedForMonths,
            Reason::PeriodNotFinished,
            Reason::SalaryBased,
            Reason::TooFewPeople,
        ] {
            assert_eq!(serde_json::to_value(reason).unwrap(), reason.key());
        }
    }
}
