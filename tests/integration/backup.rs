//! `attune backup` and `attune restore` through the real binary and the embedded cluster: a
//! backup taken while serving restores into a fresh data directory with identical reports, and
//! a restore under a running server is picked up by it.

use std::path::Path;
use std::process::{Output, Stdio};

use crate::embedded::{free_port, postmaster_running, wait_until_ready};
use crate::outages::http_get;
use crate::support::attune_command;

fn attune(data_dir: &Path, args: &[&str]) -> Output {
    attune_command()
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn ok(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn report(data_dir: &Path) -> serde_json::Value {
    let out = attune(
        data_dir,
        &["report", "--period", "2024", "--format", "json"],
    );
    serde_json::from_str(&ok(&out)).unwrap()
}

#[test]
fn a_backup_taken_while_serving_restores_with_identical_reports() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let roster = dir.path().join("roster.csv");
    let mut csv = String::from("employee_id,team,hire_date,termination_date\n");
    for i in 0..60 {
        let left = if i % 7 == 0 { "2024-05-31" } else { "" };
        csv.push_str(&format!("E{i},Team {},2022-01-10,{left}\n", i % 3));
    }
    std::fs::write(&roster, csv).unwrap();
    ok(&attune(
        &a,
        &["import", "employees", roster.to_str().unwrap()],
    ));

    let port = free_port();
    let mut server = attune_command()
        .arg("--data-dir")
        .arg(&a)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until_ready(&mut server, port);
    let file = dir.path().join("attune.backup");
    let said = ok(&attune(&a, &["backup", file.to_str().unwrap()]));
    assert!(said.starts_with("Backed up the database to"), "{said}");
    assert!(file.is_file());
    assert!(!dir.path().join("attune.backup.partial").exists());
    let original = report(&a);
    assert_eq!(original["org"]["fundamentals"]["headcount_end"], 51);

    // Not overwritten without --force (no terminal to ask on).
    let again = attune(&a, &["backup", file.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("add --force"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );

    // Into a fresh data directory: the same reports.
    let unconfirmed = attune(&b, &["restore", file.to_str().unwrap()]);
    assert_eq!(unconfirmed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unconfirmed.stderr).contains("--yes"));
    let restored = ok(&attune(&b, &["restore", file.to_str().unwrap(), "--yes"]));
    assert!(restored.starts_with("Restored"), "{restored}");
    assert_eq!(report(&b), original);
    assert!(
        !postmaster_running(&b),
        "the restore stopped the cluster it started"
    );

    // Not a backup: refused, nothing changed.
    let bogus = dir.path().join("bogus.backup");
    std::fs::write(&bogus, "employee_id,team\n").unwrap();
    let refused = attune(&b, &["restore", bogus.to_str().unwrap(), "--yes"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("is not a backup made by attune backup"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert_eq!(report(&b), original);

    // A restore under the running server: it carries on with the restored data.
    let more = dir.path().join("more.csv");
    std::fs::write(&more, "employee_id,team,hire_date\nX1,Team 9,2023-01-01\n").unwrap();
    ok(&attune(
        &a,
        &["import", "employees", more.to_str().unwrap()],
    ));
    assert_ne!(report(&a), original);
    ok(&attune(&a, &["restore", file.to_str().unwrap(), "--yes"]));
    assert_eq!(report(&a), original);
    // The server notices the swap at its next ping of the database (every second), so a probe
    // right after the restore may still read the state before it: wait for pages to answer.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while http_get(port, "/readyz").0 != 200 || http_get(port, "/login").0 != 200 {
        assert!(
            std::time::Instant::now() < deadline,
            "the server did not recover"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(server.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    assert!(server.wait().unwrap().success());
    assert!(!postmaster_running(&a));
}
