//! Connection hygiene of `attune serve` (issue #12, item 2): connections that send nothing, or
//! their headers a line a second, are closed; connections above the cap are answered 503 at
//! once; the open-file limit is raised at start-up.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::embedded::{free_port, wait_until_ready};
use crate::outages::http_get;
use crate::support::{TestApp, attune_command};

pub fn serve(app: &TestApp, extra: &[&str]) -> (Child, u16) {
    let port = free_port();
    let mut server = attune_command()
        .env("DATABASE_URL", &app.database_url)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until_ready(&mut server, port);
    (server, port)
}

pub fn stop(mut server: Child) {
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(server.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    assert!(server.wait().unwrap().success());
}

/// Wait until the server closes `stream` (a read returns 0); how long it took.
fn closed_after(stream: &mut TcpStream, started: Instant) -> Duration {
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut buffer = [0u8; 1024];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return started.elapsed(),
            Ok(_) => {}
        }
    }
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed_after_the_header_timeout() {
    let app = TestApp::spawn().await;
    let (server, port) = serve(&app, &[]);

    let started = Instant::now();
    let mut idle = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let took = closed_after(&mut idle, started);

    assert!(
        took >= Duration::from_secs(9) && took < Duration::from_secs(15),
        "closed after {took:?}"
    );
    // A kept-alive connection is closed the same way once it has been idle that long.
    let mut kept = TcpStream::connect(("127.0.0.1", port)).unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let started = Instant::now();
    let took = closed_after(&mut kept, started);
    assert!(took < Duration::from_secs(15), "closed after {took:?}");
    stop(server);
}

#[tokio::test]
async fn headers_sent_a_line_a_second_do_not_keep_a_connection_open() {
    let app = TestApp::spawn().await;
    let (server, port) = serve(&app, &[]);

    let started = Instant::now();
    let mut slow = TcpStream::connect(("127.0.0.1", port)).unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    let mut cut = None;
    for i in 0..30 {
        std::thread::sleep(Duration::from_secs(1));
        if slow
            .write_all(format!("X-Slow-{i}: 1\r\n").as_bytes())
            .is_err()
        {
            cut = Some(started.elapsed());
            break;
        }
    }
    let took = cut.unwrap_or_else(|| closed_after(&mut slow, started));
    assert!(took < Duration::from_secs(20), "still open after {took:?}");
    // The server is fine.
    assert_eq!(http_get(port, "/healthz").0, 200);
    stop(server);
}

#[tokio::test]
async fn connections_above_the_cap_are_answered_503_at_once() {
    let app = TestApp::spawn().await;
    let (server, port) = serve(&app, &["--max-connections", "4"]);

    let mut held: Vec<TcpStream> = (0..4)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let (status, body, took) = http_get(port, "/healthz");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("too many open connections"), "{body}");
    assert!(took < Duration::from_secs(2), "{took:?}");

    // One goes: there is room again.
    drop(held.pop());
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(http_get(port, "/healthz").0, 200);
    drop(held);
    stop(server);
}

#[tokio::test]
async fn the_open_file_limit_is_raised_to_the_hard_limit() {
    use std::os::unix::process::CommandExt;
    let app = TestApp::spawn().await;
    let port = free_port();
    let mut command = attune_command();
    command
        .env("DATABASE_URL", &app.database_url)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // Started with a low soft limit, as on many systems (1,024).
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        command.pre_exec(|| {
            let mut limit = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
            limit.rlim_cur = 256.min(limit.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
            Ok(())
        });
    }
    let mut server = command.spawn().unwrap();
    wait_until_ready(&mut server, port);

    let limits = std::fs::read_to_string(format!("/proc/{}/limits", server.id())).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    let numbers: Vec<&str> = line.split_whitespace().skip(3).take(2).collect();
    assert_eq!(numbers[0], numbers[1], "soft = hard: {line}");
    stop(server);
}
