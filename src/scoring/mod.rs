//! Scoring: turns facts about a team and a period into the metrics of the three tiers.
//!
//! Pure by design: plain structs in, plain structs out, no database, web or I/O. The database
//! layer counts (see `db::facts`); this module divides. Every formula here is defined, with a
//! worked example, in docs/metrics.md.

mod fundamentals;

pub use fundamentals::{Fundamentals, RosterFacts, fundamentals};

/// `100 × numerator / denominator`, or `None` when the denominator is zero: a rate over nobody
/// is unknown, never 0.
pub fn rate(numerator: f64, denominator: f64) -> Option<f64> {
    (denominator != 0.0).then(|| 100.0 * numerator / denominator)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_over_a_zero_denominator_is_unknown() {
        assert_eq!(rate(3.0, 0.0), None);
    }

    #[test]
    fn a_rate_is_on_a_zero_to_hundred_scale() {
        assert_eq!(rate(1.0, 4.0), Some(25.0));
    }
}
