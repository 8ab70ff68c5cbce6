//! Whether a change, or a difference from the organization, is good news: from the catalogue's
//! direction, in words and symbols as well as colour.

use crate::scoring::Direction;

/// Whether a change, or a difference from the organization, is good news.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Better,
    Worse,
    /// No change worth showing (the same at the precision shown), or within the tolerance.
    Same,
    /// A change in a metric that is neither good nor bad (headcount).
    Neutral,
    /// One side is unknown or withheld.
    Unknown,
}

impl Verdict {
    /// The CSS class: colour is never the only signal (see `word`).
    pub fn class(self) -> &'static str {
        match self {
            Verdict::Better => "better",
            Verdict::Worse => "worse",
            Verdict::Same => "same",
            Verdict::Neutral => "neutral",
            Verdict::Unknown => "unknown",
        }
    }

    /// The judgement in words.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Better => "better",
            Verdict::Worse => "worse",
            Verdict::Same => "similar",
            Verdict::Neutral => "",
            Verdict::Unknown => "",
        }
    }
}

/// Whether going from `before` to `after` is good, given the metric's direction. `tolerance`
/// is the smallest difference that counts (half the last digit shown, for a change).
pub fn judge(
    direction: Direction,
    before: Option<f64>,
    after: Option<f64>,
    tolerance: f64,
) -> Verdict {
    let (Some(before), Some(after)) = (before, after) else {
        return Verdict::Unknown;
    };
    let delta = after - before;
    if delta.abs() < tolerance {
        return Verdict::Same;
    }
    match direction {
        Direction::Neutral => Verdict::Neutral,
        Direction::HigherIsBetter if delta > 0.0 => Verdict::Better,
        Direction::LowerIsBetter if delta < 0.0 => Verdict::Better,
        _ => Verdict::Worse,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_turnover_is_better_and_a_tiny_change_is_no_change() {
        let down = Direction::LowerIsBetter;
        assert_eq!(judge(down, Some(8.0), Some(3.1), 0.05), Verdict::Better);
        assert_eq!(judge(down, Some(3.1), Some(8.0), 0.05), Verdict::Worse);
        assert_eq!(judge(down, Some(3.1), Some(3.12), 0.05), Verdict::Same);
        assert_eq!(judge(down, None, Some(3.1), 0.05), Verdict::Unknown);
        assert_eq!(
            judge(Direction::Neutral, Some(40.0), Some(42.0), 0.5),
            Verdict::Neutral
        );
        assert_eq!(
            judge(Direction::HigherIsBetter, Some(80.0), Some(85.0), 0.05),
            Verdict::Better
        );
    }
}
