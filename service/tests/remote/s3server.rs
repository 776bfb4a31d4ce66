//! A real S3 server on 127.0.0.1 for the remote tests and the loopback cluster test:
//! s3s-fs serves a directory over the S3 API, with SigV4 authentication against fixed
//! test keys. A delay before each GET (changeable while it runs) lets a test stop a
//! download half-way.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;

/// The access key the server accepts.
pub const ACCESS_KEY: &str = "yelpsearch-test";
/// Its secret.
pub const SECRET: &str = "yelpsearch-test-secret";

/// A running server; stops when dropped.
pub struct S3Server {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The directory it serves: `ROOT/BUCKET/KEY` is an object.
    pub root: PathBuf,
    delay_ms: Arc<AtomicU64>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl S3Server {
    /// Serves `root` (created if missing, with the bucket directories `buckets`) on a
    /// free loopback port, or on `port` when given.
    pub fn start(root: &Path, buckets: &[&str], port: u16) -> S3Server {
        for b in buckets {
            std::fs::create_dir_all(root.join(b)).expect("bucket dir");
        }
        let delay_ms = Arc::new(AtomicU64::new(0));
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (root2, delay) = (root.to_path_buf(), delay_ms.clone());
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(serve(root2, port, delay, addr_tx, stop_rx));
        });
        let addr = addr_rx.recv().expect("the S3 server did not start");
        S3Server {
            addr,
            root: root.to_path_buf(),
            delay_ms,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Waits this long before answering each GET from now on.
    pub fn set_get_delay(&self, d: Duration) {
        self.delay_ms.store(d.as_millis() as u64, Ordering::SeqCst);
    }

    /// The environment a client process needs to reach this server.
    pub fn client_env(&self) -> Vec<(String, String)> {
        client_env(&self.endpoint())
    }
}

/// The AWS environment for a client of a test server at `endpoint`.
pub fn client_env(endpoint: &str) -> Vec<(String, String)> {
    [
        ("AWS_ENDPOINT_URL", endpoint),
        ("AWS_ALLOW_HTTP", "true"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

impl Drop for S3Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn serve(
    root: PathBuf,
    port: u16,
    delay_ms: Arc<AtomicU64>,
    addr_tx: std::sync::mpsc::Sender<SocketAddr>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let fs = s3s_fs::FileSystem::new(&root).expect("s3s-fs over the root");
    let mut b = S3ServiceBuilder::new(fs);
    b.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET));
    let service = b.build();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind 127.0.0.1");
    addr_tx
        .send(listener.local_addr().expect("local addr"))
        .expect("report the address");
    let http = ConnBuilder::new(TokioExecutor::new());
    loop {
        let socket = tokio::select! {
            r = listener.accept() => match r { Ok((s, _)) => s, Err(_) => continue },
            _ = &mut stop => return,
        };
        let (svc, delay_ms) = (service.clone(), delay_ms.clone());
        let slowed =
            hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let (svc, delay_ms) = (svc.clone(), delay_ms.clone());
                async move {
                    let d = delay_ms.load(Ordering::SeqCst);
                    if d > 0 && req.method() == hyper::Method::GET {
                        tokio::time::sleep(Duration::from_millis(d)).await;
                    }
                    hyper::service::Service::call(&svc, req).await
                }
            });
        let conn = http
            .serve_connection(TokioIo::new(socket), slowed)
            .into_owned();
        tokio::spawn(async move {
            let _ = conn.await;
        });
    }
}
