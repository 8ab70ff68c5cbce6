//! The embedded PostgreSQL, driven through the real binary: created on first start, reused,
//! shared by a second process, stopped cleanly.

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::support::attune_command;

pub fn postmaster_running(data_dir: &Path) -> bool {
    data_dir.join("postgres/postmaster.pid").exists()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn wait_until_ready(server: &mut Child, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Some(status) = server.try_wait().unwrap() {
            panic!("attune serve exited early: {status}");
        }
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            let _ = stream.write_all(b"GET /readyz HTTP/1.0\r\n\r\n");
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200") {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("attune serve did not become ready");
}

#[test]
fn the_embedded_cluster_is_created_shared_reused_and_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let data = data_dir.to_str().unwrap();
    let roster = dir.path().join("roster.csv");
    std::fs::write(
        &roster,
        "employee_id,team,hire_date\nE1,Alpha,2024-01-01\nE2,Beta,2024-01-01\n",
    )
    .unwrap();

    // A CLI command on its own starts the cluster for its work and stops it afterwards.
    let migrate = attune_command()
        .args(["--data-dir", data, "migrate"])
        .output()
        .unwrap();
    assert_eq!(
        migrate.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    assert!(data_dir.join("postgres/PG_VERSION").exists(), "initdb ran");
    assert!(!postmaster_running(&data_dir), "stopped after migrate");

    // A server runs it; an import meanwhile attaches instead of starting another.
    let port = free_port();
    let mut server = attune_command()
        .args([
            "--data-dir",
            data,
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until_ready(&mut server, port);
    let import = attune_command()
        .args([
            "--data-dir",
            data,
            "import",
            "employees",
            roster.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        import.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    assert!(
        postmaster_running(&data_dir),
        "the import left the server's cluster running"
    );
    wait_until_ready(&mut server, port);

    // SIGTERM stops the server and, as the last user, the cluster.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(server.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let status = server.wait().unwrap();
    assert!(status.success(), "{status}");
    assert!(!postmaster_running(&data_dir), "no PostgreSQL left behind");

    // A second start reuses the data.
    let report = attune_command()
        .args([
            "--data-dir",
            data,
            "report",
            "--period",
            "2024",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        report.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    assert_eq!(json["org"]["fundamentals"]["headcount_end"], 2);
    assert!(!postmaster_running(&data_dir));
}

#[test]
fn without_postgresql_binaries_the_error_says_how_to_get_them() {
    let dir = tempfile::tempdir().unwrap();

    let output = attune_command()
        .args(["--data-dir", dir.path().to_str().unwrap(), "migrate"])
        .env("ATTUNE_PG_BINDIR", dir.path())
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no PostgreSQL server binaries found"),
        "{stderr}"
    );
    assert!(stderr.contains("apt-get install postgresql"), "{stderr}");
    assert!(stderr.contains("brew install"), "{stderr}");
    assert!(stderr.contains("DATABASE_URL"), "{stderr}");
}

/// A failed start reports its reason and exits: it must never wait on its own lock.
#[test]
fn a_cluster_that_cannot_start_is_reported_not_waited_for() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let migrate = attune_command()
        .args(["--data-dir", data_dir.to_str().unwrap(), "migrate"])
        .output()
        .unwrap();
    assert_eq!(migrate.status.code(), Some(0));
    // A cluster of a PostgreSQL version these binaries cannot run.
    std::fs::write(data_dir.join("postgres/PG_VERSION"), "9\n").unwrap();

    let mut child = attune_command()
        .args(["--data-dir", data_dir.to_str().unwrap(), "migrate"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("attune hung after PostgreSQL failed to start");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("starting PostgreSQL failed"), "{stderr}");
    assert!(!postmaster_running(&data_dir));
}

#[test]
fn a_data_directory_too_deep_for_a_socket_path_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let deep = dir.path().join("a".repeat(60)).join("b".repeat(60));

    let output = attune_command()
        .args(["--data-dir", deep.to_str().unwrap(), "migrate"])
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("choose a shorter --data-dir"), "{stderr}");
}

#[test]
fn an_interrupted_command_stops_the_postgresql_it_started() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let roster = dir.path().join("big.csv");
    let mut csv = String::from("employee_id,team,hire_date\n");
    for i in 0..200_000 {
        csv.push_str(&format!("E{i},Team {},2020-01-01\n", i % 30));
    }
    std::fs::write(&roster, csv).unwrap();
    let mut import = attune_command()
        .args([
            "--data-dir",
            data_dir.to_str().unwrap(),
            "import",
            "employees",
            roster.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !postmaster_running(&data_dir) {
        assert!(
            import.try_wait().unwrap().is_none(),
            "the import ended before it could be interrupted"
        );
        assert!(Instant::now() < deadline, "PostgreSQL never started");
        std::thread::sleep(Duration::from_millis(20));
    }

    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(import.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let status = import.wait().unwrap();

    let mut stderr = String::new();
    std::io::Read::read_to_string(import.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(!postmaster_running(&data_dir), "no PostgreSQL left behind");
}

#[tokio::test]
async fn the_embedded_cluster_wants_its_password() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let port = free_port();
    let mut server = attune_command()
        .args([
            "--data-dir",
            data_dir.to_str().unwrap(),
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until_ready(&mut server, port);
    let options = sqlx::postgres::PgConnectOptions::new()
        .socket(data_dir.join("run"))
        .username("attune")
        .database("attune");

    let without = sqlx::PgConnection::connect_with(&options).await;
    let password = std::fs::read_to_string(data_dir.join("superuser.password")).unwrap();
    let with = sqlx::PgConnection::connect_with(&options.clone().password(password.trim())).await;

    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(server.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    server.wait().unwrap();
    assert!(
        without.is_err(),
        "a connection without the password is refused"
    );
    assert!(with.is_ok(), "{:?}", with.err());
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(data_dir.join("superuser.password"))
            .unwrap()
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
}
