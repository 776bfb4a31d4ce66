//! Accounting of input lines: what was read, what landed, what was skipped and why.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// How many individual bad lines are kept with their file and line number.
pub const MAX_LISTED_ISSUES: usize = 100;

/// One skipped line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// The input file.
    pub file: PathBuf,
    /// 1-based line number.
    pub line: u64,
    /// Why it was skipped.
    pub reason: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}; line skipped",
            self.file.display(),
            self.line,
            self.reason
        )
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
    /// The first `MAX_LISTED_ISSUES` (100) skipped lines.
    pub issues: Vec<Issue>,
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

    /// Records a skipped line; `category` groups the summary, `reason` is the detail.
    pub fn skip(&mut self, file: &Path, line: u64, category: &str, reason: String) {
        *self.skipped.entry(category.to_string()).or_default() += 1;
        if self.issues.len() < MAX_LISTED_ISSUES {
            tracing::debug!(file = %file.display(), line, %reason, "line skipped");
            self.issues.push(Issue {
                file: file.to_path_buf(),
                line,
                reason,
            });
        }
    }

    /// Records a line deliberately left out.
    pub fn exclude(&mut self, reason: &str) {
        *self.excluded.entry(reason.to_string()).or_default() += 1;
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
        Ok(())
    }
}
