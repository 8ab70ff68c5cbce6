//! Scheduled messages: what is due on a given day in the organization's time zone, created in
//! the outbox once per kind, period and recipient.
//!
//! `run` is called by `attune mail run-due [--as-of DATE]` and, every few minutes, by
//! `attune serve`. Whatever it creates has a dedupe key such as
//! `summary.quarterly:2025-Q1:ada@example.com`, and it works under a transaction-level advisory
//! lock: two instances running at once, or a run repeated after a restart, create each message
//! once. The day comes from a [`Clock`], so tests set it instead of waiting.
//!
//! The schedule: the quarterly summary (HTML body, PDF attached) to every HR and executive
//! account, `summary_mail_delay_days` days after a quarter ends; while a kind of data it uses
//! ends before the quarter's last month, it waits, and HR is told once what is missing (HR may
//! send it anyway). The managers' digest, monthly or weekly (`mail::digest`). HR's data
//! reminder: once per kind of data that ends before the last finished month, and month it ends
//! in.
//!
//! Nobody receives a kind they turned off (`mail::choices`); every message carries a signed
//! one-click unsubscribe link, as a footer and as `List-Unsubscribe` headers.

use std::time::Duration;

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use sqlx::{PgConnection, PgPool};
use tokio::sync::watch;

use crate::accounts::Role;
use crate::cache::ReportCache;
use crate::db::outbox::{self, Attachment, NewMessage};
use crate::db::{audit, notifications, settings};
use crate::mail::choices::{self, Footer};
use crate::period::Period;

/// The setting with the organization's time zone (an IANA name such as `Europe/Paris`).
pub const TIME_ZONE: &str = "mail_time_zone";
/// The time zone when HR has not set one.
pub const DEFAULT_TIME_ZONE: &str = "UTC";
/// The setting with how many days after a quarter ends its summary is sent.
pub const SUMMARY_DELAY_DAYS: &str = "summary_mail_delay_days";
/// The delay when HR has not set one: ten days for the quarter's data to arrive.
pub const DEFAULT_SUMMARY_DELAY_DAYS: i64 = 10;
/// The longest delay HR may set (the next quarter's summary must not come first).
pub const MAX_SUMMARY_DELAY_DAYS: i64 = 60;
/// The kind of the quarterly summary message.
pub const SUMMARY: &str = "summary.quarterly";
/// The kind of the message that tells HR the summary waits for data.
pub const SUMMARY_WAITING: &str = "summary.waiting";
/// The kind of HR's reminder that a kind of data ends before the last finished month.
pub const DATA_REMINDER: &str = "data.reminder";
/// How often `attune serve` looks for due messages.
pub const EVERY: Duration = Duration::from_secs(5 * 60);

/// Where the current time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The machine's clock.
    System,
    /// A fixed instant (`--as-of`, tests).
    Fixed(DateTime<Utc>),
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(at) => *at,
        }
    }
}

/// Why due messages could not be created.
#[derive(Debug, thiserror::Error)]
pub enum DueError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("the quarterly summary of {period} could not be made: {why}")]
    Summary { period: Period, why: String },
    #[error("the managers' digest could not be made: {0}")]
    Digest(String),
}

/// What one run created, and what waits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ran {
    /// Messages created, as (kind, period, how many recipients).
    pub created: Vec<(String, String, usize)>,
    /// Plain sentences about what is not sent yet, and why.
    pub notes: Vec<String>,
}

impl Ran {
    /// How many messages were created.
    pub fn total(&self) -> usize {
        self.created.iter().map(|(_, _, n)| n).sum()
    }

    /// How many messages of `kind` were created.
    pub fn of(&self, kind: &str) -> usize {
        self.created
            .iter()
            .filter(|(k, _, _)| k == kind)
            .map(|(_, _, n)| n)
            .sum()
    }
}

/// The organization's time zone as set, or UTC.
pub async fn time_zone(conn: &mut PgConnection) -> Result<String, sqlx::Error> {
    Ok(settings::get::<String>(conn, TIME_ZONE)
        .await?
        .unwrap_or_else(|| DEFAULT_TIME_ZONE.to_string()))
}

/// A time zone HR may set: an IANA name PostgreSQL knows (case is corrected), e.g.
/// `Europe/Paris`.
pub async fn parse_time_zone(conn: &mut PgConnection, text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("the time zone is empty: write an IANA name such as Europe/Paris".into());
    }
    let found: Option<String> = sqlx::query_scalar(
        "select name from pg_timezone_names where lower(name) = lower($1)
         order by name = $1 desc limit 1",
    )
    .bind(text)
    .fetch_optional(conn)
    .await
    .map_err(|e| format!("the time zone could not be checked: {e}"))?;
    found.ok_or_else(|| {
        format!("\"{text}\" is not a time zone Attune knows: write an IANA name such as Europe/Paris, America/New_York or UTC")
    })
}

/// The summary delay as set (within its bounds).
pub async fn summary_delay_days(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    Ok(
        settings::get_i64(conn, SUMMARY_DELAY_DAYS, DEFAULT_SUMMARY_DELAY_DAYS)
            .await?
            .clamp(0, MAX_SUMMARY_DELAY_DAYS),
    )
}

/// A summary delay HR may set: a whole number of days from 0 to the maximum.
pub fn parse_summary_delay_days(text: &str) -> Result<i64, String> {
    let value: i64 = text.trim().parse().map_err(|_| {
        format!(
            "the delay must be a whole number of days, not \"{}\"",
            text.trim()
        )
    })?;
    if !(0..=MAX_SUMMARY_DELAY_DAYS).contains(&value) {
        return Err(format!(
            "the delay must be between 0 and {MAX_SUMMARY_DELAY_DAYS} days"
        ));
    }
    Ok(value)
}

/// The day it is at `clock`'s time in the organization's time zone.
pub async fn today(conn: &mut PgConnection, clock: &Clock) -> Result<NaiveDate, sqlx::Error> {
    let zone = time_zone(conn).await?;
    sqlx::query_scalar("select ($1::timestamptz at time zone $2)::date")
        .bind(clock.now())
        .bind(zone)
        .fetch_one(conn)
        .await
}

/// The setting by which HR sends a waiting summary anyway.
fn send_anyway_key(quarter: Period) -> String {
    format!("summary_mail_send_anyway:{quarter}")
}

/// HR's "send it anyway": the summary of `quarter` goes out at its next run even though data is
/// missing. Audited.
pub async fn send_summary_anyway(
    conn: &mut PgConnection,
    quarter: Period,
    actor: &audit::Actor,
) -> Result<(), sqlx::Error> {
    settings::set(conn, &send_anyway_key(quarter), &true).await?;
    audit::record(
        conn,
        actor,
        "mail.summary_send_anyway",
        serde_json::json!({ "period": quarter.to_string() }),
    )
    .await
}

/// Create what is due on `today` (a day in the organization's time zone): the quarterly
/// summary, the managers' digest and HR's data reminders. One that fails does not keep the
/// others from being made; the first failure is returned.
pub async fn run(pool: &PgPool, today: NaiveDate) -> Result<Ran, DueError> {
    run_with(pool, &ReportCache::default(), today).await
}

/// `run`, the managers' digest reading its reports from `reports` (those the team pages read,
/// when serving).
pub async fn run_with(
    pool: &PgPool,
    reports: &ReportCache,
    today: NaiveDate,
) -> Result<Ran, DueError> {
    let mut ran = Ran::default();
    let summary = quarterly_summary(pool, today, &mut ran).await;
    let digest = super::digest::make(pool, reports, today, &mut ran).await;
    let reminders = data_reminders(pool, today, &mut ran).await;
    summary.and(digest).and(reminders)?;
    Ok(ran)
}

/// Create what is due every `EVERY`, by the machine's clock, until `shutdown` turns true
/// (`attune serve`), the digest reading from the server's `reports`.
pub async fn run_periodically(
    pool: PgPool,
    reports: ReportCache,
    mut shutdown: watch::Receiver<bool>,
) {
    while !*shutdown.borrow() {
        let result = async {
            let today = today(&mut *pool.acquire().await?, &Clock::System).await?;
            run_with(&pool, &reports, today).await
        }
        .await;
        match result {
            Ok(ran) if ran.total() > 0 => {
                tracing::info!(messages = ran.total(), "created scheduled e-mail")
            }
            Ok(_) => {}
            Err(err) => tracing::warn!("scheduled e-mail could not be created: {err}"),
        }
        tokio::select! {
            () = tokio::time::sleep(EVERY) => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// Serializes the runs of all instances (transaction-level advisory lock).
pub(super) async fn lock(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("select pg_advisory_xact_lock(hashtext('attune.mail.due'))")
        .execute(conn)
        .await?;
    Ok(())
}

/// Audit that scheduled messages of `kind` and `period` were created (`mail.scheduled`).
pub(super) async fn record_scheduled(
    conn: &mut PgConnection,
    kind: &str,
    period: &str,
    recipients: usize,
) -> Result<(), sqlx::Error> {
    audit::record(
        conn,
        &audit::Actor::cli(),
        "mail.scheduled",
        serde_json::json!({ "kind": kind, "period": period, "recipients": recipients }),
    )
    .await
}

/// The dedupe key of a scheduled message.
pub(super) fn key(kind: &str, period: &str, email: &str) -> String {
    format!("{kind}:{period}:{}", email.to_lowercase())
}

/// The kinds of data the summary's fundamentals use that end before `quarter`'s last month,
/// with the months they miss ("absences: 2025-02, 2025-03"), from where each kind's data ends
/// (`notifications::data_ends`: its recorded coverage). Kinds never imported are not expected.
pub fn missing_data(latest: &[(String, NaiveDate)], quarter: Period) -> Vec<String> {
    let months = quarter.months();
    let mut missing = Vec::new();
    for (kind, day) in latest {
        let gaps: Vec<String> = months
            .iter()
            .filter(|m| m.start() > *day)
            .map(|m| m.to_string())
            .collect();
        if !gaps.is_empty() && *day < quarter.end() {
            missing.push(format!(
                "{kind} (data ends {day}; missing {})",
                gaps.join(", ")
            ));
        }
    }
    missing.sort();
    missing
}

/// A kind of data whose last row is before the last finished month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    pub kind: String,
    /// The day of its latest row.
    pub ends: NaiveDate,
    /// The months after `ends`, through the last finished month.
    pub months: Vec<Period>,
}

impl Stale {
    /// The months as a list: "2025-02, 2025-03".
    pub fn months_text(&self) -> String {
        self.months
            .iter()
            .map(Period::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The kinds of data of `latest` (as for [`missing_data`]) that end before the last finished
/// month as of `today`, with the months they miss, by kind.
pub fn stale_data(latest: &[(String, NaiveDate)], today: NaiveDate) -> Vec<Stale> {
    let this_month = Period::month(today.year(), today.month()).expect("today is in a month");
    let mut stale: Vec<Stale> = latest
        .iter()
        .filter_map(|(kind, ends)| {
            let first = Period::month(ends.year(), ends.month())?.next();
            let months: Vec<Period> = std::iter::successors(Some(first), |m| Some(m.next()))
                .take_while(|m| m.start() < this_month.start())
                .collect();
            (!months.is_empty()).then(|| Stale {
                kind: kind.clone(),
                ends: *ends,
                months,
            })
        })
        .collect();
    stale.sort_by(|a, b| a.kind.cmp(&b.kind));
    stale
}

/// HR's data reminders due on `today`: one per kind of data that ends before the last finished
/// month and HR user, once for each month the data ends in (not every day).
async fn data_reminders(pool: &PgPool, today: NaiveDate, ran: &mut Ran) -> Result<(), DueError> {
    let mut tx = pool.begin().await?;
    lock(&mut tx).await?;
    if !notifications::has_employees(&mut tx).await? {
        return Ok(());
    }
    let stale = stale_data(&notifications::data_ends(&mut tx).await?, today);
    if stale.is_empty() {
        return Ok(());
    }
    let hr = notifications::receiving(&mut tx, &[Role::Hr], DATA_REMINDER).await?;
    let links = Links::load(&mut tx).await?;
    let mut made = Vec::new();
    for gap in &stale {
        let period = reminder_period(gap);
        let messages: Vec<NewMessage> = hr
            .iter()
            .map(|r| reminder(gap, r, &links, key(DATA_REMINDER, &period, &r.email)))
            .collect();
        let queued = outbox::enqueue(&mut tx, &messages).await?;
        if queued > 0 {
            made.push((DATA_REMINDER.to_string(), period, queued as usize));
        }
    }
    for (_, period, count) in &made {
        record_scheduled(&mut tx, DATA_REMINDER, period, *count).await?;
    }
    tx.commit().await?;
    ran.created.extend(made);
    Ok(())
}

/// What a data reminder is once for: the kind and the month its data ends in
/// (`absences:2025-01`).
fn reminder_period(gap: &Stale) -> String {
    format!("{}:{}", gap.kind, gap.ends.format("%Y-%m"))
}

/// The reminder to one HR user that a kind of data is missing.
fn reminder(
    gap: &Stale,
    recipient: &notifications::Recipient,
    links: &Links,
    dedupe_key: String,
) -> NewMessage {
    let footer = links.footer(recipient, DATA_REMINDER);
    let text = format!(
        "Attune's {kind} data ends on {ends}: there is none for {months}.\n\nFigures of those \
         months count none of it (a month without {kind} reads as a month where nothing \
         happened), and the quarterly summary waits while its quarter is not covered. Import the missing {kind} on the Imports page, or with \
         `attune import`.\n\nYou receive this as an HR user of Attune, once for {kind} data that \
         ends in {month}.\n{footer}",
        kind = gap.kind,
        ends = gap.ends,
        months = gap.months_text(),
        month = gap.ends.format("%Y-%m"),
        footer = footer.text(label(DATA_REMINDER)),
    );
    NewMessage {
        kind: DATA_REMINDER.to_string(),
        dedupe_key,
        recipient: recipient.email.clone(),
        subject: format!("Data missing: {} for {}", gap.kind, gap.months_text()),
        text,
        html: None,
        headers: footer.headers(),
        attachments: vec![],
    }
}

/// The quarterly summary that is due on `today` but waits for data, with what is missing;
/// None when it is not due, already made, released by HR, or complete.
pub async fn waiting_summary(
    conn: &mut PgConnection,
    today: NaiveDate,
) -> Result<Option<(Period, Vec<String>)>, sqlx::Error> {
    let quarter = Period::latest_complete_quarter(today);
    let due_on = quarter.end() + Days::new(summary_delay_days(conn).await? as u64);
    if today < due_on
        || !notifications::has_employees(conn).await?
        || released(conn, quarter).await?
        || notifications::any_created(conn, &format!("{SUMMARY}:{quarter}:")).await?
    {
        return Ok(None);
    }
    let missing = missing_data(&notifications::data_ends(conn).await?, quarter);
    Ok((!missing.is_empty()).then_some((quarter, missing)))
}

/// Whether HR sent the summary of `quarter` anyway.
async fn released(conn: &mut PgConnection, quarter: Period) -> Result<bool, sqlx::Error> {
    Ok(settings::get::<bool>(conn, &send_anyway_key(quarter))
        .await?
        .unwrap_or(false))
}

async fn quarterly_summary(pool: &PgPool, today: NaiveDate, ran: &mut Ran) -> Result<(), DueError> {
    let mut tx = pool.begin().await?;
    lock(&mut tx).await?;
    let quarter = Period::latest_complete_quarter(today);
    let delay = summary_delay_days(&mut tx).await?;
    let due_on = quarter.end() + Days::new(delay as u64);
    if today < due_on {
        ran.notes.push(format!(
            "The quarterly summary of {quarter} is due on {due_on}."
        ));
        return Ok(());
    }
    if !notifications::has_employees(&mut tx).await? {
        ran.notes.push(format!(
            "The quarterly summary of {quarter} is not sent: there is no employee data yet."
        ));
        return Ok(());
    }
    let period = quarter.to_string();
    let recipients =
        notifications::receiving(&mut tx, &[Role::Hr, Role::Executive], SUMMARY).await?;
    let keys: Vec<String> = recipients
        .iter()
        .map(|r| key(SUMMARY, &period, &r.email))
        .collect();
    let done = notifications::already_created(&mut tx, &keys).await?;
    let to: Vec<&notifications::Recipient> = recipients
        .iter()
        .zip(&keys)
        .filter(|(_, k)| !done.contains(k))
        .map(|(r, _)| r)
        .collect();
    if to.is_empty() {
        return Ok(());
    }

    let latest = notifications::data_ends(&mut tx).await?;
    let missing = missing_data(&latest, quarter);
    let anyway = released(&mut tx, quarter).await?;
    if !missing.is_empty() && !anyway {
        let hr = notifications::receiving(&mut tx, &[Role::Hr], SUMMARY_WAITING).await?;
        let links = Links::load(&mut tx).await?;
        let notices: Vec<NewMessage> = hr
            .iter()
            .map(|r| {
                waiting_notice(
                    quarter,
                    &missing,
                    r,
                    &links,
                    key(SUMMARY_WAITING, &period, &r.email),
                )
            })
            .collect();
        let queued = outbox::enqueue(&mut tx, &notices).await?;
        if queued > 0 {
            ran.created
                .push((SUMMARY_WAITING.to_string(), period.clone(), queued as usize));
        }
        tx.commit().await?;
        ran.notes.push(format!(
            "The quarterly summary of {quarter} waits for data: {}.",
            missing.join("; ")
        ));
        return Ok(());
    }

    let rendered = Rendered::make(&mut tx, quarter).await?;
    let links = Links::load(&mut tx).await?;
    let messages: Vec<NewMessage> = to
        .iter()
        .map(|r| rendered.message(r, &links, key(SUMMARY, &period, &r.email), ""))
        .collect();
    let queued = outbox::enqueue(&mut tx, &messages).await?;
    record_scheduled(&mut tx, SUMMARY, &period, queued as usize).await?;
    tx.commit().await?;
    ran.created
        .push((SUMMARY.to_string(), period, queued as usize));
    Ok(())
}

/// Attune's address and the key links are signed with.
pub(super) struct Links {
    pub(super) base: String,
    key: String,
}

impl Links {
    pub(super) async fn load(conn: &mut PgConnection) -> Result<Links, sqlx::Error> {
        Ok(Links {
            base: choices::public_url(conn).await?,
            key: choices::signing_key(conn).await?,
        })
    }

    pub(super) fn footer(&self, recipient: &notifications::Recipient, kind: &str) -> Footer {
        Footer::new(&self.base, &self.key, recipient.user_id, kind)
    }
}

/// The label of a kind, for footers.
pub(super) fn label(kind: &str) -> &'static str {
    choices::kind(kind).map_or("these messages", |k| k.label)
}

/// A quarter's summary, written once for all its recipients.
struct Rendered {
    period: Period,
    text: String,
    html: String,
    pdf: Vec<u8>,
}

impl Rendered {
    async fn make(conn: &mut PgConnection, quarter: Period) -> Result<Rendered, DueError> {
        let failed = |why: String| DueError::Summary {
            period: quarter,
            why,
        };
        // One rendering goes to executives and HR alike: what an executive may see.
        let summary = crate::summary::build_for(conn, quarter, crate::web::redact::for_executives)
            .await
            .map_err(|e| failed(e.to_string()))?;
        let html = crate::web::pages::summary::standalone_html(&summary)
            .map_err(|e| failed(e.to_string()))?;
        let (summary, pdf) = tokio::task::spawn_blocking(move || {
            crate::summary::pdf::render(&summary).map(|p| (summary, p))
        })
        .await
        .map_err(|e| failed(format!("the PDF task failed: {e}")))?
        .map_err(|e| failed(e.to_string()))?;
        Ok(Rendered {
            period: quarter,
            text: summary_text(&summary),
            html,
            pdf,
        })
    }

    /// The message to one recipient, with their unsubscribe link; `prefix` starts the subject
    /// (a test's "Test: ").
    fn message(
        &self,
        recipient: &notifications::Recipient,
        links: &Links,
        dedupe_key: String,
        prefix: &str,
    ) -> NewMessage {
        let footer = links.footer(recipient, SUMMARY);
        NewMessage {
            kind: SUMMARY.to_string(),
            dedupe_key,
            recipient: recipient.email.clone(),
            subject: format!("{prefix}Quarterly summary {}", self.period),
            text: format!("{}{}", self.text, footer.text(label(SUMMARY))),
            html: Some(footer.add_to_html(&self.html, label(SUMMARY))),
            headers: footer.headers(),
            attachments: vec![Attachment {
                file_name: format!("attune-summary-{}.pdf", self.period),
                content_type: "application/pdf".to_string(),
                content: self.pdf.clone(),
            }],
        }
    }
}

/// The plain-text body of the summary message: its headlines.
fn summary_text(summary: &crate::summary::Summary) -> String {
    let mut text = format!(
        "Quarterly summary {} ({})\n\n",
        summary.period, summary.dates
    );
    for headline in &summary.headlines {
        text.push_str(&format!("- {headline}\n"));
    }
    text.push_str(&format!(
        "\nThe whole summary is in this message and attached as a PDF \
         (attune-summary-{}.pdf).\n\nYou receive it as an HR or executive user of Attune.\n",
        summary.period
    ));
    text
}

/// The message that tells an HR user the summary waits for data.
fn waiting_notice(
    quarter: Period,
    missing: &[String],
    recipient: &notifications::Recipient,
    links: &Links,
    dedupe_key: String,
) -> NewMessage {
    let mut text = if missing.is_empty() {
        format!(
            "Nothing is missing today: the quarterly summary of {quarter} does not wait for \
             data. When it does, this message names the data that does not cover the quarter.\n"
        )
    } else {
        let mut text = format!(
            "The quarterly summary of {quarter} is due but waits, because this data does not \
             cover the quarter yet:\n\n"
        );
        for line in missing {
            text.push_str(&format!("- {line}\n"));
        }
        text
    };
    text.push_str(&format!(
        "\nImport the missing data and the summary goes out by itself. To send it as it is, \
         press \"Send it anyway\" on the E-mail page ({}admin/email) or run \
         `attune mail run-due --send-anyway`.\n\nYou receive this as an HR user of Attune; \
         it is sent once for {quarter}.\n",
        links.base
    ));
    let footer = links.footer(recipient, SUMMARY_WAITING);
    text.push_str(&footer.text(label(SUMMARY_WAITING)));
    NewMessage {
        kind: SUMMARY_WAITING.to_string(),
        dedupe_key,
        recipient: recipient.email.clone(),
        subject: format!("The quarterly summary {quarter} waits for data"),
        text,
        html: None,
        headers: footer.headers(),
        attachments: vec![],
    }
}

/// HR's "send me a test now": a message of `kind` as it would be sent today, to this user
/// only, its subject starting with "Test: ". Queued (and sent by the worker).
pub async fn send_test(
    pool: &PgPool,
    kind: &str,
    user_id: i64,
    email: &str,
) -> Result<(), DueError> {
    let mut conn = pool.acquire().await?;
    let today = today(&mut conn, &Clock::System).await?;
    let quarter = Period::latest_complete_quarter(today);
    let recipient = notifications::Recipient {
        user_id,
        email: email.to_string(),
    };
    let links = Links::load(&mut conn).await?;
    let dedupe_key = format!(
        "test:{kind}:{}:{}",
        email.to_lowercase(),
        crate::accounts::secret::random_hex()
    );
    let mut message = match kind {
        DATA_REMINDER => {
            let latest = notifications::data_ends(&mut conn).await?;
            match stale_data(&latest, today).first() {
                Some(gap) => reminder(gap, &recipient, &links, dedupe_key),
                None => nothing_to_send(
                    kind,
                    "No kind of data ends before the last finished month today, so no data \
                     reminder would be sent. When one does, it names the kind and the months \
                     it misses.",
                    &recipient,
                    &links,
                    dedupe_key,
                ),
            }
        }
        super::digest::DIGEST => {
            match super::digest::test_message(
                &mut conn,
                pool,
                today,
                &recipient,
                &links,
                dedupe_key.clone(),
            )
            .await?
            {
                Some(message) => message,
                None => nothing_to_send(
                    kind,
                    "No manager with a team would receive a digest today (managers are given \
                     teams on the Users page), so there is nothing to show.",
                    &recipient,
                    &links,
                    dedupe_key,
                ),
            }
        }
        SUMMARY_WAITING => {
            let latest = notifications::data_ends(&mut conn).await?;
            waiting_notice(
                quarter,
                &missing_data(&latest, quarter),
                &recipient,
                &links,
                dedupe_key,
            )
        }
        _ => Rendered::make(&mut conn, quarter)
            .await?
            .message(&recipient, &links, dedupe_key, ""),
    };
    message.subject = format!("Test: {}", message.subject);
    outbox::enqueue(&mut conn, &[message]).await?;
    Ok(())
}

/// A test of a kind that nothing would be sent of today: why.
fn nothing_to_send(
    kind: &str,
    why: &str,
    recipient: &notifications::Recipient,
    links: &Links,
    dedupe_key: String,
) -> NewMessage {
    let footer = links.footer(recipient, kind);
    NewMessage {
        kind: kind.to_string(),
        dedupe_key,
        recipient: recipient.email.clone(),
        subject: format!("{} (nothing to send today)", label(kind)),
        text: format!("{why}\n{}", footer.text(label(kind))),
        html: None,
        headers: footer.headers(),
        attachments: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn data_that_ends_before_the_quarters_last_month_is_missing_with_its_months() {
        let q1 = Period::quarter(2025, 1).unwrap();
        let latest = vec![
            ("pulse".to_string(), day("2025-03-02")),
            ("absences".to_string(), day("2025-01-20")),
            ("csat".to_string(), day("2025-05-01")),
        ];
        assert_eq!(
            missing_data(&latest, q1),
            ["absences (data ends 2025-01-20; missing 2025-02, 2025-03)"]
        );
    }

    #[test]
    fn data_that_ends_before_the_last_finished_month_is_stale_with_every_month_since() {
        let latest = vec![
            ("pulse".to_string(), day("2025-03-02")),
            ("absences".to_string(), day("2025-01-20")),
            ("csat".to_string(), day("2024-11-30")),
        ];
        // On 10 April, March is the last finished month: pulse covers it.
        let stale = stale_data(&latest, day("2025-04-10"));
        let found: Vec<(&str, String)> = stale
            .iter()
            .map(|s| (s.kind.as_str(), s.months_text()))
            .collect();
        assert_eq!(
            found,
            [
                ("absences", "2025-02, 2025-03".to_string()),
                ("csat", "2024-12, 2025-01, 2025-02, 2025-03".to_string()),
            ]
        );
        assert_eq!(reminder_period(&stale[0]), "absences:2025-01");
        // On 1 March, February is the last finished month: absences miss February only.
        let stale = stale_data(&latest[1..2], day("2025-03-01"));
        assert_eq!(stale[0].months_text(), "2025-02");
        assert_eq!(stale_data(&latest[1..2], day("2025-02-28")), []);
    }

    #[test]
    fn the_delay_is_a_bounded_number_of_days() {
        assert_eq!(parse_summary_delay_days(" 14 "), Ok(14));
        assert!(
            parse_summary_delay_days("ten")
                .unwrap_err()
                .contains("whole number")
        );
        assert!(
            parse_summary_delay_days("61")
                .unwrap_err()
                .contains("between 0 and 60")
        );
    }

    #[test]
    fn keys_are_per_kind_period_and_address_ignoring_case() {
        assert_eq!(
            key(SUMMARY, "2025-Q1", "Ada@Example.com"),
            "summary.quarterly:2025-Q1:ada@example.com"
        );
    }
}
