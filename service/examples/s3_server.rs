//! A real S3 server on loopback for the loopback cluster test
//! (`service/deploy/loopback/`): the remote tests' server (s3s-fs over a directory,
//! SigV4 with the test keys) as a process.
//!
//! ```text
//! cargo run --release -p yelpsearch-service --example s3_server -- ROOT BUCKET [PORT] [DELAY_FILE]
//! ```
//!
//! Prints `listening on http://127.0.0.1:PORT` and serves until killed. While
//! DELAY_FILE holds a number, every GET waits that many milliseconds (the cluster test
//! slows downloads down to kill a replica in the middle of one). Environment
//! for clients: `AWS_ENDPOINT_URL`, `AWS_ALLOW_HTTP=true`, `AWS_REGION=us-east-1`,
//! `AWS_ACCESS_KEY_ID=yelpsearch-test`, `AWS_SECRET_ACCESS_KEY=yelpsearch-test-secret`.

#[path = "../tests/remote/s3server.rs"]
mod s3server;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(root), Some(bucket)) = (args.first(), args.get(1)) else {
        eprintln!("usage: s3_server ROOT BUCKET [PORT]");
        std::process::exit(2);
    };
    let port = args.get(2).and_then(|p| p.parse().ok()).unwrap_or(0);
    let server = s3server::S3Server::start(std::path::Path::new(root), &[bucket], port);
    println!("listening on {}", server.endpoint());
    let delay_file = args.get(3).map(std::path::PathBuf::from);
    loop {
        let ms = delay_file
            .as_ref()
            .and_then(|f| std::fs::read_to_string(f).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0);
        server.set_get_delay(std::time::Duration::from_millis(ms));
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
