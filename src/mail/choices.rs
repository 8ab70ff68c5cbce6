//! What people choose to receive: the kinds of scheduled message, who may receive each, and the
//! signed one-click unsubscribe links every message carries.
//!
//! A link is `/unsubscribe/{user_id}/{kind}/{signature}`, the signature an HMAC-SHA256 of the
//! user and the kind under a key kept in the settings (made at first use). It needs no sign-in
//! and stays valid; it can only turn that one kind off for that one person.

use sha2::{Digest, Sha256};
use sqlx::PgConnection;

use crate::accounts::{Role, secret};
use crate::db::settings;

/// One kind of scheduled message people can turn off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// As in the outbox, e.g. `summary.quarterly`.
    pub key: &'static str,
    /// "Quarterly summary".
    pub label: &'static str,
    /// What it is and when it comes.
    pub description: &'static str,
    /// Who receives it.
    pub roles: &'static [Role],
}

/// Every kind of scheduled message, in the order pages list them.
pub const KINDS: [Kind; 4] = [
    Kind {
        key: super::due::SUMMARY,
        label: "Quarterly summary",
        description: "The summary of the quarter that ended, with its PDF, a few days after \
                      the quarter (when its data is in).",
        roles: &[Role::Hr, Role::Executive],
    },
    Kind {
        key: super::due::SUMMARY_WAITING,
        label: "The summary waits for data",
        description: "When the quarterly summary is due but some data does not cover the \
                      quarter yet: which data, and which months are missing.",
        roles: &[Role::Hr],
    },
    Kind {
        key: super::due::DATA_REMINDER,
        label: "Data reminder",
        description: "When a kind of data ends before the last finished month: which kind, and \
                      which months are missing (once until it is imported).",
        roles: &[Role::Hr],
    },
    Kind {
        key: super::digest::DIGEST,
        label: "Managers' digest",
        description: "Monthly or weekly, for each of your teams: what stands out, what changed, \
                      the open survey's participation, and a link to the team page.",
        roles: &[Role::Manager],
    },
];

/// The kind with this key.
pub fn kind(key: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.key == key)
}

/// The kinds someone with `role` may receive.
pub fn kinds_for(role: Role) -> Vec<&'static Kind> {
    KINDS.iter().filter(|k| k.roles.contains(&role)).collect()
}

/// The setting that holds the key links are signed with.
const SIGNING_KEY: &str = "mail_signing_key";
/// The setting with the address people reach Attune at, for every link Attune makes (in
/// messages, and survey links), with its final `/`. `attune serve` records it at start.
pub const PUBLIC_URL: &str = "mail_public_url";
/// The address used in links when none is known.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080/";

/// The key unsubscribe links are signed with (made, once, at first use).
pub async fn signing_key(conn: &mut PgConnection) -> Result<String, sqlx::Error> {
    sqlx::query(
        "insert into setting (key, value) values ($1, to_jsonb($2::text))
         on conflict (key) do nothing",
    )
    .bind(SIGNING_KEY)
    .bind(secret::random_hex())
    .execute(&mut *conn)
    .await?;
    Ok(settings::get::<String>(conn, SIGNING_KEY)
        .await?
        .unwrap_or_default())
}

/// Attune's address for links, ending with `/`: as `attune serve` last recorded it
/// (`ATTUNE_PUBLIC_URL`, or the address it listens on).
pub async fn public_url(conn: &mut PgConnection) -> Result<String, sqlx::Error> {
    Ok(settings::get::<String>(conn, PUBLIC_URL)
        .await?
        .map(|url| with_slash(&url))
        .unwrap_or_else(|| DEFAULT_PUBLIC_URL.to_string()))
}

/// A public URL as given (`ATTUNE_PUBLIC_URL`), checked: http or https, ending with `/`.
pub fn parse_public_url(text: &str) -> Result<String, String> {
    let text = text.trim();
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .ok_or_else(|| {
            format!(
                "ATTUNE_PUBLIC_URL must start with https:// or http://, like \
                 https://attune.example.com/ (not \"{text}\")"
            )
        })?;
    if rest.is_empty() || rest.starts_with('/') || text.chars().any(char::is_whitespace) {
        return Err(format!(
            "ATTUNE_PUBLIC_URL has no host: write it like https://attune.example.com/ (not \"{text}\")"
        ));
    }
    // Links are made by appending a path: a query or a fragment would swallow it.
    if rest.contains(['?', '#']) {
        return Err(format!(
            "ATTUNE_PUBLIC_URL must not have a query or fragment: write it like \
             https://attune.example.com/ (not \"{text}\")"
        ));
    }
    Ok(with_slash(text))
}

fn with_slash(url: &str) -> String {
    if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    }
}

/// HMAC-SHA256 (RFC 2104) of `message` under `key`, as hex.
fn hmac_sha256(key: &[u8], message: &[u8]) -> String {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    hex::encode(outer)
}

/// The signature of an unsubscribe link.
pub fn signature(key: &str, user_id: i64, kind: &str) -> String {
    hmac_sha256(
        key.as_bytes(),
        format!("unsubscribe:{user_id}:{kind}").as_bytes(),
    )
}

/// Whether `signature` is the one of this user and kind.
pub fn verify(key: &str, user_id: i64, kind: &str, signature_given: &str) -> bool {
    !key.is_empty() && secret::equal(&signature(key, user_id, kind), signature_given)
}

/// The one-click unsubscribe link of a user and kind.
pub fn unsubscribe_url(base: &str, key: &str, user_id: i64, kind: &str) -> String {
    format!(
        "{base}unsubscribe/{user_id}/{kind}/{}",
        signature(key, user_id, kind)
    )
}

/// The headers and footers that let a person stop a kind of message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Footer {
    pub unsubscribe: String,
    pub notifications: String,
}

impl Footer {
    pub fn new(base: &str, key: &str, user_id: i64, kind: &str) -> Footer {
        Footer {
            unsubscribe: unsubscribe_url(base, key, user_id, kind),
            notifications: format!("{base}notifications"),
        }
    }

    /// `List-Unsubscribe` with one-click (RFC 8058).
    pub fn headers(&self) -> Vec<(String, String)> {
        vec![
            (
                "List-Unsubscribe".to_string(),
                format!("<{}>", self.unsubscribe),
            ),
            (
                "List-Unsubscribe-Post".to_string(),
                "List-Unsubscribe=One-Click".to_string(),
            ),
        ]
    }

    /// The plain-text footer.
    pub fn text(&self, label: &str) -> String {
        format!(
            "\n--\nStop receiving \"{label}\": {}\nChoose what Attune sends you: {}\n",
            self.unsubscribe, self.notifications
        )
    }

    /// The HTML footer, put before `</body>` of `html` (or at its end).
    pub fn add_to_html(&self, html: &str, label: &str) -> String {
        let footer = format!(
            "<footer class=\"mail-footer\" style=\"margin:2em 1em;font-size:0.9em;color:#555\">\
             <p><a href=\"{}\">Stop receiving “{}”</a> · \
             <a href=\"{}\">Choose what Attune sends you</a></p></footer>",
            escape(&self.unsubscribe),
            escape(label),
            escape(&self.notifications)
        );
        match html.rfind("</body>") {
            Some(at) => format!("{}{footer}{}", &html[..at], &html[at..]),
            None => format!("{html}{footer}"),
        }
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_the_rfc_4231_test_vector() {
        // RFC 4231, test case 2.
        assert_eq!(
            hmac_sha256(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block is hashed first.
        assert_eq!(
            hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            ),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn a_signature_holds_for_its_user_and_kind_only() {
        let sig = signature("k", 7, "summary.quarterly");
        assert!(verify("k", 7, "summary.quarterly", &sig));
        assert!(!verify("k", 8, "summary.quarterly", &sig));
        assert!(!verify("k", 7, "summary.waiting", &sig));
        assert!(!verify("other", 7, "summary.quarterly", &sig));
        assert!(!verify(
            "",
            7,
            "summary.quarterly",
            &signature("", 7, "summary.quarterly")
        ));
    }

    #[test]
    fn the_footer_goes_before_the_end_of_the_body_with_list_unsubscribe_headers() {
        let footer = Footer::new("https://a.example/", "k", 7, "summary.quarterly");
        assert!(
            footer
                .unsubscribe
                .starts_with("https://a.example/unsubscribe/7/summary.quarterly/")
        );
        let html = footer.add_to_html("<html><body><p>x</p></body></html>", "Quarterly summary");
        assert!(html.ends_with("</footer></body></html>"), "{html}");
        assert_eq!(footer.headers()[1].1, "List-Unsubscribe=One-Click");
    }

    #[test]
    fn a_public_url_needs_a_scheme_and_a_host() {
        assert_eq!(
            parse_public_url("https://attune.example.com"),
            Ok("https://attune.example.com/".to_string())
        );
        assert_eq!(
            parse_public_url(" http://10.0.0.5:8080/attune "),
            Ok("http://10.0.0.5:8080/attune/".to_string())
        );
        assert!(parse_public_url("attune.example.com").is_err());
        assert!(parse_public_url("https://").is_err());
        assert!(parse_public_url("https://a.example/?x=1").is_err());
        assert!(parse_public_url("https://a.example/#top").is_err());
    }
}
