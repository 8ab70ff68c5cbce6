//! Pulse survey rounds, invitations and anonymous answers (see migrations/0007_surveys.sql and
//! docs/surveys.md). What a round does when (opening, reminding, closing) is decided in
//! `crate::survey`; the SQL is here.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

/// The advisory lock key of a round's batch writes (`flush`): "survey" in ASCII, shifted to
/// leave room for the round id.
const FLUSH_LOCK: i64 = 0x7375_7276_0000_0000;

/// The wording of the four items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Items {
    pub heard: String,
    pub supported: String,
    pub valued: String,
    pub enps: String,
}

/// A round, as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Round {
    pub survey_round_id: i64,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub status: String,
    #[sqlx(json)]
    pub items: Items,
    pub team_ids: Option<Vec<i64>>,
    pub repeat: String,
    pub reminder_days: i32,
    pub next_round_id: Option<i64>,
    pub created_by: String,
    pub opened_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

const ROUND_COLUMNS: &str = "survey_round_id, opens_on, closes_on, status, items, team_ids, \
     repeat, reminder_days, next_round_id, created_by, opened_at, closed_at";

/// What a new round (or an edit of a scheduled one) sets.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRound {
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub items: Items,
    pub team_ids: Option<Vec<i64>>,
    pub repeat: String,
    pub reminder_days: i32,
}

/// Store a new scheduled round; returns its id.
pub async fn create(
    conn: &mut PgConnection,
    round: &NewRound,
    created_by: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "insert into survey_round (opens_on, closes_on, items, team_ids, repeat, reminder_days,
                                   created_by)
         values ($1, $2, $3, $4, $5, $6, $7) returning survey_round_id",
    )
    .bind(round.opens_on)
    .bind(round.closes_on)
    .bind(serde_json::json!(round.items))
    .bind(&round.team_ids)
    .bind(&round.repeat)
    .bind(round.reminder_days)
    .bind(created_by)
    .fetch_one(conn)
    .await
}

/// Change a round that has not opened yet; false if it has opened (or does not exist).
pub async fn update_scheduled(
    conn: &mut PgConnection,
    round_id: i64,
    round: &NewRound,
) -> Result<bool, sqlx::Error> {
    let changed = sqlx::query(
        "update survey_round set opens_on = $2, closes_on = $3, items = $4, team_ids = $5,
             repeat = $6, reminder_days = $7, updated_at = now()
         where survey_round_id = $1 and status = 'scheduled'",
    )
    .bind(round_id)
    .bind(round.opens_on)
    .bind(round.closes_on)
    .bind(serde_json::json!(round.items))
    .bind(&round.team_ids)
    .bind(&round.repeat)
    .bind(round.reminder_days)
    .execute(conn)
    .await?;
    Ok(changed.rows_affected() == 1)
}

/// Remember the round a repeating round created.
pub async fn set_next(
    conn: &mut PgConnection,
    round_id: i64,
    next: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update survey_round set next_round_id = $2, updated_at = now() where survey_round_id = $1",
    )
    .bind(round_id)
    .bind(next)
    .execute(conn)
    .await?;
    Ok(())
}

/// One round.
pub async fn get(conn: &mut PgConnection, round_id: i64) -> Result<Option<Round>, sqlx::Error> {
    one_round(conn, round_id, "").await
}

/// One round, locked until the end of the transaction (so that opening or closing it happens
/// once even when two instances try at once).
pub async fn get_for_update(
    conn: &mut PgConnection,
    round_id: i64,
) -> Result<Option<Round>, sqlx::Error> {
    one_round(conn, round_id, "for update").await
}

async fn one_round(
    conn: &mut PgConnection,
    round_id: i64,
    lock: &'static str,
) -> Result<Option<Round>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {ROUND_COLUMNS} from survey_round where survey_round_id = $1 {lock}"
    )))
    .bind(round_id)
    .fetch_optional(conn)
    .await
}

/// Every round, the newest opening first.
pub async fn list(conn: &mut PgConnection) -> Result<Vec<Round>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {ROUND_COLUMNS} from survey_round order by opens_on desc, survey_round_id desc"
    )))
    .fetch_all(conn)
    .await
}

/// Rounds that should act on `today`: scheduled ones whose opening day has come, and open ones
/// whose closing day has passed. (Reminders are found by `reminders_due`.)
pub async fn due(conn: &mut PgConnection, today: NaiveDate) -> Result<Vec<Round>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {ROUND_COLUMNS} from survey_round
         where (status = 'scheduled' and opens_on <= $1) or (status = 'open' and closes_on < $1)
         order by opens_on, survey_round_id"
    )))
    .bind(today)
    .fetch_all(conn)
    .await
}

/// Someone to invite: on the roster on the opening day, with an e-mail address.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Invitee {
    pub employee_id: i64,
    pub team_id: i64,
    pub email: String,
}

/// The people a round invites on `day` (its teams only, if it names teams), and how many on the
/// roster that day (of those teams) have no e-mail address.
pub async fn invitees(
    conn: &mut PgConnection,
    day: NaiveDate,
    team_ids: Option<&[i64]>,
) -> Result<(Vec<Invitee>, i64), sqlx::Error> {
    let people: Vec<(i64, i64, Option<String>)> = sqlx::query_as(
        "select employee_id, team_id, nullif(btrim(email), '')
         from employee
         where hire_date <= $1 and (termination_date is null or termination_date >= $1)
           and ($2::bigint[] is null or team_id = any($2))
         order by employee_id",
    )
    .bind(day)
    .bind(team_ids)
    .fetch_all(conn)
    .await?;
    let without = people.iter().filter(|p| p.2.is_none()).count() as i64;
    let invitees = people
        .into_iter()
        .filter_map(|(employee_id, team_id, email)| {
            Some(Invitee {
                employee_id,
                team_id,
                email: email?,
            })
        })
        .collect();
    Ok((invitees, without))
}

/// An invitation to store: the person, and the token of their link.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub invitee: Invitee,
    pub token: String,
    pub token_digest: String,
}

/// Mark a scheduled round open and store its invitations (one statement); returns the ids of
/// the invitations in the order given.
pub async fn open(
    conn: &mut PgConnection,
    round_id: i64,
    invitations: &[NewInvitation],
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query(
        "update survey_round set status = 'open', opened_at = now(), updated_at = now()
         where survey_round_id = $1",
    )
    .bind(round_id)
    .execute(&mut *conn)
    .await?;
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "insert into survey_invitation (survey_round_id, employee_id, team_id, email, token,
                                        token_digest)
         select $1, * from unnest($2::int8[], $3::int8[], $4::text[], $5::text[], $6::text[])
         returning survey_invitation_id, token_digest",
    )
    .bind(round_id)
    .bind(
        invitations
            .iter()
            .map(|i| i.invitee.employee_id)
            .collect::<Vec<_>>(),
    )
    .bind(
        invitations
            .iter()
            .map(|i| i.invitee.team_id)
            .collect::<Vec<_>>(),
    )
    .bind(
        invitations
            .iter()
            .map(|i| i.invitee.email.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(
        invitations
            .iter()
            .map(|i| i.token.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(
        invitations
            .iter()
            .map(|i| i.token_digest.as_str())
            .collect::<Vec<_>>(),
    )
    .fetch_all(&mut *conn)
    .await?;
    let ids: std::collections::HashMap<&str, i64> =
        rows.iter().map(|(id, d)| (d.as_str(), *id)).collect();
    Ok(invitations
        .iter()
        .map(|i| ids[i.token_digest.as_str()])
        .collect())
}

/// Mark an open round closed: its links stop working, and the tokens are removed.
pub async fn close(conn: &mut PgConnection, round_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update survey_round set status = 'closed', closed_at = now(), updated_at = now()
         where survey_round_id = $1",
    )
    .bind(round_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("update survey_invitation set token = null where survey_round_id = $1")
        .bind(round_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Write the round's waiting answers to `survey_answer` in shuffled order with random ids, then
/// rewrite all of the round's "answered" marks in shuffled order; each in a transaction of its
/// own (the caller's `conn` must not be inside one). Afterwards the marks carry one
/// transaction's `xmin`, the answers another's, and the physical order (`ctid`) of both is
/// random, so neither tells in which order people answered or which answer is whose. The
/// answers go first: every answer written had its mark committed with it, so the rewrite that
/// follows includes that mark even when more answers arrive in between. (Should the process die
/// between the two, the next flush — at the latest the one closing the round — rewrites them.)
/// Returns how many answers were written. Waits while another connection writes the round's
/// answers (or holds `lock_writer`).
pub async fn flush(conn: &mut PgConnection, round_id: i64) -> Result<u64, sqlx::Error> {
    use sqlx::Connection;
    let mut tx = conn.begin().await?;
    lock_flush(&mut tx, round_id).await?;
    let written = sqlx::query(
        "with waiting as (
             delete from survey_answer_queue where survey_round_id = $1
             returning survey_round_id, team_id, heard, supported, valued, enps
         )
         insert into survey_answer (survey_round_id, team_id, heard, supported, valued, enps)
         select survey_round_id, team_id, heard, supported, valued, enps
         from waiting order by random()",
    )
    .bind(round_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;

    let mut tx = conn.begin().await?;
    lock_flush(&mut tx, round_id).await?;
    let mut marks: Vec<i64> = sqlx::query_scalar(
        "delete from survey_answered a using survey_invitation i
         where i.survey_invitation_id = a.survey_invitation_id and i.survey_round_id = $1
         returning a.survey_invitation_id",
    )
    .bind(round_id)
    .fetch_all(&mut *tx)
    .await?;
    rand::seq::SliceRandom::shuffle(marks.as_mut_slice(), &mut rand::rng());
    sqlx::query(
        "insert into survey_answered (survey_invitation_id) select * from unnest($1::int8[])",
    )
    .bind(&marks)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(written)
}

/// Become the one writer of the round's batches, for this session, if no other session is
/// (false: another is). `flush` on this session still works (the lock is reentrant); on any other
/// it waits until `unlock_writer` or the end of the session.
pub async fn lock_writer(conn: &mut PgConnection, round_id: i64) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("select pg_try_advisory_lock($1)")
        .bind(FLUSH_LOCK + round_id)
        .fetch_one(conn)
        .await
}

/// Stop being the writer of the round's batches (`lock_writer`).
pub async fn unlock_writer(conn: &mut PgConnection, round_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("select pg_advisory_unlock($1)")
        .bind(FLUSH_LOCK + round_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Take the round's flush lock until the end of the transaction: one batch write at a time.
async fn lock_flush(conn: &mut PgConnection, round_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("select pg_advisory_xact_lock($1)")
        .bind(FLUSH_LOCK + round_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// How many answers wait to be written for a round.
pub async fn waiting(conn: &mut PgConnection, round_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("select count(*) from survey_answer_queue where survey_round_id = $1")
        .bind(round_id)
        .fetch_one(conn)
        .await
}

/// The invitation a link's token belongs to, with its round.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Visit {
    pub survey_invitation_id: i64,
    pub survey_round_id: i64,
    pub team_id: i64,
    pub status: String,
    pub closes_on: NaiveDate,
    #[sqlx(json)]
    pub items: Items,
    pub answered: bool,
}

/// Look a link up by its token's digest.
pub async fn visit(
    conn: &mut PgConnection,
    token_digest: &str,
) -> Result<Option<Visit>, sqlx::Error> {
    sqlx::query_as(
        "select i.survey_invitation_id, i.survey_round_id, i.team_id, r.status, r.closes_on,
                r.items,
                exists (select 1 from survey_answered a
                        where a.survey_invitation_id = i.survey_invitation_id) as answered
         from survey_invitation i join survey_round r using (survey_round_id)
         where i.token_digest = $1",
    )
    .bind(token_digest)
    .fetch_optional(conn)
    .await
}

/// The values of one answer (None: skipped).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Answer {
    pub heard: Option<i16>,
    pub supported: Option<i16>,
    pub valued: Option<i16>,
    pub enps: Option<i16>,
}

/// What became of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    Yes,
    AlreadyAnswered,
    /// The round closed meanwhile.
    Closed,
}

/// Record an answer for an invitation, in one statement (so atomically, inside a transaction of
/// the caller's or not): the invitation is marked answered and the answer queued; or nothing
/// happens, if it was answered already or its round is no longer open (checked with the round
/// locked against closing). Returns what became of it and how many of the round's answers wait
/// now, this one included.
pub async fn answer(
    conn: &mut PgConnection,
    visit: &Visit,
    answer: &Answer,
) -> Result<(Recorded, i64), sqlx::Error> {
    // The queue is counted in the statement's snapshot, which does not hold its own insert.
    let (status, marked, waiting_before): (Option<String>, i64, i64) = sqlx::query_as(
        "with round as (
             select status from survey_round where survey_round_id = $1 for share
         ), marked as (
             insert into survey_answered (survey_invitation_id)
             select $2 from round where status = 'open'
             on conflict do nothing
             returning survey_invitation_id
         ), queued as (
             insert into survey_answer_queue (survey_round_id, team_id, heard, supported, valued,
                                              enps)
             select $1, $3, $4, $5, $6, $7 from marked
             returning 1
         )
         select (select status from round), (select count(*) from queued),
                (select count(*) from survey_answer_queue where survey_round_id = $1)",
    )
    .bind(visit.survey_round_id)
    .bind(visit.survey_invitation_id)
    .bind(visit.team_id)
    .bind(answer.heard)
    .bind(answer.supported)
    .bind(answer.valued)
    .bind(answer.enps)
    .fetch_one(conn)
    .await?;
    Ok(if status.as_deref() != Some("open") {
        (Recorded::Closed, waiting_before)
    } else if marked == 0 {
        (Recorded::AlreadyAnswered, waiting_before)
    } else {
        (Recorded::Yes, waiting_before + 1)
    })
}

/// Invited and answered, per team of a round.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TeamParticipation {
    pub team_id: i64,
    pub team: String,
    pub invited: i64,
    pub answered: i64,
}

/// Participation of a round, per team (by team name).
pub async fn participation(
    conn: &mut PgConnection,
    round_id: i64,
) -> Result<Vec<TeamParticipation>, sqlx::Error> {
    sqlx::query_as(
        "select t.team_id, t.name as team, count(*) as invited, count(a.survey_invitation_id) as answered
         from survey_invitation i
         join team t on t.team_id = i.team_id
         left join survey_answered a on a.survey_invitation_id = i.survey_invitation_id
         where i.survey_round_id = $1
         group by t.team_id, t.name
         order by lower(t.name)",
    )
    .bind(round_id)
    .fetch_all(conn)
    .await
}

/// The links of a round's invitations, answered or not, while it is open: (e-mail, token).
pub async fn links(
    conn: &mut PgConnection,
    round_id: i64,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "select i.email, i.token from survey_invitation i
         where i.survey_round_id = $1 and i.token is not null
         order by lower(i.email)",
    )
    .bind(round_id)
    .fetch_all(conn)
    .await
}

/// Unanswered invitations of a round: (invitation id, e-mail, token).
pub async fn unanswered(
    conn: &mut PgConnection,
    round_id: i64,
) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "select i.survey_invitation_id, i.email, i.token from survey_invitation i
         where i.survey_round_id = $1 and i.token is not null
           and not exists (select 1 from survey_answered a
                           where a.survey_invitation_id = i.survey_invitation_id)
         order by i.survey_invitation_id",
    )
    .bind(round_id)
    .fetch_all(conn)
    .await
}

/// Open rounds whose reminder falls due on or before `today` (and that have a reminder).
pub async fn reminders_due(
    conn: &mut PgConnection,
    today: NaiveDate,
) -> Result<Vec<Round>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {ROUND_COLUMNS} from survey_round
         where status = 'open' and reminder_days > 0 and closes_on >= $1
           and closes_on - reminder_days <= $1
         order by survey_round_id"
    )))
    .bind(today)
    .fetch_all(conn)
    .await
}

/// Erase a person's invitations (with whether they answered). Their answers carry nothing of
/// them, so nothing else is removed. Returns how many invitations were deleted.
pub async fn erase_employee(conn: &mut PgConnection, employee_id: i64) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("delete from survey_invitation where employee_id = $1")
            .bind(employee_id)
            .execute(conn)
            .await?
            .rows_affected(),
    )
}

/// Throttling of the respondent's page: record a visit with a link that matches nothing.
pub async fn record_bad_link(
    conn: &mut PgConnection,
    client_addr: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("insert into login_failure (email, client_addr) values ($1, $2)")
        .bind(BAD_LINK)
        .bind(client_addr)
        .execute(conn)
        .await?;
    Ok(())
}

/// How many visits with unknown links came from this address within the sign-in window.
pub async fn recent_bad_links(
    conn: &mut PgConnection,
    client_addr: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "select count(*) from login_failure
         where email = $1 and client_addr = $2 and created_at > now() - make_interval(secs => $3)",
    )
    .bind(BAD_LINK)
    .bind(client_addr)
    .bind(super::login_failures::WINDOW.as_secs_f64())
    .fetch_one(conn)
    .await
}

/// What `login_failure.email` holds for a visit with an unknown survey link.
const BAD_LINK: &str = super::login_failures::SURVEY_LINK;
