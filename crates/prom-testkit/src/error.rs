use std::fmt;

/// Why the harness could not do what a test asked, with the way to fix it.
///
/// The message is complete on its own: it names the missing program and the command that installs
/// it, or it carries the peer's output (log tail, parser message) and the input that was given.
/// `Debug` prints the same text as `Display`, unescaped, so `.unwrap()` in a test shows it
/// readably.
pub struct HarnessError(String);

impl HarnessError {
    /// An error with the given message.
    pub fn new(message: impl Into<String>) -> Self {
        HarnessError(message.into())
    }

    /// The full message.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HarnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for HarnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A test's `unwrap()` prints Debug; escaped newlines would make a log tail unreadable.
        write!(f, "HarnessError:\n{}", self.0)
    }
}

impl std::error::Error for HarnessError {}
