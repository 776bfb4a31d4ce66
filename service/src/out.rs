//! Standard output for the command line: `print!` and `println!` (shadowed crate-wide in
//! `main.rs`) write here. When the reader has gone (`yelpsearch search … | head -1`),
//! the process ends quietly with code 0: a closed pipe is not a panic, nor an error of
//! ours; any other write error ends it with code 1 and says so.

use std::io::Write;

/// Writes formatted text to stdout.
pub fn text(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        failed(e)
    }
}

/// Writes formatted text and a newline to stdout.
pub fn line(args: std::fmt::Arguments<'_>) {
    text(format_args!("{args}\n"))
}

fn failed(e: std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("error: writing to standard output: {e}");
    std::process::exit(1)
}
