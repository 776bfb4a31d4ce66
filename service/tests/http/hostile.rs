//! Hostile clients over loopback: hundreds of idle and slow connections while others
//! are answered, more connections than the cap, requests hyper rejects before any route
//! (the JSON error body), and SIGTERM with a half-sent request.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;

use super::common::{client, fixture, read, Server};

/// Reads what the server sends until it closes the connection: `None` when it closed
/// it without a byte (or reset it), else the bytes.
fn until_closed(c: &mut TcpStream) -> Option<Vec<u8>> {
    // A backstop only: the server closes these connections by its own timeouts.
    c.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let mut out = Vec::new();
    match c.read_to_end(&mut out) {
        Ok(_) if out.is_empty() => None,
        Ok(_) => Some(out),
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => None,
        Err(e) => panic!("the server never closed the connection: {e}"),
    }
}

fn addr(s: &Server) -> String {
    s.base.strip_prefix("http://").unwrap().to_string()
}

/// (status, JSON body) of a raw HTTP/1.1 exchange the server ends by closing.
fn raw(s: &Server, request: &[u8]) -> (u16, String, Value) {
    let mut c = TcpStream::connect(addr(s)).unwrap();
    c.write_all(request).unwrap();
    let out = until_closed(&mut c).expect("an answer");
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
    let status = head[9..12].parse().unwrap();
    let v = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {text:?}"));
    (status, head.to_ascii_lowercase(), v)
}

/// 300 connections that send nothing or a byte a second are closed by the server's
/// timeouts (they were never closed); meanwhile every other client is answered.
#[test]
fn idle_and_slow_connections_are_closed_and_others_answered() {
    let s = Server::ready(&[
        ("YELPSEARCH_HEADER_READ_TIMEOUT_SECS", "2"),
        ("YELPSEARCH_IDLE_TIMEOUT_SECS", "3"),
        ("YELPSEARCH_MAX_CONNECTIONS", "1000"),
    ]);
    let a = addr(&s);
    let idle: Vec<TcpStream> = (0..150).map(|_| TcpStream::connect(&a).unwrap()).collect();
    let partial: Vec<TcpStream> = (0..140)
        .map(|_| {
            let mut c = TcpStream::connect(&a).unwrap();
            c.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: a")
                .unwrap();
            c
        })
        .collect();
    // Ten clients sending their request a byte every half second.
    let trickle: Vec<std::thread::JoinHandle<bool>> = (0..10)
        .map(|_| {
            let a = a.clone();
            std::thread::spawn(move || {
                let mut c = TcpStream::connect(&a).unwrap();
                let request = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
                for b in request {
                    if c.write_all(&[*b]).is_err() {
                        return true;
                    }
                    std::thread::sleep(Duration::from_millis(500));
                }
                // Sent whole: closed only if nothing comes back.
                until_closed(&mut c).is_none()
            })
        })
        .collect();
    let c = client();
    for _ in 0..20 {
        let r = c.get(s.url("/health")).send().expect("answered");
        assert_eq!(r.status().as_u16(), 200);
    }
    let q = format!(
        "/search?q={}",
        super::common::enc(&format!("{} {}", fixture().hostile.0, fixture().hostile.1))
    );
    assert_eq!(s.get_json(&q).0, 200);
    for mut conn in idle.into_iter().chain(partial) {
        assert!(
            until_closed(&mut conn).is_none(),
            "closed without an answer"
        );
    }
    for t in trickle {
        assert!(t.join().unwrap(), "a byte-a-second client was closed");
    }
    assert_eq!(s.get_json("/health").0, 200, "still answering");
}

/// Over the connection cap, a client gets 503 `overloaded` with the JSON body at once;
/// once the idle connections are closed, it is served again.
#[test]
fn connections_over_the_cap_are_answered_503_overloaded() {
    let s = Server::ready(&[
        ("YELPSEARCH_HEADER_READ_TIMEOUT_SECS", "2"),
        ("YELPSEARCH_MAX_CONNECTIONS", "40"),
    ]);
    let a = addr(&s);
    let held: Vec<TcpStream> = (0..40).map(|_| TcpStream::connect(&a).unwrap()).collect();
    let (status, head, body) = raw(&s, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(status, 503);
    assert!(head.contains("content-type: application/json"), "{head}");
    assert_eq!(body["error"]["code"], "overloaded");
    // Each held connection is closed: silently by the header timeout, or (one that
    // came while a readiness check's connection still held its slot) refused with 503.
    for mut conn in held {
        if let Some(out) = until_closed(&mut conn) {
            assert!(out.starts_with(b"HTTP/1.1 503 "), "{out:?}");
        }
    }
    // The slots are free again (each closed connection gave its slot back).
    let mut served = false;
    for _ in 0..100 {
        if s.get_json("/health").0 == 200 {
            served = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(served, "never served again; log: {}", read(&s.log));
}

/// What hyper rejects before any route (malformed, URI too long, too many headers) gets
/// the API's JSON error body (it had an empty one).
#[test]
fn server_level_rejections_have_the_json_error_body() {
    let s = Server::ready(&[]);
    let long = format!(
        "GET /search?q={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(70_000)
    );
    let mut many = String::from("GET /health HTTP/1.1\r\nHost: x\r\n");
    for i in 0..150 {
        many.push_str(&format!("X-{i}: y\r\n"));
    }
    many.push_str("\r\n");
    for (request, status, code) in [
        (b"NOT HTTP AT ALL\r\n\r\n".to_vec(), 400, "bad_request"),
        (long.into_bytes(), 414, "uri_too_long"),
        (many.into_bytes(), 431, "headers_too_large"),
    ] {
        let (got, head, body) = raw(&s, &request);
        assert_eq!(got, status, "{head}");
        assert!(head.contains("content-type: application/json"), "{head}");
        assert_eq!(body["error"]["code"], code, "{body}");
        assert!(body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    assert_eq!(s.get_json("/health").0, 200);
}

/// SIGTERM with a half-sent request and an idle connection open: the service closes
/// them and exits 0 at once, instead of waiting out the grace period and exiting 1.
#[test]
fn sigterm_does_not_wait_for_a_half_sent_request() {
    let mut s = Server::ready(&[
        ("YELPSEARCH_SHUTDOWN_GRACE_SECS", "30"),
        ("YELPSEARCH_HEADER_READ_TIMEOUT_SECS", "600"),
        ("YELPSEARCH_IDLE_TIMEOUT_SECS", "600"),
    ]);
    let a = addr(&s);
    let mut half = TcpStream::connect(&a).unwrap();
    half.write_all(b"GET /search?q=61820+pas").unwrap();
    let mut idle = TcpStream::connect(&a).unwrap();
    // Answered on a later connection: the two above were accepted before it.
    assert_eq!(s.get_json("/health").0, 200);
    s.terminate();
    let (code, _) = s.wait_exit(Duration::from_secs(60));
    assert_eq!(code, Some(0), "log: {}", read(&s.log));
    assert!(until_closed(&mut half).is_none());
    assert!(until_closed(&mut idle).is_none());
}
