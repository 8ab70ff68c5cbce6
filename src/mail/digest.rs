//! The managers' digest: monthly (or weekly, HR's setting `digest_mail_every`), each manager
//! gets, for each team assigned to them, what the team page opens with for the last finished
//! month — what stands out and what changed (`web::pages::team::opening`, from the reports as
//! redacted for that manager by `web::redact::for_reader`, so nothing the page hides), the open
//! survey round's participation (withheld below the minimum group size of invitations, as on
//! the participation page) and a link to the team page.
//!
//! Made by `due::run` once per period and recipient (`digest.manager:2025-03:ada@example.com`
//! monthly, `digest.manager:2025-W15:…` weekly), through the outbox, with the unsubscribe link.

use askama::Template;
use chrono::{Datelike, NaiveDate};
use sqlx::{PgConnection, PgPool};

use super::due::{self, DueError, Links, Ran};
use crate::accounts::Role;
use crate::cache::{ReportCache, Snapshot};
use crate::db::outbox::{self, NewMessage};
use crate::db::{self, notifications, settings};
use crate::period::Period;
use crate::present::{self, standout::Standout};
use crate::survey;
use crate::web::auth::TeamScope;
use crate::web::pages::team;

/// The kind of the managers' digest.
pub const DIGEST: &str = "digest.manager";
/// The setting with how often the digest is sent: `month` or `week`.
pub const EVERY: &str = "digest_mail_every";

/// How often the digest is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    /// On the first run of each month (the default).
    Month,
    /// On the first run of each week (weeks start on Monday).
    Week,
}

impl Every {
    pub const ALL: [Every; 2] = [Every::Month, Every::Week];

    pub fn as_str(self) -> &'static str {
        match self {
            Every::Month => "month",
            Every::Week => "week",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Every::Month => "Monthly",
            Every::Week => "Weekly",
        }
    }

    /// `month` or `week`, as HR's form sends it.
    pub fn parse(text: &str) -> Result<Every, String> {
        Every::ALL
            .into_iter()
            .find(|e| e.as_str() == text.trim())
            .ok_or_else(|| {
                format!(
                    "the digest is sent every month or every week, not \"{}\"",
                    text.trim()
                )
            })
    }

    /// The period a digest made on `today` is for, in its dedupe key: the month it covers
    /// (`2025-03`) or the ISO week it is made in (`2025-W15`).
    pub fn period_key(self, today: NaiveDate) -> String {
        match self {
            Every::Month => covered(today).to_string(),
            Every::Week => {
                let week = today.iso_week();
                format!("{}-W{:02}", week.year(), week.week())
            }
        }
    }
}

/// How often the digest is sent, as set.
pub async fn every(conn: &mut PgConnection) -> Result<Every, sqlx::Error> {
    Ok(settings::get::<String>(conn, EVERY)
        .await?
        .and_then(|e| Every::parse(&e).ok())
        .unwrap_or(Every::Month))
}

/// The month a digest made on `today` shows: the last finished one.
pub fn covered(today: NaiveDate) -> Period {
    Period::month(today.year(), today.month())
        .expect("today is in a month")
        .previous()
}

/// One team of a digest.
pub struct Section {
    pub team: String,
    /// Nobody was employed in the team during the month (the page says only that).
    pub empty: bool,
    /// The team page for the month, at Attune's public address.
    pub href: String,
    pub standouts: Vec<Standout>,
    pub what_changed: Vec<String>,
    /// The open survey round's participation, in a sentence.
    pub survey: Vec<String>,
}

/// The digest's HTML body.
#[derive(Template)]
#[template(path = "mail/digest.html")]
struct DigestHtml<'a> {
    period: &'a str,
    span: &'a str,
    sections: &'a [Section],
}

/// Create the digests due on `today` (those not created yet for its period).
pub(super) async fn make(
    pool: &PgPool,
    reports: &ReportCache,
    today: NaiveDate,
    ran: &mut Ran,
) -> Result<(), DueError> {
    let mut tx = pool.begin().await?;
    due::lock(&mut tx).await?;
    if !notifications::has_employees(&mut tx).await? {
        return Ok(());
    }
    let every = every(&mut tx).await?;
    let period = every.period_key(today);
    let managers = notifications::managers(&mut tx, DIGEST).await?;
    let keys: Vec<String> = managers
        .iter()
        .map(|m| due::key(DIGEST, &period, &m.email))
        .collect();
    let done = notifications::already_created(&mut tx, &keys).await?;
    let pending: Vec<(&notifications::Manager, String)> = managers
        .iter()
        .zip(keys)
        .filter(|(manager, key)| !done.contains(key) && !manager.teams.is_empty())
        .collect();
    if pending.is_empty() {
        return Ok(());
    }
    let links = Links::load(&mut tx).await?;
    let shared = Shared::load(&mut tx, covered(today), &links.base).await?;
    let source = Source {
        reports,
        pool,
        at: reports.snapshot(pool).await?,
    };
    let mut messages = Vec::new();
    for (manager, key) in pending {
        let sections = sections(&mut tx, &source, manager, &shared).await?;
        if !sections.is_empty() {
            let recipient = notifications::Recipient {
                user_id: manager.user_id,
                email: manager.email.clone(),
            };
            messages.push(message(&recipient, shared.month, &sections, &links, key)?);
        }
    }
    if messages.is_empty() {
        return Ok(());
    }
    let queued = outbox::enqueue(&mut tx, &messages).await?;
    due::record_scheduled(&mut tx, DIGEST, &period, queued as usize).await?;
    tx.commit().await?;
    ran.created
        .push((DIGEST.to_string(), period, queued as usize));
    Ok(())
}

/// What every manager's digest of a month reads: the month, Attune's address, the currency,
/// the minimum group size and the open survey rounds' participation.
struct Shared {
    month: Period,
    base: String,
    currency: String,
    min_group: i64,
    open: Vec<(NaiveDate, Vec<survey::Participation>)>,
}

impl Shared {
    async fn load(conn: &mut PgConnection, month: Period, base: &str) -> Result<Shared, DueError> {
        let min_group = settings::min_group_size(conn).await?;
        let mut open = Vec::new();
        for round in db::surveys::list(conn).await? {
            if round.status == "open" {
                let rows = db::surveys::participation(conn, round.survey_round_id).await?;
                open.push((round.closes_on, survey::participation(&rows, min_group)));
            }
        }
        Ok(Shared {
            month,
            base: base.to_string(),
            currency: settings::currency(conn).await?,
            min_group,
            open,
        })
    }
}

/// Where the digest's reports come from: the cache the team pages read, as of one snapshot.
struct Source<'a> {
    reports: &'a ReportCache,
    pool: &'a PgPool,
    at: Snapshot,
}

/// Each of the manager's teams in the month, as their team page shows it to them.
async fn sections(
    conn: &mut PgConnection,
    source: &Source<'_>,
    manager: &notifications::Manager,
    shared: &Shared,
) -> Result<Vec<Section>, DueError> {
    let failed = |why: String| DueError::Digest(format!("{} ({why})", manager.email));
    let visible = TeamScope::Only(
        db::users::visible_teams(conn, manager.user_id)
            .await?
            .into_iter()
            .collect(),
    );
    let month = shared.month;
    let mut sections = Vec::new();
    for name in &manager.teams {
        let reports = team::reports_for(
            source.reports,
            &source.at,
            source.pool,
            Role::Manager,
            &visible,
            name,
            month,
        )
        .await
        .map_err(|e| failed(e.to_string()))?;
        let Some(opening) = team::opening(&reports, name, &shared.currency) else {
            continue;
        };
        let survey = shared
            .open
            .iter()
            .filter_map(|(closes_on, groups)| {
                let group = groups.iter().find(|g| g.team.as_deref() == Some(name))?;
                Some(participation(*closes_on, group, shared.min_group))
            })
            .collect();
        sections.push(Section {
            team: name.clone(),
            empty: opening.empty,
            href: format!(
                "{}{}?period={month}",
                shared.base,
                &team::team_path(name)[1..]
            ),
            standouts: opening.standouts,
            what_changed: opening.what_changed,
            survey,
        });
    }
    Ok(sections)
}

/// A team's participation in an open round, in a sentence: the answers only when at least
/// `min_group` people of the team were invited.
fn participation(closes_on: NaiveDate, group: &survey::Participation, min_group: i64) -> String {
    let open = format!(
        "The pulse survey is open until {}: {} of the team were invited",
        present::number::day(closes_on),
        group.invited
    );
    match (group.answered, group.rate) {
        (Some(answered), Some(rate)) => format!(
            "{open}, {answered} have answered ({}).",
            present::number::percent(Some(rate * 100.0))
        ),
        _ => format!(
            "{open}; how many answered is withheld, as fewer than {min_group} people were \
             invited."
        ),
    }
}

/// The digest to one manager.
fn message(
    recipient: &notifications::Recipient,
    month: Period,
    sections: &[Section],
    links: &Links,
    dedupe_key: String,
) -> Result<NewMessage, DueError> {
    let span = present::span(month.start(), month.end());
    let html = DigestHtml {
        period: &month.to_string(),
        span: &span,
        sections,
    }
    .render()
    .map_err(|e| DueError::Digest(e.to_string()))?;
    let footer = links.footer(recipient, DIGEST);
    let label = due::label(DIGEST);
    Ok(NewMessage {
        kind: DIGEST.to_string(),
        dedupe_key,
        recipient: recipient.email.clone(),
        subject: format!("Your teams in {month}"),
        text: format!("{}{}", text(month, &span, sections), footer.text(label)),
        html: Some(footer.add_to_html(&html, label)),
        headers: footer.headers(),
        attachments: vec![],
    })
}

/// The plain-text body: the same as the HTML.
fn text(month: Period, span: &str, sections: &[Section]) -> String {
    let mut text = format!("Your teams in {month} ({span})\n");
    for section in sections {
        if section.empty {
            text.push_str(&format!(
                "\n{}\n\nAttune has no employee of this team employed in {month}.\n\nThe team \
                 page: {}\n",
                section.team, section.href
            ));
            continue;
        }
        text.push_str(&format!(
            "\n{}\n{}\n\nWhat stands out\n",
            section.team,
            "=".repeat(section.team.chars().count())
        ));
        if section.standouts.is_empty() {
            text.push_str(&format!("Nothing stands out in {month}.\n"));
        }
        for s in &section.standouts {
            text.push_str(&format!(
                "- {} {}\n  Suggested: {}\n",
                s.verdict.word(),
                s.sentence,
                s.suggestion
            ));
        }
        text.push_str("\nWhat changed\n");
        for sentence in &section.what_changed {
            text.push_str(&format!("- {sentence}\n"));
        }
        for line in &section.survey {
            text.push_str(&format!("\n{line}\n"));
        }
        text.push_str(&format!("\nThe team page: {}\n", section.href));
    }
    text.push_str(
        "\nYou receive this as a manager in Attune. It shows only what your team page shows \
         you.\n",
    );
    text
}

/// HR's "send me a test now": the digest of the first manager with a team, as they would get
/// it today, to `to`.
pub(super) async fn test_message(
    conn: &mut PgConnection,
    pool: &PgPool,
    today: NaiveDate,
    to: &notifications::Recipient,
    links: &Links,
    dedupe_key: String,
) -> Result<Option<NewMessage>, DueError> {
    let managers = notifications::managers(conn, DIGEST).await?;
    let shared = Shared::load(conn, covered(today), &links.base).await?;
    let reports = ReportCache::default();
    let source = Source {
        reports: &reports,
        pool,
        at: reports.snapshot(pool).await?,
    };
    for manager in managers.iter().filter(|m| !m.teams.is_empty()) {
        let sections = sections(conn, &source, manager, &shared).await?;
        if !sections.is_empty() {
            let mut message = message(to, shared.month, &sections, links, dedupe_key)?;
            message.subject = format!("{} (as {} gets it)", message.subject, manager.email);
            return Ok(Some(message));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_digest_covers_the_last_finished_month_once_per_month_or_iso_week() {
        assert_eq!(covered(day("2025-04-01")).to_string(), "2025-03");
        assert_eq!(covered(day("2025-01-31")).to_string(), "2024-12");
        assert_eq!(Every::Month.period_key(day("2025-04-30")), "2025-03");
        assert_eq!(Every::Week.period_key(day("2025-04-07")), "2025-W15");
        assert_eq!(Every::Week.period_key(day("2025-04-13")), "2025-W15");
        // ISO weeks: 29 December 2025 is in week 1 of 2026.
        assert_eq!(Every::Week.period_key(day("2025-12-29")), "2026-W01");
    }

    #[test]
    fn the_schedule_is_month_or_week() {
        assert_eq!(Every::parse(" week "), Ok(Every::Week));
        assert!(
            Every::parse("daily")
                .unwrap_err()
                .contains("month or every week")
        );
    }

    #[test]
    fn participation_below_the_minimum_group_says_nothing_of_the_answers() {
        let closes = day("2025-04-20");
        let shown = survey::Participation {
            team: Some("Alpha".into()),
            invited: 6,
            answered: Some(4),
            rate: Some(4.0 / 6.0),
        };
        assert_eq!(
            participation(closes, &shown, 5),
            "The pulse survey is open until 20 Apr 2025: 6 of the team were invited, 4 have \
             answered (66.7 %)."
        );
        let withheld = survey::Participation {
            team: Some("Beta".into()),
            invited: 3,
            answered: None,
            rate: None,
        };
        let sentence = participation(closes, &withheld, 5);
        assert!(sentence.contains("withheld"), "{sentence}");
        assert!(!sentence.contains('%'), "{sentence}");
    }
}
