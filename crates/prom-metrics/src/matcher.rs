//! Histogram buckets by name: the default layout and the layouts given for
//! names a [`Matcher`] picks.

use std::sync::Arc;

use crate::names::metric_name;

/// Picks histograms by name, to give them their own buckets
/// ([`BridgeBuilder::buckets_for`](crate::BridgeBuilder::buckets_for)), as
/// `metrics-exporter-prometheus`'s matchers do.
///
/// A matcher compares with the histogram's Prometheus name before any unit
/// suffix (the name [`metric_name`] maps it to), and its own text is mapped
/// alike, so `Matcher::Full("http.latency".into())` and
/// `Matcher::Full("http_latency".into())` both pick `histogram!("http.latency")`
/// (a suffix's text has its characters mapped, nothing prefixed).
///
/// When several match, a full match wins over a prefix and a prefix over a
/// suffix; among prefixes or suffixes, the longest.
///
/// ```
/// use prom_metrics::Matcher;
/// assert!(Matcher::Suffix("_seconds".into()).matches("rpc.latency_seconds"));
/// assert!(Matcher::Prefix("http.".into()).matches("http.server.duration"));
/// assert!(Matcher::Full("db-query".into()).matches("db.query"));
/// assert!(!Matcher::Full("db".into()).matches("db.query"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Matcher {
    /// The whole name.
    Full(String),
    /// The beginning of the name.
    Prefix(String),
    /// The end of the name.
    Suffix(String),
}

impl Matcher {
    /// Whether this matcher picks the `metrics` name `name`.
    pub fn matches(&self, name: &str) -> bool {
        self.matches_mapped(&self.mapped(), &metric_name(name))
    }

    /// The matcher's text, mapped as names are.
    fn mapped(&self) -> String {
        match self {
            Matcher::Full(s) | Matcher::Prefix(s) => metric_name(s).into_owned(),
            // A suffix is the end of a name: no leading character is fixed.
            Matcher::Suffix(s) => s
                .chars()
                .map(|c| match u8::try_from(c) {
                    Ok(b) if b.is_ascii_alphanumeric() || b == b'_' || b == b':' => c,
                    _ => '_',
                })
                .collect(),
        }
    }

    fn matches_mapped(&self, text: &str, name: &str) -> bool {
        match self {
            Matcher::Full(_) => name == text,
            Matcher::Prefix(_) => name.starts_with(text),
            Matcher::Suffix(_) => name.ends_with(text),
        }
    }

    /// Full before prefix before suffix; longer before shorter.
    fn rank(&self, text: &str) -> (u8, std::cmp::Reverse<usize>) {
        let kind = match self {
            Matcher::Full(_) => 0,
            Matcher::Prefix(_) => 1,
            Matcher::Suffix(_) => 2,
        };
        (kind, std::cmp::Reverse(text.len()))
    }
}

/// A matcher with its mapped text and its buckets.
#[derive(Debug, Clone)]
struct Rule {
    matcher: Matcher,
    text: String,
    buckets: Arc<[f64]>,
}

/// The bucket layouts of a bridge: a default, and rules by name.
#[derive(Debug, Clone)]
pub(crate) struct Buckets {
    default: Arc<[f64]>,
    /// In the order they are tried: the first that matches wins.
    rules: Vec<Rule>,
}

impl Default for Buckets {
    fn default() -> Self {
        Self {
            default: prom_core::DEFAULT_BUCKETS.into(),
            rules: Vec::new(),
        }
    }
}

impl Buckets {
    /// Sets the layout of histograms no rule picks.
    pub(crate) fn set_default(&mut self, buckets: &[f64]) {
        self.default = buckets.into();
    }

    /// Adds a rule; one for the same matcher is replaced.
    pub(crate) fn add(&mut self, matcher: Matcher, buckets: &[f64]) {
        self.rules.retain(|r| r.matcher != matcher);
        let text = matcher.mapped();
        self.rules.push(Rule {
            matcher,
            text,
            buckets: buckets.into(),
        });
        self.rules.sort_by_key(|r| r.matcher.rank(&r.text));
    }

    /// The layout for the histogram whose mapped name (before any unit
    /// suffix) is `name`.
    pub(crate) fn for_name(&self, name: &str) -> &[f64] {
        self.rules
            .iter()
            .find(|r| r.matcher.matches_mapped(&r.text, name))
            .map_or(&self.default, |r| &r.buckets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_beats_prefix_beats_suffix_and_longer_beats_shorter() {
        let mut b = Buckets::default();
        b.add(Matcher::Suffix("_seconds".into()), &[1.0]);
        b.add(Matcher::Prefix("http".into()), &[2.0]);
        b.add(Matcher::Prefix("http_server".into()), &[3.0]);
        b.add(Matcher::Full("http_server_seconds".into()), &[4.0]);
        assert_eq!(b.for_name("http_server_seconds"), [4.0]);
        assert_eq!(b.for_name("http_server_bytes"), [3.0]);
        assert_eq!(b.for_name("http_client_seconds"), [2.0]);
        assert_eq!(b.for_name("rpc_seconds"), [1.0]);
        assert_eq!(b.for_name("rpc"), prom_core::DEFAULT_BUCKETS);
        b.add(Matcher::Suffix("_seconds".into()), &[5.0]);
        assert_eq!(b.for_name("rpc_seconds"), [5.0]);
    }
}
