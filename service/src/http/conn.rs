//! Connections: the accept loop the service runs (instead of `axum::serve`), for what a
//! public server needs against slow, idle and too many clients.
//!
//! - At most `max_connections` connections at once; one more is answered 503
//!   `overloaded` (the JSON error body) and closed, so the process never runs out of
//!   file descriptors and every client gets an answer.
//! - A request's head must arrive within `header_read_timeout` of the server waiting for
//!   it (hyper's timer: a client sending a byte a second is closed).
//! - A connection on which nothing moves either way for `idle_timeout` is closed.
//! - hyper's own rejections of what it cannot parse (400, 414 URI too long, 431 headers
//!   too large), written before any handler runs and with an empty body, get the API's
//!   JSON error body like every other error.
//! - On shutdown, a connection with no request in a handler (idle, or a request not
//!   fully sent) is closed at once; the others finish their request first, within the
//!   grace period.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::Router;
use hyper::body::Incoming;
use hyper::Request;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;
use yelpsearch::api::ApiError;
use yelpsearch::ErrorCode;

use crate::error::{CliError, CliResult};

/// The limits of connections (`serve`'s settings).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most connections at once.
    pub max_connections: usize,
    /// Longest wait for a request's head.
    pub header_read_timeout: Duration,
    /// Longest time a connection may go without a byte read or written.
    pub idle_timeout: Duration,
}

/// How long a connection with no request in a handler gets, on shutdown, to finish
/// writing a response already made.
const CLOSE_IDLE_AFTER: Duration = Duration::from_secs(1);

/// Serves `app` on `listener` until `stopping` turns true, then waits for the
/// connections to end, at most `grace`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    mut stopping: watch::Receiver<bool>,
    grace: Duration,
) -> CliResult<()> {
    let cap = limits.max_connections.clamp(1, u32::MAX as usize);
    let slots = Arc::new(Semaphore::new(cap));
    loop {
        let stream = tokio::select! {
            biased;
            _ = stopping.wait_for(|s| *s) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, or a connection gone before it was taken:
                    // try again shortly instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        match slots.clone().try_acquire_owned() {
            Ok(slot) => {
                tokio::spawn(connection(
                    stream,
                    app.clone(),
                    limits,
                    stopping.clone(),
                    slot,
                ));
            }
            Err(_) => {
                tracing::warn!(
                    max_connections = cap,
                    "connection refused: too many connections"
                );
                tokio::spawn(refuse(stream));
            }
        }
    }
    drop(listener);
    // Every connection gives its slot back when it ends.
    let drained = tokio::time::timeout(grace, slots.acquire_many(cap as u32)).await;
    match drained {
        Ok(_) => Ok(()),
        Err(_) => Err(CliError::Serve(format!(
            "requests still in flight after the {}s shutdown grace period were dropped",
            grace.as_secs()
        ))),
    }
}

/// Counts a request while a handler has it.
struct InHandler(Arc<AtomicUsize>);

impl InHandler {
    fn enter(n: &Arc<AtomicUsize>) -> InHandler {
        n.fetch_add(1, Ordering::SeqCst);
        InHandler(n.clone())
    }
}

impl Drop for InHandler {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn connection(
    stream: TcpStream,
    app: Router,
    limits: Limits,
    mut stopping: watch::Receiver<bool>,
    _slot: OwnedSemaphorePermit,
) {
    let _ = stream.set_nodelay(true);
    let io = TokioIo::new(Guarded::new(stream, limits.idle_timeout));
    let in_handler = Arc::new(AtomicUsize::new(0));
    let counted = in_handler.clone();
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let app = app.clone();
        let inside = InHandler::enter(&counted);
        async move {
            let response = app.oneshot(req.map(Body::new)).await;
            drop(inside);
            response
        }
    });
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let conn = builder.serve_connection_with_upgrades(io, service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = stopping.wait_for(|s| *s) => {}
    }
    conn.as_mut().graceful_shutdown();
    if in_handler.load(Ordering::SeqCst) == 0 {
        // Idle, or a request not (fully) sent: nothing to wait for beyond a response
        // being written.
        let _ = tokio::time::timeout(CLOSE_IDLE_AFTER, conn).await;
    } else {
        let _ = conn.await;
    }
}

/// Answers a connection over the cap with 503 `overloaded` and closes it.
async fn refuse(mut stream: TcpStream) {
    let e = ApiError::overloaded();
    let body = e.to_json();
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
    })
    .await;
}

/// The API error for one of hyper's automatic rejections: the status line and headers
/// of `head` (a whole response head with an empty body), or `None` for any other write.
fn rejection(head: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(head).ok()?;
    if !text.ends_with("\r\n\r\n") {
        return None;
    }
    let (status_line, headers) = text.split_once("\r\n")?;
    let status = status_line.strip_prefix("HTTP/1.")?.get(2..5)?;
    let code = match status {
        "400" => ErrorCode::BadRequest,
        "414" => ErrorCode::UriTooLong,
        "431" => ErrorCode::HeadersTooLarge,
        _ => return None,
    };
    let lower = headers.to_ascii_lowercase();
    let at = lower.find("content-length: 0\r\n")?;
    if at != 0 && !lower[..at].ends_with("\r\n") {
        return None;
    }
    let rest = format!(
        "{}{}",
        &headers[..at],
        &headers[at + "content-length: 0\r\n".len()..]
    );
    let body = ApiError::of_code(code).to_json();
    let close = if lower.contains("connection: close") {
        ""
    } else {
        "connection: close\r\n"
    };
    Some(
        format!(
            "{status_line}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
             x-content-type-options: nosniff\r\n{close}{rest}{body}",
            body.len()
        )
        .into_bytes(),
    )
}

/// A TCP stream that fails with `TimedOut` once nothing has been read or written for
/// `idle`, and that writes hyper's automatic rejections with the JSON error body.
struct Guarded {
    inner: TcpStream,
    idle: Duration,
    deadline: Pin<Box<Sleep>>,
    /// A rewritten rejection still to send, and how much of it went out.
    pending: Vec<u8>,
    sent: usize,
}

impl Guarded {
    fn new(inner: TcpStream, idle: Duration) -> Guarded {
        Guarded {
            inner,
            idle,
            deadline: Box::pin(tokio::time::sleep(idle)),
            pending: Vec::new(),
            sent: 0,
        }
    }

    fn touch(&mut self) {
        let at = Instant::now() + self.idle;
        self.deadline.as_mut().reset(at);
    }

    /// `Pending`, or the idle timeout's error once it has passed.
    fn pending_or_timeout<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "connection idle for too long",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.sent < self.pending.len() {
            match Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.sent..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => {
                    self.sent += n;
                    self.touch();
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return self.pending_or_timeout(cx),
            }
        }
        self.pending.clear();
        self.sent = 0;
        Poll::Ready(Ok(()))
    }
}

impl AsyncRead for Guarded {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.touch();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => this.pending_or_timeout(cx),
        }
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        if let Some(rewritten) = rejection(buf) {
            this.pending = rewritten;
            this.sent = 0;
            // Sent by the flush that follows (or the next write).
            if let Poll::Ready(Err(e)) = this.drain(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        match Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Ready(Ok(n)) => {
                this.touch();
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => this.pending_or_timeout(cx),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        // One buffer per write: a rejection's head arrives whole, to be recognised.
        false
    }
}

#[cfg(test)]
mod tests {
    use super::rejection;

    #[test]
    fn only_hypers_empty_rejections_are_rewritten() {
        let head =
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let out = String::from_utf8(rejection(head).unwrap()).unwrap();
        assert!(out.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
        assert!(out.contains("content-type: application/json\r\n"));
        assert!(out.contains("\r\ndate: x\r\n\r\n{\"error\":{\"code\":\"headers_too_large\""));
        assert!(!out.contains("content-length: 0\r\n"));
        let body = out.split("\r\n\r\n").nth(1).unwrap();
        assert!(out.contains(&format!("content-length: {}\r\n", body.len())));
        // A handler's own 400 has a body; a 404 or a 200 is never touched.
        assert!(rejection(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 52\r\n\r\n").is_none());
        assert!(rejection(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n").is_none());
        assert!(rejection(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
        assert!(rejection(b"{\"results\":[]}").is_none());
    }
}
