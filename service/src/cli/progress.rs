//! Build and update progress on stderr: an `indicatif` bar per stage for a person at a
//! terminal, plain lines otherwise (logs, CI). The library already reports a stage's
//! start and end and at most twice a second between them.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};

use indicatif::{ProgressBar, ProgressStyle};
use yelpsearch::{Progress, ProgressFn};

/// The progress callback for stderr as it is.
pub fn reporter() -> ProgressFn {
    if std::io::stderr().is_terminal() {
        bars()
    } else {
        Arc::new(|p: &Progress| match p.total {
            Some(t) => eprintln!("  {}: {}/{}", p.stage, p.done, t),
            None => eprintln!("  {}: {}", p.stage, p.done),
        })
    }
}

fn bars() -> ProgressFn {
    let current: Mutex<Option<(&'static str, ProgressBar)>> = Mutex::new(None);
    Arc::new(move |p: &Progress| {
        let mut c = current.lock().unwrap_or_else(|e| e.into_inner());
        if c.as_ref().map(|(stage, _)| *stage) != Some(p.stage) {
            if let Some((_, bar)) = c.take() {
                bar.finish();
            }
            let bar = match p.total {
                Some(t) => ProgressBar::new(t).with_style(
                    ProgressStyle::with_template(
                        "  {msg:16} [{bar:32}] {human_pos}/{human_len} {elapsed}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                ),
                None => ProgressBar::new_spinner().with_style(
                    ProgressStyle::with_template("  {msg:16} {spinner} {human_pos} {elapsed}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                ),
            };
            bar.set_message(p.stage);
            *c = Some((p.stage, bar));
        }
        if let Some((_, bar)) = c.as_ref() {
            if let Some(t) = p.total {
                bar.set_length(t);
            }
            bar.set_position(p.done);
            if p.total == Some(p.done) {
                bar.finish();
            }
        }
    })
}
