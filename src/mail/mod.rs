//! E-mail: the SMTP settings, turning an outbox message into a MIME message, and sending it.
//!
//! Messages are never sent directly: whoever decides to send one queues it in the outbox
//! (`db::outbox::enqueue`, in the same transaction as the decision), and `worker` sends it from
//! `attune serve`. Every kind of message (survey invitations and reminders, the scheduled
//! messages of `due`) goes through the same outbox, worker, retries and rate limit.

pub mod choices;
pub mod digest;
pub mod due;
pub mod worker;

use std::path::Path;
use std::time::Duration;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sha2::{Digest, Sha256};

use crate::db::outbox::Due;

/// How long one SMTP exchange may take before it counts as a (transient) failure.
const SMTP_TIMEOUT: Duration = Duration::from_secs(60);

/// The SMTP settings of `attune serve` (`ATTUNE_SMTP_URL`, `ATTUNE_MAIL_FROM`,
/// `ATTUNE_SMTP_CA_FILE`), checked.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// Where the SMTP server is, without the password (for logs and pages).
    pub server: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("server", &self.server)
            .field("from", &self.from.to_string())
            .finish()
    }
}

/// Why a message could not be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    /// The server refused it for good (5xx), or it cannot be written (a bad address): trying
    /// again will not help.
    pub permanent: bool,
    pub message: String,
}

impl Mailer {
    /// Check the settings: `url` is `smtp://` (plain, or STARTTLS with `?tls=required`) or
    /// `smtps://` (TLS from the start), with the user and password in it when the server asks
    /// for them; `from` is the sender's address (`Attune <attune@example.com>`); `ca_file`, a
    /// PEM certificate to trust beyond the usual authorities (a company's own CA).
    pub fn new(url: &str, from: &str, ca_file: Option<&Path>) -> Result<Mailer, String> {
        let from: Mailbox = from
            .trim()
            .parse()
            .map_err(|e| format!("ATTUNE_MAIL_FROM is not an e-mail address (\"{from}\"): {e}"))?;
        let parsed = SmtpUrl::parse(url)?;
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(parsed.host.clone())
                .port(parsed.port)
                .timeout(Some(SMTP_TIMEOUT));
        if parsed.security != Security::None {
            let mut tls = TlsParameters::builder(parsed.host.clone());
            if let Some(path) = ca_file {
                let pem = std::fs::read(path).map_err(|e| {
                    format!("cannot read ATTUNE_SMTP_CA_FILE {}: {e}", path.display())
                })?;
                let certificate = Certificate::from_pem(&pem).map_err(|e| {
                    format!(
                        "ATTUNE_SMTP_CA_FILE {} is not a PEM certificate: {e}",
                        path.display()
                    )
                })?;
                tls = tls.add_root_certificate(certificate);
            }
            let tls = tls
                .build_rustls()
                .map_err(|e| format!("cannot set up TLS for the SMTP server: {e}"))?;
            builder = builder.tls(match parsed.security {
                Security::Wrapper => Tls::Wrapper(tls),
                Security::StartTls => Tls::Required(tls),
                Security::Opportunistic => Tls::Opportunistic(tls),
                Security::None => unreachable!("checked above"),
            });
        }
        if let Some((user, password)) = parsed.credentials {
            builder = builder.credentials(Credentials::new(user, password));
        }
        Ok(Mailer {
            transport: builder.build(),
            from,
            server: parsed.display,
        })
    }

    /// The sender's address.
    pub fn from(&self) -> &Mailbox {
        &self.from
    }

    /// Send one message (the SMTP server has accepted it when this returns `Ok`).
    pub async fn send(&self, message: &Due) -> Result<(), SendError> {
        let email = build(&self.from, message)?;
        self.transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|e| SendError {
                permanent: e.is_permanent() && !e.status().is_some_and(is_login_refusal),
                message: describe(&e),
            })
    }
}

/// 530, 534, 535 and 538 refuse the login, not the message: the settings are wrong (or the
/// server is), and every message would be refused the same way. Such messages wait and are
/// retried like after a transient failure, rather than all being marked failed.
fn is_login_refusal(code: lettre::transport::smtp::response::Code) -> bool {
    matches!(u16::from(code), 530 | 534 | 535 | 538)
}

/// An SMTP error in one line, with the server's own words when it answered.
fn describe(error: &lettre::transport::smtp::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        let inner_text = inner.to_string();
        if !text.contains(&inner_text) {
            text = format!("{text}: {inner_text}");
        }
        source = inner.source();
    }
    text
}

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    /// `smtp://`: no TLS (a relay on the same machine or network).
    None,
    /// `smtp://…?tls=required`: STARTTLS, refusing to go on without it.
    StartTls,
    /// `smtp://…?tls=opportunistic`: STARTTLS when the server offers it.
    Opportunistic,
    /// `smtps://`: TLS from the first byte.
    Wrapper,
}

/// `ATTUNE_SMTP_URL`, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SmtpUrl {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<(String, String)>,
    /// The URL without its password.
    display: String,
}

impl SmtpUrl {
    fn parse(url: &str) -> Result<SmtpUrl, String> {
        let url = url.trim();
        let bad = |why: &str| {
            format!(
                "ATTUNE_SMTP_URL is not usable ({why}); write it like smtps://user:password@smtp.example.com:465, \
                 smtp://user:password@smtp.example.com:587?tls=required (STARTTLS) or smtp://localhost:25"
            )
        };
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| bad("it has no scheme"))?;
        let (rest, query) = match rest.split_once('?') {
            Some((rest, query)) => (rest, Some(query)),
            None => (rest, None),
        };
        let rest = rest.trim_end_matches('/');
        let (userinfo, hostport) = match rest.rsplit_once('@') {
            Some((userinfo, hostport)) => (Some(userinfo), hostport),
            None => (None, rest),
        };
        let tls = match query {
            None | Some("") => None,
            Some(query) => {
                let mut tls = None;
                for pair in query.split('&') {
                    match pair.split_once('=') {
                        Some(("tls", value)) => tls = Some(value),
                        _ => return Err(bad(&format!("unknown parameter \"{pair}\""))),
                    }
                }
                tls
            }
        };
        let (security, default_port) = match (scheme.to_ascii_lowercase().as_str(), tls) {
            ("smtps", None) => (Security::Wrapper, 465),
            ("smtp", None) => (Security::None, 25),
            ("smtp", Some("required")) => (Security::StartTls, 587),
            ("smtp", Some("opportunistic")) => (Security::Opportunistic, 587),
            ("smtp" | "smtps", Some(other)) => {
                return Err(bad(&format!(
                    "tls must be required or opportunistic, not \"{other}\""
                )));
            }
            (other, _) => return Err(bad(&format!("the scheme \"{other}\" is not smtp or smtps"))),
        };
        let (host, port) =
            split_host_port(hostport).ok_or_else(|| bad("the port is not a number"))?;
        if host.is_empty() {
            return Err(bad("it has no host"));
        }
        let credentials = match userinfo {
            None => None,
            Some(userinfo) => {
                let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
                Some((percent_decode(user), percent_decode(password)))
            }
        };
        let display = format!(
            "{scheme}://{}{hostport}{}",
            credentials
                .as_ref()
                .map(|(user, _)| format!("{user}@"))
                .unwrap_or_default(),
            query.map(|q| format!("?{q}")).unwrap_or_default()
        );
        Ok(SmtpUrl {
            host,
            port: port.unwrap_or(default_port),
            security,
            credentials,
            display,
        })
    }
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`.
fn split_host_port(text: &str) -> Option<(String, Option<u16>)> {
    if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(port) => Some(port.parse().ok()?),
            None if after.is_empty() => None,
            None => return None,
        };
        return Some((host.to_string(), port));
    }
    match text.rsplit_once(':') {
        Some((host, port)) => Some((host.to_string(), Some(port.parse().ok()?))),
        None => Some((text.to_string(), None)),
    }
}

/// `%XX` escapes decoded (user names and passwords in URLs may contain `@`, `:` or `/`).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = text
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The MIME message of an outbox entry: plain text, with its HTML alternative, with its
/// attachments, with its extra headers, and a Message-ID derived from the entry, so that a
/// message sent again after a crash carries the same id.
pub fn build(from: &Mailbox, message: &Due) -> Result<Message, SendError> {
    let permanent = |message: String| SendError {
        permanent: true,
        message,
    };
    let to: Mailbox = message.recipient.parse().map_err(|e| {
        permanent(format!(
            "\"{}\" is not an e-mail address: {e}",
            message.recipient
        ))
    })?;
    let domain = from.email.domain().to_string();
    let digest = hex::encode(&Sha256::digest(message.dedupe_key.as_bytes())[..12]);
    let mut builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(message.subject.clone())
        .message_id(Some(format!(
            "<attune.{}.{digest}@{domain}>",
            message.mail_outbox_id
        )));
    for (name, value) in &message.headers {
        builder = builder.raw_header(header(name, value).map_err(permanent)?);
    }
    let content = match &message.html {
        Some(html) => MultiPart::alternative_plain_html(message.text.clone(), html.clone()),
        None if message.attachments.is_empty() => {
            return builder
                .singlepart(SinglePart::plain(message.text.clone()))
                .map_err(|e| permanent(format!("the message cannot be written: {e}")));
        }
        None => MultiPart::mixed().singlepart(SinglePart::plain(message.text.clone())),
    };
    let content = if message.attachments.is_empty() {
        content
    } else {
        let mut mixed = MultiPart::mixed().multipart(content);
        for file in &message.attachments {
            let content_type = ContentType::parse(&file.content_type).map_err(|e| {
                permanent(format!(
                    "the attachment {} has no valid content type (\"{}\"): {e}",
                    file.file_name, file.content_type
                ))
            })?;
            mixed = mixed.singlepart(
                Attachment::new(file.file_name.clone()).body(file.content.clone(), content_type),
            );
        }
        mixed
    };
    builder
        .multipart(content)
        .map_err(|e| permanent(format!("the message cannot be written: {e}")))
}

/// A raw header: an ASCII token name, a printable ASCII value on one line.
fn header(name: &str, value: &str) -> Result<HeaderValue, String> {
    let value_ok = value
        .chars()
        .all(|c| c == ' ' || c == '\t' || c.is_ascii_graphic());
    if !value_ok {
        return Err(format!(
            "the header {name} must be printable ASCII on one line"
        ));
    }
    let name = HeaderName::new_from_ascii(name.to_string())
        .map_err(|_| format!("\"{name}\" is not a header name"))?;
    Ok(HeaderValue::new(name, value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::outbox::Attachment as File;

    fn due() -> Due {
        Due {
            mail_outbox_id: 7,
            kind: "test".into(),
            dedupe_key: "test:1".into(),
            recipient: "Ada <ada@example.com>".into(),
            subject: "Hello".into(),
            text: "Plain words".into(),
            html: None,
            headers: vec![],
            attempts: 0,
            attachments: vec![],
        }
    }

    fn from() -> Mailbox {
        "Attune <attune@example.org>".parse().unwrap()
    }

    fn written(message: &Due) -> String {
        String::from_utf8(build(&from(), message).unwrap().formatted()).unwrap()
    }

    #[test]
    fn a_plain_url_has_no_tls_and_port_25() {
        let url = SmtpUrl::parse("smtp://localhost").unwrap();
        assert_eq!(
            (url.host.as_str(), url.port, url.security),
            ("localhost", 25, Security::None)
        );
        assert_eq!(url.credentials, None);
    }

    #[test]
    fn smtps_is_tls_from_the_start_on_port_465_with_decoded_credentials() {
        let url = SmtpUrl::parse("smtps://me%40corp:p%3Ass@mail.example.com").unwrap();
        assert_eq!(url.port, 465);
        assert_eq!(url.security, Security::Wrapper);
        assert_eq!(
            url.credentials,
            Some(("me@corp".to_string(), "p:ss".to_string()))
        );
        assert_eq!(url.display, "smtps://me@corp@mail.example.com");
    }

    #[test]
    fn tls_required_is_starttls_on_port_587_unless_a_port_is_given() {
        let url = SmtpUrl::parse("smtp://u:p@mail.example.com?tls=required").unwrap();
        assert_eq!((url.port, url.security), (587, Security::StartTls));
        let url = SmtpUrl::parse("smtp://u:p@[::1]:2525?tls=opportunistic").unwrap();
        assert_eq!(
            (url.host.as_str(), url.port, url.security),
            ("::1", 2525, Security::Opportunistic)
        );
    }

    #[test]
    fn a_bad_url_is_explained() {
        for (url, says) in [
            ("mail.example.com", "no scheme"),
            ("http://mail.example.com", "\"http\" is not smtp"),
            ("smtp://mail.example.com:port", "port is not a number"),
            ("smtp://mail.example.com?tls=maybe", "not \"maybe\""),
            ("smtp://mail.example.com?user=x", "unknown parameter"),
            ("smtp://:25", "no host"),
        ] {
            let error = SmtpUrl::parse(url).unwrap_err();
            assert!(error.contains(says), "{url}: {error}");
        }
    }

    // The transport's connection pool starts a task: it needs a runtime.
    #[tokio::test]
    async fn the_password_never_appears_in_the_description() {
        let mailer =
            Mailer::new("smtp://user:secret@localhost:2525", "a@example.com", None).unwrap();
        assert_eq!(mailer.server, "smtp://user@localhost:2525");
        assert!(!format!("{mailer:?}").contains("secret"));
    }

    #[test]
    fn a_bad_sender_is_refused() {
        let error = Mailer::new("smtp://localhost", "not an address", None).unwrap_err();
        assert!(error.contains("ATTUNE_MAIL_FROM"), "{error}");
    }

    #[test]
    fn a_text_message_has_its_headers_and_a_stable_message_id() {
        let mut message = due();
        message.headers = vec![(
            "List-Unsubscribe".into(),
            "<https://attune.example.org/u/abc>".into(),
        )];
        let text = written(&message);
        assert!(text.contains("To: Ada <ada@example.com>"), "{text}");
        assert!(text.contains("Subject: Hello"), "{text}");
        assert!(text.contains("List-Unsubscribe: <https://attune.example.org/u/abc>"));
        assert!(
            text.contains("Content-Type: text/plain; charset=utf-8"),
            "{text}"
        );
        let id = text
            .lines()
            .find(|l| l.starts_with("Message-ID:"))
            .unwrap()
            .to_string();
        assert!(
            id.contains("<attune.7.") && id.ends_with("@example.org>"),
            "{id}"
        );
        assert_eq!(
            written(&message)
                .lines()
                .find(|l| l.starts_with("Message-ID:"))
                .unwrap(),
            id
        );
    }

    #[test]
    fn html_and_attachments_make_a_mixed_message_with_an_alternative_inside() {
        let mut message = due();
        message.html = Some("<p>Rich words</p>".into());
        message.attachments = vec![File {
            file_name: "summary.pdf".into(),
            content_type: "application/pdf".into(),
            content: b"%PDF-1.7".to_vec(),
        }];
        let text = written(&message);
        assert!(text.contains("multipart/mixed"), "{text}");
        assert!(text.contains("multipart/alternative"), "{text}");
        assert!(text.contains("text/html"), "{text}");
        assert!(text.contains("filename=\"summary.pdf\""), "{text}");
    }

    #[test]
    fn a_bad_recipient_or_header_is_a_permanent_failure() {
        let mut message = due();
        message.recipient = "nobody".into();
        assert!(build(&from(), &message).unwrap_err().permanent);
        let mut message = due();
        message.headers = vec![("X-Bad".into(), "line\r\nBcc: x@example.com".into())];
        assert!(build(&from(), &message).unwrap_err().permanent);
    }
}
