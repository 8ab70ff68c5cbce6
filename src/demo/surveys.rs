//! The demo's pulse survey rounds: one closed (answered by about seven in ten people, its answers
//! counting in the figures) and one open today (some have answered; the rest of its links are on
//! HR's round page). Made with the same functions as real rounds; created once.

use chrono::{Days, NaiveDate};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sqlx::PgPool;

use crate::db::audit::Actor;
use crate::db::surveys::{self, Answer, NewRound};
use crate::survey;

/// The demo's rounds: (closed round, open round). Nothing is created when rounds exist already.
pub async fn ensure(pool: &PgPool, today: NaiveDate) -> anyhow::Result<Option<(i64, i64)>> {
    let mut conn = pool.acquire().await?;
    if !surveys::list(&mut conn).await?.is_empty() {
        return Ok(None);
    }
    let actor = Actor {
        user_id: None,
        name: "demo".into(),
        client_addr: None,
    };
    let base = crate::mail::choices::public_url(&mut conn).await?;
    let mut rng = ChaCha8Rng::seed_from_u64(14);

    // Four weeks ago, for two weeks.
    let opens = today - Days::new(28);
    let closed = NewRound {
        opens_on: opens,
        closes_on: opens + Days::new(13),
        items: survey::default_items(),
        team_ids: None,
        repeat: "none".into(),
        reminder_days: 3,
    };
    let closed_id = surveys::create(&mut conn, &closed, &actor.name).await?;
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    survey::open(&mut tx, &actor, closed_id, opens, &base).await?;
    tx.commit().await?;
    answer_some(pool, closed_id, 0.7, &mut rng).await?;
    survey::close(&mut conn, &actor, closed_id, opens + Days::new(14)).await?;

    // Open from today for two weeks, a few answers in.
    let open = NewRound {
        opens_on: today,
        closes_on: today + Days::new(13),
        ..closed
    };
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    let (open_id, _) = survey::create(&mut tx, &actor, &open, today, &base).await?;
    tx.commit().await?;
    answer_some(pool, open_id, 0.3, &mut rng).await?;
    Ok(Some((closed_id, open_id)))
}

/// Answer a share of a round's invitations the way a respondent's page does, with values that
/// lean favorable.
async fn answer_some(
    pool: &PgPool,
    round_id: i64,
    share: f64,
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<()> {
    let mut conn = pool.acquire().await?;
    let tokens: Vec<String> = surveys::unanswered(&mut conn, round_id)
        .await?
        .into_iter()
        .map(|(_, _, token)| token)
        .collect();
    for token in tokens {
        if rng.random::<f64>() >= share {
            continue;
        }
        let Some(visit) =
            surveys::visit(&mut conn, &crate::accounts::secret::digest(&token)).await?
        else {
            continue;
        };
        let agreement = |rng: &mut ChaCha8Rng| -> Option<i16> {
            (rng.random::<f64>() > 0.05).then(|| [2, 3, 4, 4, 4, 5, 5][rng.random_range(0..7)])
        };
        let answer = Answer {
            heard: agreement(rng),
            supported: agreement(rng),
            valued: agreement(rng),
            enps: Some([3, 6, 7, 8, 8, 9, 9, 10][rng.random_range(0..8)]),
        };
        surveys::answer(&mut conn, &visit, &answer).await?;
        survey::write_batches(pool, round_id).await?;
    }
    Ok(())
}
