//! Accounting of input lines: what was read, what landed, what was skipped or left out
//! and why, and the rejects file ([`RejectLog`]) that lists every such line.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Serialize;

/// How many individual bad lines are kept with their file and line number.
pub const MAX_LISTED_ISSUES: usize = 100;

/// The category of reviews left out by `--until`.
pub const UNTIL: &str = "dated on or after --until";

/// Whether a listed line was skipped as bad or deliberately left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    /// A bad line (under `--strict`, an error).
    Skipped,
    /// A good line that cannot be indexed (its business has no postal code).
    LeftOut,
}

/// One skipped or left-out line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// The input file.
    pub file: PathBuf,
    /// 1-based line number.
    pub line: u64,
    /// Skipped or left out.
    pub kind: IssueKind,
    /// The summary's category ("bad date", "unknown business", ...).
    pub category: String,
    /// Why, for this line.
    pub reason: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}; line {}",
            self.file.display(),
            self.line,
            self.reason,
            match self.kind {
                IssueKind::Skipped => "skipped",
                IssueKind::LeftOut => "left out",
            }
        )
    }
}

/// The rejects file: every skipped or left-out line of a build or an update, one JSON
/// object a line (`{"file", "line", "kind", "category", "reason"}`). The file is
/// created on the first line written, so a clean input leaves none. Clones share it.
#[derive(Debug, Clone)]
pub struct RejectLog {
    inner: Arc<Mutex<LogState>>,
}

#[derive(Debug)]
struct LogState {
    /// `None`: a log that keeps nothing ([`RejectLog::disabled`]).
    path: Option<PathBuf>,
    out: Option<BufWriter<File>>,
    lines: u64,
    error: Option<std::io::Error>,
}

impl RejectLog {
    /// A log writing to `path` (created, or truncated, on the first line).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self::at(Some(path.into()))
    }

    /// A log that writes nothing (no rejects file was asked for).
    pub fn disabled() -> Self {
        Self::at(None)
    }

    fn at(path: Option<PathBuf>) -> Self {
        RejectLog {
            inner: Arc::new(Mutex::new(LogState {
                path,
                out: None,
                lines: 0,
                error: None,
            })),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, LogState> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Where the lines go, if anywhere.
    pub fn path(&self) -> Option<PathBuf> {
        self.state().path.clone()
    }

    /// Lines written so far.
    pub fn lines(&self) -> u64 {
        self.state().lines
    }

    /// The file, when at least one line was written to it.
    pub fn written(&self) -> Option<PathBuf> {
        let s = self.state();
        s.path.clone().filter(|_| s.lines > 0)
    }

    fn write(&self, issue: &Issue) {
        let mut s = self.state();
        let Some(path) = s.path.clone() else { return };
        if s.error.is_some() {
            return;
        }
        if s.out.is_none() {
            match File::create(&path) {
                Ok(f) => s.out = Some(BufWriter::new(f)),
                Err(e) => {
                    s.error = Some(e);
                    return;
                }
            }
        }
        let mut line = serde_json::to_vec(issue).unwrap_or_default();
        line.push(b'\n');
        let result = s.out.as_mut().map(|o| o.write_all(&line));
        match result {
            Some(Err(e)) => s.error = Some(e),
            _ => s.lines += 1,
        }
    }

    /// Flushes the file; the first write error, if any, is returned here.
    pub fn finish(&self) -> crate::error::Result<()> {
        let mut s = self.state();
        let Some(path) = s.path.clone() else {
            return Ok(());
        };
        if let Some(e) = s.error.take() {
            return Err(crate::error::Error::io(path, e));
        }
        if let Some(o) = s.out.as_mut() {
            o.flush().map_err(|e| crate::error::Error::io(path, e))?;
        }
        Ok(())
    }
}

/// Counts for one input file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FileReport {
    /// Non-empty lines read.
    pub read: u64,
    /// Lines that were accepted.
    pub accepted: u64,
    /// Lines deliberately left out that are not errors (for example reviews dated
    /// on or after `--until`), by reason.
    pub excluded: BTreeMap<String, u64>,
    /// Bad lines skipped, by reason category.
    pub skipped: BTreeMap<String, u64>,
    /// The first `MAX_LISTED_ISSUES` (100) skipped or left-out lines (all of them are
    /// in the rejects file, when there is one).
    pub issues: Vec<Issue>,
    /// Set when a gzip file ended early: the complete lines read before the cut (they
    /// were kept).
    pub truncated_after: Option<u64>,
    /// Where every skipped and left-out line is written.
    #[serde(skip)]
    pub(crate) log: Option<RejectLog>,
}

impl FileReport {
    /// A bad line: under `strict` the error that stops the run, otherwise a skip.
    pub fn reject(
        &mut self,
        file: &Path,
        line: u64,
        category: &str,
        reason: String,
        strict: bool,
    ) -> crate::error::Result<()> {
        if strict {
            return Err(crate::error::Error::BadLine {
                path: file.to_path_buf(),
                line,
                reason,
            });
        }
        self.skip(file, line, category, reason);
        Ok(())
    }

    /// A report whose skipped and left-out lines are also written to `log`.
    pub fn logged(log: Option<&RejectLog>) -> Self {
        FileReport {
            log: log.cloned(),
            ..FileReport::default()
        }
    }

    /// Records a skipped line; `category` groups the summary, `reason` is the detail.
    pub fn skip(&mut self, file: &Path, line: u64, category: &str, reason: String) {
        *self.skipped.entry(category.to_string()).or_default() += 1;
        tracing::debug!(file = %file.display(), line, %reason, "line skipped");
        self.list(file, line, IssueKind::Skipped, category, reason);
    }

    /// Records a good line that is deliberately left out and listed (its business has
    /// no postal code, so no zipcode search could find it).
    pub fn leave_out(&mut self, file: &Path, line: u64, category: &str, reason: String) {
        self.exclude(category);
        self.list(file, line, IssueKind::LeftOut, category, reason);
    }

    fn list(&mut self, file: &Path, line: u64, kind: IssueKind, category: &str, reason: String) {
        if self.log.is_none() && self.issues.len() >= MAX_LISTED_ISSUES {
            return;
        }
        let issue = Issue {
            file: file.to_path_buf(),
            line,
            kind,
            category: category.to_string(),
            reason,
        };
        if let Some(log) = &self.log {
            log.write(&issue);
        }
        if self.issues.len() < MAX_LISTED_ISSUES {
            self.issues.push(issue);
        }
    }

    /// Records a line deliberately left out, counted but not listed (a review dated on
    /// or after `--until`).
    pub fn exclude(&mut self, reason: &str) {
        *self.excluded.entry(reason.to_string()).or_default() += 1;
    }

    /// Lines skipped or left out, by category, most frequent first, except those left
    /// out by `--until` (which the caller asked for).
    pub fn top_reasons(&self) -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> = self
            .skipped
            .iter()
            .chain(self.excluded.iter().filter(|(k, _)| k.as_str() != UNTIL))
            .map(|(k, n)| (k.clone(), *n))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }

    /// Total bad lines skipped.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }

    /// Total lines deliberately left out.
    pub fn excluded_total(&self) -> u64 {
        self.excluded.values().sum()
    }

    /// Adds another report's counts to this one.
    pub fn merge(&mut self, other: FileReport) {
        self.read += other.read;
        self.accepted += other.accepted;
        for (k, v) in other.excluded {
            *self.excluded.entry(k).or_default() += v;
        }
        for (k, v) in other.skipped {
            *self.skipped.entry(k).or_default() += v;
        }
        let room = MAX_LISTED_ISSUES.saturating_sub(self.issues.len());
        self.issues.extend(other.issues.into_iter().take(room));
        self.truncated_after = self.truncated_after.or(other.truncated_after);
    }
}

impl fmt::Display for FileReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "read {}, accepted {}, skipped {}",
            self.read,
            self.accepted,
            self.skipped_total()
        )?;
        if !self.skipped.is_empty() {
            let parts: Vec<String> = self
                .skipped
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            write!(f, " ({})", parts.join(", "))?;
        }
        if !self.excluded.is_empty() {
            let parts: Vec<String> = self
                .excluded
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            write!(f, "; left out {}", parts.join(", "))?;
        }
        if let Some(n) = self.truncated_after {
            write!(
                f,
                "; the file is truncated after line {n} (the lines before were kept)"
            )?;
        }
        Ok(())
    }
}
