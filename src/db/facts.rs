//! Facts for scoring: counts per team and period, computed set-based in PostgreSQL.

use std::collections::BTreeMap;

use sqlx::PgConnection;

use crate::period::Period;
use crate::scoring::RosterFacts;

/// Roster facts for every team and each of `periods`: `result[i]` maps team name to the facts
/// of `periods[i]`. Teams without employees appear with zero counts.
pub async fn roster(
    conn: &mut PgConnection,
    periods: &[Period],
) -> Result<Vec<BTreeMap<String, RosterFacts>>, sqlx::Error> {
    let starts: Vec<_> = periods.iter().map(Period::start).collect();
    let ends: Vec<_> = periods.iter().map(Period::end).collect();
    let rows: Vec<(i64, String, i64, i64, i64, i64, i64)> = sqlx::query_as(
        "select p.idx, t.name,
             count(e.employee_id) filter (where e.hire_date <= p.start_date
                 and (e.termination_date is null or e.termination_date >= p.start_date)),
             count(e.employee_id) filter (where e.hire_date <= p.end_date
                 and (e.termination_date is null or e.termination_date >= p.end_date)),
             count(e.employee_id) filter (where e.termination_date between p.start_date and p.end_date),
             count(e.employee_id) filter (where e.termination_date between p.start_date and p.end_date
                 and e.termination_type = 'voluntary'),
             count(e.employee_id) filter (where e.termination_date between p.start_date and p.end_date
                 and e.termination_type = 'involuntary')
         from unnest($1::date[], $2::date[]) with ordinality as p(start_date, end_date, idx)
         cross join team t
         left join employee e on e.team_id = t.team_id
         group by p.idx, t.team_id, t.name
         order by p.idx, t.name",
    )
    .bind(&starts)
    .bind(&ends)
    .fetch_all(conn)
    .await?;
    let mut result = vec![BTreeMap::new(); periods.len()];
    for (idx, team, start, end, sep, vol, invol) in rows {
        result[(idx - 1) as usize].insert(
            team,
            RosterFacts {
                headcount_start: start,
                headcount_end: end,
                separations: sep,
                voluntary_separations: vol,
                involuntary_separations: invol,
            },
        );
    }
    Ok(result)
}
