//! The names of things that are not metrics (metrics are named by their catalogue entry): the
//! parts of the empathy index, period lengths, tiers and directions.

use crate::period::Granularity;
use crate::scoring::{Direction, EmpathyPart, Tier};

/// What a part of the empathy index is called, wherever it is listed: in plain words, since
/// executives read them (turnover and promotions are counted over a year; for turnover and
/// absence, less is better, so less scores higher).
pub fn empathy_part(part: EmpathyPart) -> &'static str {
    match part {
        EmpathyPart::EmpathyFavorability => "Empathy favorability",
        EmpathyPart::Enps => "eNPS (put on a 0–100 scale)",
        EmpathyPart::VoluntaryTurnover => "Voluntary turnover (over a year; less scores higher)",
        EmpathyPart::Absenteeism => "Absenteeism (less scores higher)",
        EmpathyPart::Promotion => "Promotions (over a year)",
        EmpathyPart::Csat => "Customer satisfaction",
    }
}

/// A period's length as a noun: "quarter" (pages say "the last 8 quarters").
pub fn period_unit(granularity: Granularity) -> &'static str {
    match granularity {
        Granularity::Year => "year",
        Granularity::Quarter => "quarter",
        Granularity::Month => "month",
    }
}

/// A tier's heading: "Fundamentals".
pub fn tier(tier: Tier) -> &'static str {
    match tier {
        Tier::Fundamentals => "Fundamentals",
        Tier::Intermediate => "Intermediate",
        Tier::Advanced => "Advanced",
    }
}

/// Which way is good, in words ("" when neither is).
pub fn direction(direction: Direction) -> &'static str {
    match direction {
        Direction::HigherIsBetter => "higher is better",
        Direction::LowerIsBetter => "lower is better",
        Direction::Neutral => "",
    }
}
