//! The HTTP server: the router served over hyper's HTTP/1.1, with what a server facing a
//! network needs beyond `axum::serve`: a time limit for a request's headers (which also closes
//! idle keep-alive connections and connections that never send anything), a cap on open
//! connections (those above it are answered 503 and closed), the open-file limit raised, and a
//! graceful shutdown that finishes the requests in flight.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

/// How long a client may take to send a request's headers, counted from when the server starts
/// waiting for them: after connecting, and after each response on a kept-alive connection.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// The default cap on open connections.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 4096;

/// File descriptors kept for everything but client connections (the database pool, uploads,
/// the log) when the cap on connections is fitted under the open-file limit.
const RESERVED_FILES: usize = 128;

/// The server's limits (`attune serve` options).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// See [`HEADER_TIMEOUT`].
    pub header_timeout: Duration,
    /// Connections open at once; more are answered 503 and closed.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_timeout: HEADER_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS as usize,
        }
    }
}

/// Raise the soft limit on open files to the hard limit (it is often 1,024, too few for a
/// server), and return the cap on connections that fits under it.
pub fn raise_open_file_limit(wanted_connections: usize) -> usize {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) else {
        return wanted_connections;
    };
    let limit = if soft < hard && setrlimit(Resource::RLIMIT_NOFILE, hard, hard).is_ok() {
        tracing::info!("raised the open-file limit from {soft} to {hard}");
        hard
    } else {
        soft
    };
    let fits = usize::try_from(limit)
        .unwrap_or(usize::MAX)
        .saturating_sub(RESERVED_FILES)
        .max(1);
    if fits < wanted_connections {
        tracing::warn!(
            "the open-file limit ({limit}) allows {fits} connections at once, not \
             {wanted_connections}"
        );
    }
    wanted_connections.min(fits)
}

/// Serve `router` on `listener` until `shutdown` completes, then finish the requests in flight
/// (for at most `drain`) and return.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
    drain: Duration,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let open = Arc::new(AtomicUsize::new(0));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    accept_failed(err).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        if open.load(Ordering::Relaxed) >= limits.max_connections {
            tokio::spawn(refuse(stream));
            continue;
        }
        let _ = stream.set_nodelay(true);
        let counted = Counted::new(open.clone());
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(remote));
            let router = router.clone();
            async move {
                let response = router.oneshot(request.map(Body::new)).await;
                Ok::<_, Infallible>(response.unwrap_or_else(|never| match never {}))
            }
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!("connection from {remote}: {err}");
            }
            drop(counted);
        });
    }
    drop(listener);
    if tokio::time::timeout(drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            "requests still running after {} s were cut short",
            drain.as_secs()
        );
    }
}

/// Above the cap: a short 503 that says why, then the connection is closed.
async fn refuse(mut stream: TcpStream) {
    const BODY: &str = "Attune has too many open connections just now. Try again in a moment.\n";
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Retry-After: 5\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        let _ = stream.write_all(answer.as_bytes()).await;
        let _ = stream.shutdown().await;
    })
    .await;
}

/// Out of file descriptors (or another accept failure): log it and pause a little, instead of
/// spinning; connections being closed meanwhile free descriptors.
async fn accept_failed(err: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::Interrupted
    ) {
        return;
    }
    tracing::error!("cannot accept a connection: {err}");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// Counts an open connection while it lives.
struct Counted(Arc<AtomicUsize>);

impl Counted {
    fn new(open: Arc<AtomicUsize>) -> Counted {
        open.fetch_add(1, Ordering::Relaxed);
        Counted(open)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}
