//! Reading the HTTP `Accept` and `Accept-Encoding` headers: which of their
//! entries a server may pick.

/// Whether `header` (an `Accept` or `Accept-Encoding` value) names `name`
/// (a media type or a content coding, compared without regard to case) in
/// an entry whose `q` is not zero. Entries are separated by commas; the
/// parameters after `;` are skipped but for `q`, and blanks around entries
/// and parameters are ignored. A `q` that is not a number leaves the entry
/// accepted.
///
/// Wildcards (`*`, `*/*`, `text/*`) do not count: they accept anything, so
/// the exporters answer them with their defaults (text 0.0.4,
/// uncompressed), which the client takes too.
///
/// ```
/// use prom_codec::accept::accepts;
/// let prometheus = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
/// assert!(accepts(Some(prometheus), "application/openmetrics-text"));
/// assert!(accepts(Some("deflate, GZIP;q=0.5"), "gzip"));
/// assert!(!accepts(Some("gzip;q=0"), "gzip"));
/// assert!(!accepts(Some("*"), "gzip"));
/// assert!(!accepts(None, "gzip"));
/// ```
pub fn accepts(header: Option<&str>, name: &str) -> bool {
    quality(header, name).is_some()
}

/// The preference `header` gives `name`: the largest `q` of the entries
/// naming it (1 when an entry has no `q`, or one that is not a number), or
/// `None` when no entry names it with a `q` above zero. The same reading as
/// [`accepts`]; a server choosing among several offers takes the one with
/// the highest quality.
///
/// ```
/// use prom_codec::accept::quality;
/// let header = Some("gzip;q=0.5, zstd, br;q=0");
/// assert_eq!(quality(header, "zstd"), Some(1.0));
/// assert_eq!(quality(header, "gzip"), Some(0.5));
/// assert_eq!(quality(header, "br"), None);
/// assert_eq!(quality(header, "deflate"), None);
/// ```
pub fn quality(header: Option<&str>, name: &str) -> Option<f64> {
    header?
        .split(',')
        .filter_map(|entry| {
            let mut parts = entry.split(';');
            let entry_name = parts.next().unwrap_or("").trim();
            if !entry_name.eq_ignore_ascii_case(name) {
                return None;
            }
            let q = parts
                .filter_map(|param| param.trim().strip_prefix("q="))
                .filter_map(|q| q.trim().parse::<f64>().ok())
                .next_back()
                .unwrap_or(1.0);
            (q > 0.0).then_some(q)
        })
        .reduce(f64::max)
}

#[cfg(test)]
mod tests {
    use super::accepts;

    const OM: &str = "application/openmetrics-text";

    #[test]
    fn a_zero_q_refuses_and_any_other_accepts() {
        assert!(accepts(Some("gzip"), "gzip"));
        assert!(accepts(Some("gzip;q=1"), "gzip"));
        assert!(accepts(Some("gzip;q=0.001"), "gzip"));
        assert!(!accepts(Some("gzip;q=0"), "gzip"));
        assert!(!accepts(Some("gzip;q=0.0"), "gzip"));
        assert!(!accepts(Some("gzip;q=-1"), "gzip"));
        assert!(!accepts(Some(&format!("{OM};q=0")), OM));
        // A `q` that is not a number is ignored, as before.
        assert!(accepts(Some("gzip;q="), "gzip"));
        assert!(accepts(Some("gzip;q=high"), "gzip"));
        // Another entry naming it may still accept it.
        assert!(accepts(Some("gzip;q=0, gzip"), "gzip"));
    }

    #[test]
    fn wildcards_do_not_name_anything() {
        assert!(!accepts(Some("*"), "gzip"));
        assert!(!accepts(Some("*/*"), OM));
        assert!(!accepts(Some("application/*"), OM));
        assert!(!accepts(Some("application/json, text/*;q=0.1"), OM));
    }

    #[test]
    fn blanks_case_and_parameters_are_tolerated() {
        assert!(accepts(Some("  deflate ,\tgzip ; q=0.5 "), "gzip"));
        assert!(accepts(Some("GZip"), "gzip"));
        assert!(accepts(Some("Application/OpenMetrics-Text"), OM));
        assert!(accepts(
            Some(&format!("{OM}; version=1.0.0; charset=utf-8")),
            OM
        ));
        assert!(!accepts(Some(&format!("{OM};version=1.0.0;q=0")), OM));
    }

    #[test]
    fn other_names_empty_and_garbage_headers_accept_nothing() {
        for header in [
            "",
            "br",
            "gzipp",
            "openmetrics-text",
            ";;;,,,",
            "garbage;;;,,,;q=",
        ] {
            assert!(!accepts(Some(header), "gzip"), "{header}");
            assert!(!accepts(Some(header), OM), "{header}");
        }
        assert!(!accepts(None, OM));
    }
}
