//! A group of the Pushgateway (job and grouping key) and its URL path.

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, UdpSocket};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::PushError;

/// The suffix that marks a base64url-encoded job or label value in the path.
const BASE64_SUFFIX: &str = "@base64";

/// One group of metrics on the Pushgateway: a job and an ordered grouping key.
///
/// The Pushgateway keeps each group apart: `push` replaces one group, `delete` removes one. The
/// job becomes the `job` label, the grouping key's pairs further labels, on every pushed series.
///
/// Building a group never fails; the job and label names are checked when it is used, and
/// [`Group::path`] shows the URL path it maps to.
///
/// ```
/// use prom_pushgateway::Group;
///
/// let group = Group::new("backup").label("instance", "db-1").label("path", "/var/tmp");
/// assert_eq!(group.path().unwrap(), "/metrics/job/backup/instance/db-1/path@base64/L3Zhci90bXA");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[must_use]
pub struct Group {
    job: String,
    grouping_key: Vec<(String, String)>,
}

impl Group {
    /// The group of `job` with an empty grouping key.
    pub fn new(job: impl Into<String>) -> Self {
        Self {
            job: job.into(),
            grouping_key: Vec::new(),
        }
    }

    /// Appends the label `name` = `value` to the grouping key.
    pub fn label(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.grouping_key.push((name.into(), value.into()));
        self
    }

    /// Appends every `(name, value)` pair to the grouping key, in order.
    ///
    /// ```
    /// use prom_pushgateway::{instance_ip_grouping_key, Group};
    ///
    /// let group = Group::new("backup").labels(instance_ip_grouping_key());
    /// assert_eq!(group.grouping_key()[0].0, "instance");
    /// ```
    pub fn labels<N, V>(mut self, pairs: impl IntoIterator<Item = (N, V)>) -> Self
    where
        N: Into<String>,
        V: Into<String>,
    {
        self.grouping_key
            .extend(pairs.into_iter().map(|(n, v)| (n.into(), v.into())));
        self
    }

    /// The job.
    pub fn job(&self) -> &str {
        &self.job
    }

    /// The grouping key: label names and values, in the order given.
    pub fn grouping_key(&self) -> &[(String, String)] {
        &self.grouping_key
    }

    /// The URL path of this group, `/metrics/job/<JOB>{/<LABEL>/<VALUE>}`, with the
    /// Pushgateway's encoding:
    ///
    /// - a job or value that is empty, contains `/`, or is `.` or `..` (which URL normalisation
    ///   would remove) is written as `<name>@base64/<base64url>`, an empty one as
    ///   `<name>@base64/=`;
    /// - any other is percent-encoded, keeping only `A-Z a-z 0-9 - . _ ~`.
    ///
    /// ```
    /// use prom_pushgateway::Group;
    ///
    /// let group = Group::new("example").label("first_label", "").label("second_label", "foobar");
    /// assert_eq!(group.path().unwrap(), "/metrics/job/example/first_label@base64/=/second_label/foobar");
    /// let group = Group::new("titan").label("name", "Προμηθεύς");
    /// assert_eq!(
    ///     group.path().unwrap(),
    ///     "/metrics/job/titan/name/%CE%A0%CF%81%CE%BF%CE%BC%CE%B7%CE%B8%CE%B5%CF%8D%CF%82"
    /// );
    /// ```
    ///
    /// # Errors
    ///
    /// [`PushError::InvalidJob`] for an empty job; [`PushError::InvalidGroupingKey`] for a
    /// label name outside the legacy set `[a-zA-Z_][a-zA-Z0-9_]*` (UTF-8 label names are not
    /// for grouping keys), reserved (`__` prefix), repeated, or `job`.
    pub fn path(&self) -> Result<String, PushError> {
        if self.job.is_empty() {
            return Err(PushError::InvalidJob {
                job: self.job.clone(),
            });
        }
        let invalid = |source| PushError::InvalidGroupingKey {
            job: self.job.clone(),
            source,
        };
        for (i, (name, _)) in self.grouping_key.iter().enumerate() {
            // The name is a segment of the URL path, and the Pushgateway
            // (1.5 at least) reads legacy names only: held to the legacy
            // set whatever the process-wide name validation.
            if !prom_core::is_legacy_label_name(name) {
                return Err(invalid(prom_core::Error::InvalidLabelName {
                    name: name.clone(),
                }));
            }
            prom_core::validate_label_name(name).map_err(invalid)?;
            // The job is a label of the group already; the Pushgateway would silently let the
            // path's job win over a `job` pair.
            let repeated = name == "job" || self.grouping_key[..i].iter().any(|(n, _)| n == name);
            if repeated {
                return Err(invalid(prom_core::Error::DuplicateLabelName {
                    name: name.clone(),
                }));
            }
        }
        let mut path = String::from("/metrics");
        push_pair(&mut path, "job", &self.job);
        for (name, value) in &self.grouping_key {
            push_pair(&mut path, name, value);
        }
        Ok(path)
    }
}

/// Appends `/<name>/<value>` to `path`, base64url-encoding the value where the plain form would
/// be lost on the way: an empty segment is dropped by the router, a `/` (even as `%2F`) splits
/// the value, and `.`/`..` segments are removed by URL normalisation.
fn push_pair(path: &mut String, name: &str, value: &str) {
    path.push('/');
    path.push_str(name);
    if value.is_empty() {
        // A lone `=` decodes to the empty string and keeps the segment non-empty.
        path.push_str(BASE64_SUFFIX);
        path.push_str("/=");
    } else if value.contains('/') || value == "." || value == ".." {
        path.push_str(BASE64_SUFFIX);
        path.push('/');
        path.push_str(&URL_SAFE_NO_PAD.encode(value));
    } else {
        path.push('/');
        percent_encode(path, value);
    }
}

/// Percent-encodes every byte but RFC 3986's unreserved characters, so the segment survives any
/// URL parser unchanged and the Pushgateway decodes it back to `value`.
fn percent_encode(out: &mut String, value: &str) {
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// A grouping key of one label, `instance`, set to this host's IP address, as client_python's
/// `instance_ip_grouping_key`.
///
/// The address is the local end of a UDP socket connected towards a public address (connecting
/// a UDP socket sends no packet; it only picks the route), so it is the address of the interface
/// that reaches other hosts. Without a route it is `127.0.0.1`.
///
/// ```
/// use prom_pushgateway::instance_ip_grouping_key;
///
/// let [(name, ip)] = instance_ip_grouping_key();
/// assert_eq!(name, "instance");
/// assert!(ip.parse::<std::net::IpAddr>().is_ok());
/// ```
pub fn instance_ip_grouping_key() -> [(&'static str, String); 1] {
    [("instance", local_ip().to_string())]
}

fn local_ip() -> IpAddr {
    let routed = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).and_then(|socket| {
        socket.connect((Ipv4Addr::new(8, 8, 8, 8), 53))?;
        socket.local_addr()
    });
    match routed {
        Ok(addr) if !addr.ip().is_unspecified() => addr.ip(),
        _ => IpAddr::V4(Ipv4Addr::LOCALHOST),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(group: Group) -> String {
        group.path().unwrap()
    }

    // The expected paths are the examples of the Pushgateway's README ("URL" section).
    #[test]
    fn documented_examples() {
        assert_eq!(
            path(Group::new("directory_cleaner").label("path", "/var/tmp")),
            "/metrics/job/directory_cleaner/path@base64/L3Zhci90bXA"
        );
        assert_eq!(
            path(
                Group::new("example")
                    .label("first_label", "")
                    .label("second_label", "foobar")
            ),
            "/metrics/job/example/first_label@base64/=/second_label/foobar"
        );
        assert_eq!(
            path(Group::new("titan").label("name", "Προμηθεύς")),
            "/metrics/job/titan/name/%CE%A0%CF%81%CE%BF%CE%BC%CE%B7%CE%B8%CE%B5%CF%8D%CF%82"
        );
    }

    #[test]
    fn plain_job_and_no_grouping_key() {
        assert_eq!(path(Group::new("batch")), "/metrics/job/batch");
    }

    #[test]
    fn a_job_with_a_slash_is_base64() {
        assert_eq!(
            path(Group::new("a/b").label("instance", "x")),
            "/metrics/job@base64/YS9i/instance/x"
        );
    }

    #[test]
    fn spaces_and_reserved_characters_are_percent_encoded() {
        assert_eq!(
            path(Group::new("my job").label("q", "a b+c%d?e#f&g=h@i:j")),
            "/metrics/job/my%20job/q/a%20b%2Bc%25d%3Fe%23f%26g%3Dh%40i%3Aj"
        );
    }

    #[test]
    fn unreserved_characters_stay() {
        assert_eq!(
            path(Group::new("Az09-._~").label("v", "x.y")),
            "/metrics/job/Az09-._~/v/x.y"
        );
    }

    #[test]
    fn dot_segments_are_base64() {
        assert_eq!(
            path(Group::new("..").label("a", ".").label("b", "...")),
            "/metrics/job@base64/Li4/a@base64/Lg/b/..."
        );
    }

    #[test]
    fn base64_uses_the_url_safe_alphabet_without_padding() {
        // "/??>" is 0x2F 0x3F 0x3F 0x3E: standard base64 "Lz8/Pg==", URL-safe "Lz8_Pg".
        assert_eq!(
            path(Group::new("j").label("v", "/??>")),
            "/metrics/job/j/v@base64/Lz8_Pg"
        );
        // Unicode with a slash: the UTF-8 bytes are encoded.
        assert_eq!(
            path(Group::new("j").label("v", "é/")),
            "/metrics/job/j/v@base64/w6kv"
        );
    }

    #[test]
    fn grouping_key_order_is_kept() {
        assert_eq!(
            path(Group::new("j").labels([("b", "1"), ("a", "2")])),
            "/metrics/job/j/b/1/a/2"
        );
    }

    #[test]
    fn an_empty_job_is_refused() {
        let err = Group::new("").path().unwrap_err();
        assert!(matches!(err, PushError::InvalidJob { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "invalid job name \"\": the job must not be empty"
        );
    }

    #[test]
    fn bad_label_names_are_refused_by_name() {
        for (bad, kind) in [
            ("9lives", "invalid label name \"9lives\""),
            ("a-b", "invalid label name \"a-b\""),
            ("__x", "reserved label name \"__x\""),
            ("", "invalid label name \"\""),
        ] {
            let err = Group::new("j").label(bad, "v").path().unwrap_err();
            let msg = err.to_string();
            assert!(
                msg.starts_with("invalid grouping key for job \"j\": ") && msg.contains(kind),
                "{msg}"
            );
        }
    }

    #[test]
    fn repeated_labels_and_job_are_refused() {
        let err = Group::new("j")
            .label("a", "1")
            .label("a", "2")
            .path()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid grouping key for job \"j\": duplicate label name \"a\""
        );
        let err = Group::new("j").label("job", "x").path().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid grouping key for job \"j\": duplicate label name \"job\""
        );
    }

    #[test]
    fn the_instance_ip_is_a_usable_address() {
        let [(name, ip)] = instance_ip_grouping_key();
        assert_eq!(name, "instance");
        let ip: IpAddr = ip.parse().unwrap();
        assert!(!ip.is_unspecified(), "{ip}");
    }
}
