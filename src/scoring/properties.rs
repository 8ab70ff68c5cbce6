//! Property tests: invariants that hold for any facts, not just the worked examples.

use proptest::prelude::*;

use super::*;

fn roster() -> impl Strategy<Value = RosterFacts> {
    (0i64..200, 0i64..200, 0i64..60, 0i64..60).prop_map(|(start, end, voluntary, involuntary)| {
        RosterFacts {
            headcount_start: start,
            headcount_end: end,
            separations: voluntary + involuntary + (start + end) % 3,
            voluntary_separations: voluntary,
            involuntary_separations: involuntary,
        }
    })
}

fn facts() -> impl Strategy<Value = Facts> {
    (
        roster(),
        0.0f64..20_000.0,
        0.0f64..1.0,
        0i64..40,
        (0i64..300, 0.0f64..1.0),
        (0i64..60, 0.0f64..1.0, 0.0f64..1.0),
    )
        .prop_map(
            |(
                roster,
                scheduled,
                absent_share,
                promotions,
                (csat, csat_share),
                (pulse, fav_share, enps_share),
            )| {
                let answers = pulse * 3;
                let enps_answers = pulse;
                let promoters = (enps_answers as f64 * enps_share) as i64;
                Facts {
                    roster,
                    scheduled_days: scheduled.floor(),
                    absence_days: scheduled.floor() * absent_share,
                    promotions,
                    csat_responses: csat,
                    csat_positive: (csat as f64 * csat_share) as i64,
                    pulse: PulseFacts {
                        responses: pulse,
                        empathy_respondents: pulse,
                        favorable_answers: (answers as f64 * fav_share) as i64,
                        answers,
                        enps_answers,
                        enps_promoters: promoters,
                        enps_detractors: (enps_answers - promoters) / 2,
                    },
                    ..Facts::default()
                }
            },
        )
}

fn scored(facts: &Facts, min_group_size: i64) -> ScopeMetrics {
    let settings = Settings {
        min_group_size,
        ..Settings::default()
    };
    let ctx = Context {
        settings: &settings,
        periods_per_year: 4.0,
    };
    score(facts, None, &[], ctx, &Hidden::own(facts, None, &settings))
}

proptest! {
    #[test]
    fn shares_stay_within_0_and_100(facts in facts()) {
        let m = scored(&facts, 5);
        let f = &m.fundamentals;
        for share in [f.absenteeism_rate, f.csat, f.empathy_favorability].into_iter().flatten() {
            prop_assert!((0.0..=100.0).contains(&share), "{share}");
        }
        if let Some(enps) = m.advanced.enps {
            prop_assert!((-100.0..=100.0).contains(&enps));
        }
        if let Some(index) = m.advanced.empathy_index {
            prop_assert!((0.0..=100.0).contains(&index));
        }
        for part in &m.empathy_index_parts {
            prop_assert!((0.0..=100.0).contains(&part.score), "{part:?}");
        }
    }

    #[test]
    fn a_zero_denominator_always_gives_null(facts in facts()) {
        let m = scored(&facts, 5);
        let f = &m.fundamentals;
        if f.headcount_avg == 0.0 {
            prop_assert!(f.turnover_rate.is_none() && f.promotion_rate.is_none());
            prop_assert!(f.voluntary_turnover_rate.is_none() && f.involuntary_turnover_rate.is_none());
        }
        if facts.scheduled_days == 0.0 {
            prop_assert!(f.absenteeism_rate.is_none());
        }
        if facts.csat_responses == 0 {
            prop_assert!(f.csat.is_none());
        }
    }

    #[test]
    fn survey_figures_below_the_minimum_group_size_are_never_shown(facts in facts(), min in 3i64..20) {
        let m = scored(&facts, min);
        if facts.pulse.responses < min {
            prop_assert!(m.fundamentals.empathy_favorability.is_none());
            prop_assert!(m.suppressed.contains(&Metric::EmpathyFavorability));
        }
        if facts.pulse.enps_answers < min {
            prop_assert!(m.advanced.enps.is_none());
            prop_assert!(m.suppressed.contains(&Metric::Enps));
            prop_assert!(!m.empathy_index_parts.iter().any(|p| p.part == EmpathyPart::Enps));
        }
        if facts.pulse.responses >= min && facts.pulse.answers > 0 {
            prop_assert!(m.fundamentals.empathy_favorability.is_some());
        }
    }

    #[test]
    fn the_organization_is_computed_over_all_people(a in roster(), b in roster()) {
        let org = fundamentals(&(a + b));
        let (fa, fb) = (fundamentals(&a), fundamentals(&b));
        prop_assert_eq!(org.headcount_start, fa.headcount_start + fb.headcount_start);
        prop_assert_eq!(org.separations, fa.separations + fb.separations);
        prop_assert!((org.headcount_avg - (fa.headcount_avg + fb.headcount_avg)).abs() < 1e-9);
        // The org rate lies between the team rates: a weighted mean, not a plain average.
        if let (Some(ra), Some(rb), Some(ro)) = (fa.turnover_rate, fb.turnover_rate, org.turnover_rate) {
            prop_assert!(ro >= ra.min(rb) - 1e-9 && ro <= ra.max(rb) + 1e-9);
        }
    }

    #[test]
    fn no_hidden_figure_can_be_recovered_by_subtraction(
        responses in proptest::collection::vec(0i64..30, 1..8),
        min in 3i64..10,
    ) {
        let group: Vec<SuppressionCandidate> = responses
            .iter()
            .enumerate()
            .map(|(i, r)| SuppressionCandidate { team: format!("T{i}"), responses: *r, suppressed: *r < min })
            .collect();
        let extra = complementary_suppression(&group, min);
        let hidden: Vec<&SuppressionCandidate> = group
            .iter()
            .filter(|c| c.responses > 0 && (c.suppressed || extra.contains(&c.team)))
            .collect();
        let shown = group.iter().filter(|c| c.responses > 0).count() - hidden.len();
        if !hidden.is_empty() && shown > 0 {
            // What the organization minus the shown teams reveals covers two or more teams
            // and at least the minimum group size.
            prop_assert!(hidden.len() >= 2);
            prop_assert!(hidden.iter().map(|c| c.responses).sum::<i64>() >= min);
        }
        for team in &extra {
            prop_assert!(group.iter().any(|c| &c.team == team && !c.suppressed));
        }
    }
}
