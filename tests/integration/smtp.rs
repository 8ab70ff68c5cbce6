//! A real SMTP server for the tests: `tests/smtp/sink.py` (aiosmtpd, which `.ci/run` installs in
//! `target/smtp-venv`), started on a free loopback port, writing every message it accepts to a
//! folder the test reads.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How the test server behaves.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Require AUTH with this user and password.
    pub login: Option<(String, String)>,
    /// `starttls` or `smtps` (with a certificate of a test CA); plain otherwise.
    pub tls: Option<&'static str>,
    /// Answer the first N messages with a transient 451.
    pub fail_first: u32,
    /// Refuse these recipients with a permanent 550.
    pub reject: Vec<String>,
    /// Wait this long before answering each message.
    pub delay_ms: u64,
}

/// A running test SMTP server.
pub struct SmtpSink {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
    options: Options,
    /// The PEM certificate of the CA that signed the server's certificate (with `tls`).
    pub ca_file: Option<PathBuf>,
}

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// The envelope's recipients.
    pub rcpt_to: Vec<String>,
    pub raw: Vec<u8>,
}

impl Received {
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(&self.raw)
            .expect("a MIME message")
    }

    /// The plain-text body.
    pub fn text(&self) -> String {
        self.parsed()
            .body_text(0)
            .map(|t| t.into_owned())
            .unwrap_or_default()
    }

    /// The HTML body, if any.
    pub fn html(&self) -> Option<String> {
        let parsed = self.parsed();
        (parsed.html_body_count() > 0)
            .then(|| parsed.body_html(0).map(|t| t.into_owned()))
            .flatten()
    }

    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_string()
    }

    /// A header's raw value, trimmed.
    pub fn header(&self, name: &str) -> Option<String> {
        self.parsed().header_raw(name).map(|v| v.trim().to_string())
    }
}

impl SmtpSink {
    pub async fn start(options: Options) -> SmtpSink {
        let dir = tempfile::Builder::new()
            .prefix("attune-smtp-")
            .tempdir()
            .unwrap();
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/smtp/sink.py");
        let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/smtp-venv/bin/python");
        let python = if venv.exists() {
            venv
        } else {
            PathBuf::from("python3")
        };
        let mut command = Command::new(python);
        command
            .arg(&script)
            .arg("--dir")
            .arg(dir.path())
            .args(["--fail-first", &options.fail_first.to_string()])
            .args(["--delay-ms", &options.delay_ms.to_string()]);
        for rcpt in &options.reject {
            command.args(["--reject", rcpt]);
        }
        if let Some((user, password)) = &options.login {
            command.args(["--user", user, "--password", password]);
        }
        let mut ca_file = None;
        if let Some(mode) = options.tls {
            let (ca, cert, key) = certificates();
            let paths = ["ca.pem", "cert.pem", "key.pem"].map(|n| dir.path().join(n));
            for (path, pem) in paths.iter().zip([ca, cert, key]) {
                std::fs::write(path, pem).unwrap();
            }
            command
                .args(["--mode", mode])
                .arg("--cert")
                .arg(&paths[1])
                .arg("--key")
                .arg(&paths[2]);
            ca_file = Some(paths[0].clone());
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs the test SMTP server (.ci/run installs it with aiosmtpd)");
        let stdout = child.stdout.take().unwrap();
        let line = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line).map(|_| line)
        })
        .await
        .unwrap()
        .unwrap();
        let port: u16 = line.trim().parse().unwrap_or_else(|_| {
            panic!(
                "the test SMTP server did not start: is aiosmtpd installed? (.ci/run installs \
                 it in target/smtp-venv): {line:?}"
            )
        });
        SmtpSink {
            child,
            port,
            dir,
            options,
            ca_file,
        }
    }

    /// `ATTUNE_SMTP_URL` for this server.
    pub fn url(&self) -> String {
        let login = self
            .options
            .login
            .as_ref()
            .map(|(u, p)| format!("{u}:{p}@"))
            .unwrap_or_default();
        match self.options.tls {
            Some("smtps") => format!("smtps://{login}localhost:{}", self.port),
            Some(_) => format!("smtp://{login}localhost:{}?tls=required", self.port),
            None => format!("smtp://{login}127.0.0.1:{}", self.port),
        }
    }

    /// A mailer for this server, sending from `attune@example.org`.
    pub fn mailer(&self) -> attune::mail::Mailer {
        attune::mail::Mailer::new(
            &self.url(),
            "Attune <attune@example.org>",
            self.ca_file.as_deref(),
        )
        .expect("the test mailer is configured")
    }

    /// `attune serve` as a process of its own on the test's database, sending to this server
    /// (on a port of its choosing; kill it to stop it).
    pub fn serve(&self, database_url: &str) -> Child {
        crate::support::attune_command()
            .env("DATABASE_URL", database_url)
            .env("ATTUNE_SMTP_URL", self.url())
            .env("ATTUNE_MAIL_FROM", "Attune <attune@example.org>")
            .args(["serve", "--addr", "127.0.0.1:0"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("attune serve starts")
    }

    /// Every message received so far, in order of arrival.
    pub fn messages(&self) -> Vec<Received> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|path| {
                let envelope: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(path.with_extension("json")).unwrap())
                        .unwrap();
                Received {
                    rcpt_to: envelope["rcpt_tos"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_str().unwrap().to_string())
                        .collect(),
                    raw: std::fs::read(&path).unwrap(),
                }
            })
            .collect()
    }

    /// Wait until at least `n` messages have arrived (panics after `timeout`).
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            assert!(
                Instant::now() < deadline,
                "only {} of {n} messages arrived in {timeout:?}",
                messages.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A test CA, and a certificate it signed for localhost and 127.0.0.1 with its key (PEM).
fn certificates() -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Attune test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    let cert = params.signed_by(&key, &issuer).unwrap();
    (ca_cert.pem(), cert.pem(), key.serialize_pem())
}
