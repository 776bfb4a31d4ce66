//! The `yelpsearch` command line: generate data, build and update indexes, search,
//! evaluate, train models, and serve HTTP.

/// `println!` and `print!` of every module: stdout writes that end the process quietly
/// when the reader has gone ([`out`]), instead of std's, which panic.
macro_rules! println {
    () => {
        $crate::out::line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::out::line(format_args!($($arg)*))
    };
}

macro_rules! print {
    ($($arg:tt)*) => {
        $crate::out::text(format_args!($($arg)*))
    };
}

mod cli;
mod demo;
mod error;
mod http;
mod out;
mod remote;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: the build's many small allocations cost less than with glibc's malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    cli::init_logging(args.log_format, args.verbose);
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
