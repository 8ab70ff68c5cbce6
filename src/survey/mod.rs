//! Pulse survey rounds that Attune runs itself: creating, opening (invitations with single-use
//! links, queued as e-mail), reminding, closing (and creating the next round of a repeating
//! one), and writing answers in shuffled batches. docs/surveys.md describes the whole; the SQL
//! is in `db::surveys`.

pub mod messages;

use base64::Engine;
use chrono::{Months, NaiveDate};
use sqlx::{Connection, PgConnection, PgPool};

use crate::accounts::secret;
use crate::db::audit::{self, Actor};
use crate::db::outbox;
use crate::db::surveys::{self, Items, NewInvitation, NewRound, Round};

/// Answers wait until this many are waiting for their round (or the round closes), then they are
/// written together in shuffled order.
pub const BATCH: i64 = 10;

/// The default reminder: this many days before the closing day.
pub const DEFAULT_REMINDER_DAYS: i32 = 3;

/// The items every round starts with (HR may reword them until the round opens).
pub fn default_items() -> Items {
    Items {
        heard: "I feel heard by my manager.".into(),
        supported: "My manager supports me when I need it.".into(),
        valued: "I feel valued by my manager.".into(),
        enps: "How likely are you to recommend working here to a friend?".into(),
    }
}

/// Whether and how a round repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    None,
    Monthly,
    Quarterly,
}

impl Repeat {
    pub const ALL: [Repeat; 3] = [Repeat::None, Repeat::Monthly, Repeat::Quarterly];

    pub fn as_str(self) -> &'static str {
        match self {
            Repeat::None => "none",
            Repeat::Monthly => "monthly",
            Repeat::Quarterly => "quarterly",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Repeat::None => "Once",
            Repeat::Monthly => "Every month",
            Repeat::Quarterly => "Every quarter",
        }
    }

    pub fn parse(text: &str) -> Result<Repeat, String> {
        Repeat::ALL
            .into_iter()
            .find(|r| r.as_str() == text.trim().to_ascii_lowercase())
            .ok_or_else(|| format!("repeat must be none, monthly or quarterly, not \"{text}\""))
    }

    /// How far apart two rounds are.
    fn step(self) -> Option<Months> {
        match self {
            Repeat::None => None,
            Repeat::Monthly => Some(Months::new(1)),
            Repeat::Quarterly => Some(Months::new(3)),
        }
    }
}

/// Why a round could not be created, changed, opened or closed.
#[derive(Debug, thiserror::Error)]
pub enum SurveyError {
    #[error("there is no survey round {0}")]
    NotFound(i64),
    #[error("round {0} is {1}: {2}")]
    WrongStatus(i64, String, &'static str),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Check a round's dates and wording; `today` is the first day a new round may open.
pub fn check(round: &NewRound, today: NaiveDate) -> Result<(), SurveyError> {
    if round.opens_on < today {
        return Err(SurveyError::Invalid(format!(
            "the opening day {} is in the past (today is {today})",
            round.opens_on
        )));
    }
    if round.closes_on < round.opens_on {
        return Err(SurveyError::Invalid(format!(
            "the closing day {} is before the opening day {}",
            round.closes_on, round.opens_on
        )));
    }
    if round.closes_on > round.opens_on + chrono::Days::new(92) {
        return Err(SurveyError::Invalid(
            "a round stays open at most 92 days".into(),
        ));
    }
    if !(0..=60).contains(&round.reminder_days) {
        return Err(SurveyError::Invalid(
            "the reminder goes 0 to 60 days before the closing day".into(),
        ));
    }
    for (name, text) in [
        ("heard", &round.items.heard),
        ("supported", &round.items.supported),
        ("valued", &round.items.valued),
        ("enps", &round.items.enps),
    ] {
        if text.trim().is_empty() {
            return Err(SurveyError::Invalid(format!(
                "the wording of the {name} item is empty"
            )));
        }
        if text.chars().count() > 300 {
            return Err(SurveyError::Invalid(format!(
                "the wording of the {name} item is longer than 300 characters"
            )));
        }
    }
    Ok(())
}

/// A new link token: 128 random bits, 22 characters of base64url.
pub fn new_token() -> String {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether a text could be a token (so that anything else is refused before a database query).
pub fn plausible_token(token: &str) -> bool {
    token.len() == 22
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The respondent's link of a token.
pub fn link(base_url: &str, token: &str) -> String {
    format!("{}/s/{token}", base_url.trim_end_matches('/'))
}

/// What opening a round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opened {
    pub invited: usize,
    /// People on the roster (of the round's teams) on the opening day without an e-mail address.
    pub without_email: i64,
}

/// Create a round, audited, in the caller's transaction. It opens at once when it opens today
/// (then `opened` says what that did).
pub async fn create(
    conn: &mut PgConnection,
    actor: &Actor,
    round: &NewRound,
    today: NaiveDate,
    base_url: &str,
) -> Result<(i64, Option<Opened>), SurveyError> {
    check(round, today)?;
    let round_id = surveys::create(conn, round, &actor.name).await?;
    audit::record(
        conn,
        actor,
        "survey.create",
        serde_json::json!({
            "round": round_id, "opens_on": round.opens_on, "closes_on": round.closes_on,
            "repeat": round.repeat,
        }),
    )
    .await?;
    let opened = if round.opens_on <= today {
        Some(open(conn, actor, round_id, today, base_url).await?)
    } else {
        None
    };
    Ok((round_id, opened))
}

/// Change a round that has not opened yet, audited.
pub async fn edit(
    conn: &mut PgConnection,
    actor: &Actor,
    round_id: i64,
    round: &NewRound,
    today: NaiveDate,
) -> Result<(), SurveyError> {
    check(round, today)?;
    let Some(stored) = surveys::get_for_update(conn, round_id).await? else {
        return Err(SurveyError::NotFound(round_id));
    };
    if stored.status != "scheduled" {
        return Err(SurveyError::WrongStatus(
            round_id,
            stored.status,
            "only a round that has not opened can be changed",
        ));
    }
    surveys::update_scheduled(conn, round_id, round).await?;
    audit::record(
        conn,
        actor,
        "survey.edit",
        serde_json::json!({"round": round_id, "opens_on": round.opens_on, "closes_on": round.closes_on}),
    )
    .await?;
    Ok(())
}

/// Open a scheduled round now, in the caller's transaction: invite everyone on the roster today
/// with an e-mail address (of its teams) and queue their invitations. A round opened before its
/// opening day starts today.
pub async fn open(
    conn: &mut PgConnection,
    actor: &Actor,
    round_id: i64,
    today: NaiveDate,
    base_url: &str,
) -> Result<Opened, SurveyError> {
    let Some(round) = surveys::get_for_update(conn, round_id).await? else {
        return Err(SurveyError::NotFound(round_id));
    };
    if round.status != "scheduled" {
        return Err(SurveyError::WrongStatus(
            round_id,
            round.status,
            "only a scheduled round can be opened",
        ));
    }
    if round.closes_on < today {
        return Err(SurveyError::Invalid(format!(
            "round {round_id} closed on {} before it opened; change its dates first",
            round.closes_on
        )));
    }
    if round.opens_on > today {
        sqlx::query("update survey_round set opens_on = $2 where survey_round_id = $1")
            .bind(round_id)
            .bind(today)
            .execute(&mut *conn)
            .await?;
    }
    let day = round.opens_on.min(today);
    let (invitees, without_email) = surveys::invitees(conn, day, round.team_ids.as_deref()).await?;
    let invitations: Vec<NewInvitation> = invitees
        .into_iter()
        .map(|invitee| {
            let token = new_token();
            NewInvitation {
                token_digest: secret::digest(&token),
                token,
                invitee,
            }
        })
        .collect();
    let ids = surveys::open(conn, round_id, &invitations).await?;
    let min_group = crate::db::settings::min_group_size(conn).await?;
    let mail: Vec<outbox::NewMessage> = invitations
        .iter()
        .zip(&ids)
        .map(|(invitation, id)| {
            messages::invitation(
                round_id,
                *id,
                &invitation.invitee.email,
                &link(base_url, &invitation.token),
                round.closes_on,
                min_group,
            )
        })
        .collect();
    outbox::enqueue(conn, &mail).await?;
    audit::record(
        conn,
        actor,
        "survey.open",
        serde_json::json!({"round": round_id, "invited": ids.len(), "without_email": without_email}),
    )
    .await?;
    Ok(Opened {
        invited: ids.len(),
        without_email,
    })
}

/// What closing a round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed {
    pub answers: u64,
    /// The next round of a repeating one.
    pub next_round_id: Option<i64>,
}

/// Close an open round now (its links stop working), write its waiting answers, and create the
/// next round of a repeating one. Takes a connection outside any transaction.
pub async fn close(
    conn: &mut PgConnection,
    actor: &Actor,
    round_id: i64,
    today: NaiveDate,
) -> Result<Closed, SurveyError> {
    let mut tx = conn.begin().await?;
    let Some(round) = surveys::get_for_update(&mut tx, round_id).await? else {
        return Err(SurveyError::NotFound(round_id));
    };
    if round.status != "open" {
        return Err(SurveyError::WrongStatus(
            round_id,
            round.status,
            "only an open round can be closed",
        ));
    }
    surveys::close(&mut tx, round_id).await?;
    // Its invitations and reminders not sent yet would only carry dead links.
    let prefixes =
        [messages::INVITATION, messages::REMINDER].map(|kind| format!("{kind}:{round_id}:"));
    crate::db::outbox::drop_unsent(&mut tx, &prefixes).await?;
    let next_round_id = match next(&round, today) {
        Some(next) => {
            let id = surveys::create(&mut tx, &next, &round.created_by).await?;
            surveys::set_next(&mut tx, round_id, id).await?;
            Some(id)
        }
        None => None,
    };
    audit::record(
        &mut tx,
        actor,
        "survey.close",
        serde_json::json!({"round": round_id, "next_round": next_round_id}),
    )
    .await?;
    tx.commit().await?;
    let answers = surveys::flush(conn, round_id).await?;
    Ok(Closed {
        answers,
        next_round_id,
    })
}

/// The round after a repeating one: the same wording, teams and reminder, its dates moved by a
/// month or a quarter (as many steps as it takes to open today or later).
fn next(round: &Round, today: NaiveDate) -> Option<NewRound> {
    let step = Repeat::parse(&round.repeat).ok()?.step()?;
    // Counted from the first round each time, so that the 31st stays the month's last day.
    let (opens_on, closes_on) = (1..=1200).find_map(|k| {
        let months = Months::new(step.as_u32() * k);
        let opens_on = round.opens_on.checked_add_months(months)?;
        (opens_on > today).then(|| Some((opens_on, round.closes_on.checked_add_months(months)?)))?
    })?;
    Some(NewRound {
        opens_on,
        closes_on,
        items: round.items.clone(),
        team_ids: round.team_ids.clone(),
        repeat: round.repeat.clone(),
        reminder_days: round.reminder_days,
    })
}

/// After an answer was committed, with `waiting` answers of the round waiting: once a batch is
/// complete, write the round's waiting answers (`write_batches`) in a task of its own, so that
/// the respondent does not wait for it.
pub fn after_answer(pool: &PgPool, round_id: i64, waiting: i64) {
    if waiting < BATCH {
        return;
    }
    let pool = pool.clone();
    tokio::spawn(async move {
        if let Err(err) = write_batches(&pool, round_id).await {
            tracing::warn!(
                round = round_id,
                "survey answers could not be written yet (they wait for the next): {err}"
            );
        }
    });
}

/// How long the writer of a round's batches pauses between two batches while answers keep
/// coming: each batch rewrites all of the round's "answered" marks, so under a burst this bounds
/// that work (a larger batch, written a moment later) instead of rewriting them without end.
const PAUSE_BETWEEN_BATCHES: std::time::Duration = std::time::Duration::from_secs(1);

/// Write the round's waiting answers whenever a batch (`BATCH`) is complete. One session at a
/// time is the round's writer (`db::surveys::lock_writer`): while another is, this returns at
/// once, and that one looks again before it stops. Returns how many answers were written.
pub async fn write_batches(pool: &PgPool, round_id: i64) -> Result<u64, sqlx::Error> {
    let mut written = 0;
    loop {
        let mut conn = pool.acquire().await?;
        if surveys::waiting(&mut conn, round_id).await? < BATCH
            || !surveys::lock_writer(&mut conn, round_id).await?
        {
            return Ok(written);
        }
        // Never back in the pool holding the lock, whatever happens below: closing the session
        // releases it.
        conn.close_on_drop();
        loop {
            written += surveys::flush(&mut conn, round_id).await?;
            if surveys::waiting(&mut conn, round_id).await? < BATCH {
                break;
            }
            tokio::time::sleep(PAUSE_BETWEEN_BATCHES).await;
        }
        surveys::unlock_writer(&mut conn, round_id).await?;
        drop(conn);
        // Answers that came while this session was the writer left their batch to it: look again.
    }
}

/// What one `tick` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ticked {
    pub opened: Vec<i64>,
    pub closed: Vec<i64>,
    pub reminders: u64,
}

/// Do what is due on `today`: open scheduled rounds whose day has come (inviting), queue the
/// reminders that fall due (once per invitation, to those who have not answered), and close
/// rounds whose closing day has passed. `attune serve` runs this every minute; several
/// instances may run it at once (rounds are locked, messages deduplicated).
pub async fn tick(pool: &PgPool, today: NaiveDate, base_url: &str) -> Result<Ticked, SurveyError> {
    let mut done = Ticked::default();
    let mut conn = pool.acquire().await?;
    let actor = Actor {
        user_id: None,
        name: "schedule".into(),
        client_addr: None,
    };
    for round in surveys::due(&mut conn, today).await? {
        let id = round.survey_round_id;
        let result = if round.status == "scheduled" {
            let mut tx = conn.begin().await?;
            match open(&mut tx, &actor, id, today, base_url).await {
                Ok(_) => {
                    tx.commit().await?;
                    done.opened.push(id);
                    Ok(())
                }
                Err(err) => Err(err),
            }
        } else {
            close(&mut conn, &actor, id, today).await.map(|_| {
                done.closed.push(id);
            })
        };
        match result {
            // Another instance got there first.
            Ok(()) | Err(SurveyError::WrongStatus(..)) => {}
            Err(SurveyError::Invalid(reason)) => {
                tracing::warn!(round = id, "a survey round could not open: {reason}");
            }
            Err(err) => return Err(err),
        }
    }
    for round in surveys::reminders_due(&mut conn, today).await? {
        done.reminders += remind(&mut conn, &round, base_url).await?;
    }
    Ok(done)
}

/// Run `tick` at start and every minute until `shutdown` turns true (inside `attune serve`).
pub async fn schedule(
    pool: PgPool,
    base_url: String,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    while !*shutdown.borrow() {
        let today = chrono::Utc::now().date_naive();
        match tick(&pool, today, &base_url).await {
            Ok(done) => {
                if !done.opened.is_empty() || !done.closed.is_empty() || done.reminders > 0 {
                    tracing::info!(
                        opened = ?done.opened,
                        closed = ?done.closed,
                        reminders = done.reminders,
                        "survey rounds"
                    );
                }
            }
            Err(err) => tracing::warn!("survey rounds could not be updated: {err}"),
        }
        tokio::select! {
            () = tokio::time::sleep(std::time::Duration::from_secs(60)) => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// Queue the round's reminder for everyone who has not answered (each at most once).
async fn remind(
    conn: &mut PgConnection,
    round: &Round,
    base_url: &str,
) -> Result<u64, SurveyError> {
    let mut tx = conn.begin().await?;
    let unanswered = surveys::unanswered(&mut tx, round.survey_round_id).await?;
    let mail: Vec<outbox::NewMessage> = unanswered
        .iter()
        .map(|(id, email, token)| {
            messages::reminder(
                round.survey_round_id,
                *id,
                email,
                &link(base_url, token),
                round.closes_on,
            )
        })
        .collect();
    let queued = outbox::enqueue(&mut tx, &mail).await?;
    tx.commit().await?;
    Ok(queued)
}

/// Participation of one group: invited, answered and the rate, withheld below the minimum
/// group size of invitations.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Participation {
    /// A team's name; None for the organization.
    pub team: Option<String>,
    pub invited: i64,
    /// None when withheld.
    pub answered: Option<i64>,
    /// Answered / invited, 0 to 1; None when withheld.
    pub rate: Option<f64>,
}

/// The participation of a round: the organization first, then each team, each withheld when
/// fewer than `min_group` people of it were invited.
pub fn participation(rows: &[surveys::TeamParticipation], min_group: i64) -> Vec<Participation> {
    let shown = |team: Option<String>, invited: i64, answered: i64| {
        let visible = invited >= min_group && invited > 0;
        Participation {
            team,
            invited,
            answered: visible.then_some(answered),
            rate: visible.then(|| answered as f64 / invited as f64),
        }
    };
    let invited: i64 = rows.iter().map(|r| r.invited).sum();
    let answered: i64 = rows.iter().map(|r| r.answered).sum();
    std::iter::once(shown(None, invited, answered))
        .chain(
            rows.iter()
                .map(|r| shown(Some(r.team.clone()), r.invited, r.answered)),
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn round(opens: &str, closes: &str) -> NewRound {
        NewRound {
            opens_on: date(opens),
            closes_on: date(closes),
            items: default_items(),
            team_ids: None,
            repeat: "none".into(),
            reminder_days: 3,
        }
    }

    #[test]
    fn tokens_are_22_characters_of_128_random_bits() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 22);
        assert_ne!(a, b);
        assert!(plausible_token(&a));
        assert!(!plausible_token("short"));
        assert!(!plausible_token("aaaaaaaaaaaaaaaaaaaa/a"));
        assert_eq!(
            link("https://attune.example.org/", "abc"),
            "https://attune.example.org/s/abc"
        );
    }

    #[test]
    fn check_names_what_is_wrong() {
        let today = date("2026-03-01");
        assert!(check(&round("2026-03-01", "2026-03-14"), today).is_ok());
        let err = check(&round("2026-02-27", "2026-03-14"), today).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the opening day 2026-02-27 is in the past (today is 2026-03-01)"
        );
        let err = check(&round("2026-03-10", "2026-03-09"), today).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the closing day 2026-03-09 is before the opening day 2026-03-10"
        );
        let mut blank = round("2026-03-01", "2026-03-14");
        blank.items.valued = "  ".into();
        assert_eq!(
            check(&blank, today).unwrap_err().to_string(),
            "the wording of the valued item is empty"
        );
    }

    #[test]
    fn the_next_round_moves_by_a_step_until_it_opens_after_today() {
        let stored = Round {
            survey_round_id: 1,
            opens_on: date("2026-01-31"),
            closes_on: date("2026-02-10"),
            status: "open".into(),
            items: default_items(),
            team_ids: Some(vec![4]),
            repeat: "monthly".into(),
            reminder_days: 2,
            next_round_id: None,
            created_by: "hr@example.com".into(),
            opened_at: None,
            closed_at: None,
        };
        let next_round = next(&stored, date("2026-02-10")).unwrap();
        assert_eq!(next_round.opens_on, date("2026-02-28"));
        assert_eq!(next_round.closes_on, date("2026-03-10"));
        assert_eq!(next_round.team_ids, Some(vec![4]));
        let late = next(&stored, date("2026-04-01")).unwrap();
        assert_eq!(late.opens_on, date("2026-04-30"));
        let quarterly = Round {
            repeat: "quarterly".into(),
            ..stored.clone()
        };
        assert_eq!(
            next(&quarterly, date("2026-02-10")).unwrap().opens_on,
            date("2026-04-30")
        );
        let once = Round {
            repeat: "none".into(),
            ..stored
        };
        assert_eq!(next(&once, date("2026-02-10")), None);
    }

    #[test]
    fn participation_is_withheld_below_the_minimum_group_of_invitations() {
        let rows = vec![
            surveys::TeamParticipation {
                team_id: 1,
                team: "Atlas".into(),
                invited: 8,
                answered: 6,
            },
            surveys::TeamParticipation {
                team_id: 2,
                team: "Nova".into(),
                invited: 4,
                answered: 4,
            },
        ];
        let shown = participation(&rows, 5);
        assert_eq!(shown[0].team, None);
        assert_eq!((shown[0].invited, shown[0].answered), (12, Some(10)));
        assert_eq!(shown[1].rate, Some(0.75));
        assert_eq!(shown[2].team.as_deref(), Some("Nova"));
        assert_eq!((shown[2].answered, shown[2].rate), (None, None));
    }
}
