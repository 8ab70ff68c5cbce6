//! The invitation and the reminder: plain text and HTML, the link only, no tracking pixel, no
//! images, nothing personal beyond the link itself.

use chrono::NaiveDate;

use crate::db::outbox::NewMessage;

/// The `kind` of invitations in the outbox.
pub const INVITATION: &str = "survey.invitation";
/// The `kind` of reminders in the outbox.
pub const REMINDER: &str = "survey.reminder";

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A day as messages and the respondent's page say it, e.g. "Friday 13 March 2026".
pub fn long_day(date: NaiveDate) -> String {
    date.format("%A %-d %B %Y").to_string()
}

fn html(paragraphs: &[String], link: &str) -> String {
    let mut body = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Attune</title></head><body>",
    );
    for (i, p) in paragraphs.iter().enumerate() {
        body.push_str(&format!("<p>{}</p>", escape(p)));
        if i == 0 {
            body.push_str(&format!("<p><a href=\"{0}\">{0}</a></p>", escape(link)));
        }
    }
    body.push_str("</body></html>");
    body
}

fn text(paragraphs: &[String], link: &str) -> String {
    let mut body = String::new();
    for (i, p) in paragraphs.iter().enumerate() {
        body.push_str(p);
        body.push_str("\n\n");
        if i == 0 {
            body.push_str(link);
            body.push_str("\n\n");
        }
    }
    body
}

/// The invitation of one person to one round.
pub fn invitation(
    round_id: i64,
    invitation_id: i64,
    email: &str,
    link: &str,
    closes_on: NaiveDate,
    min_group: i64,
) -> NewMessage {
    let paragraphs = vec![
        "You are invited to answer four short questions about how you work with your manager. \
         It takes about two minutes, and you may skip any question."
            .to_string(),
        format!(
            "Your answers are anonymous: they are stored without your name, without this link \
             and without the time you answered. Managers and HR see only figures of whole teams, \
             and only for teams with at least {min_group} answers; nobody sees an individual \
             answer."
        ),
        format!(
            "The link is yours alone, works once, and stays valid until {}.",
            long_day(closes_on)
        ),
    ];
    NewMessage {
        kind: INVITATION.into(),
        dedupe_key: format!("{INVITATION}:{round_id}:{invitation_id}"),
        recipient: email.into(),
        subject: "Four short questions about your manager (anonymous)".into(),
        text: text(&paragraphs, link),
        html: Some(html(&paragraphs, link)),
        headers: vec![],
        attachments: vec![],
    }
}

/// The one reminder of a round, for someone who has not answered.
pub fn reminder(
    round_id: i64,
    invitation_id: i64,
    email: &str,
    link: &str,
    closes_on: NaiveDate,
) -> NewMessage {
    let paragraphs = vec![
        format!(
            "A reminder: the four short questions about how you work with your manager are open \
             until {}. If you would like to answer, your link is below.",
            long_day(closes_on)
        ),
        "Your answers are anonymous, and you may skip any question. This is the only reminder."
            .to_string(),
    ];
    NewMessage {
        kind: REMINDER.into(),
        dedupe_key: format!("{REMINDER}:{round_id}:{invitation_id}"),
        recipient: email.into(),
        subject: format!(
            "Reminder: four short questions, open until {}",
            long_day(closes_on)
        ),
        text: text(&paragraphs, link),
        html: Some(html(&paragraphs, link)),
        headers: vec![],
        attachments: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_invitation_holds_the_link_in_both_parts_and_nothing_else_to_follow() {
        let m = invitation(
            3,
            41,
            "ana@example.com",
            "https://a.example/s/abc",
            "2026-03-14".parse().unwrap(),
            5,
        );
        assert_eq!(m.dedupe_key, "survey.invitation:3:41");
        assert!(m.text.contains("\n\nhttps://a.example/s/abc\n\n"));
        assert!(m.text.contains("until Saturday 14 March 2026."));
        assert!(m.text.contains("at least 5 answers"));
        let html = m.html.unwrap();
        assert_eq!(html.matches("href=").count(), 1);
        assert!(!html.contains("<img"));
    }
}
