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
    best(header, name).map(|e| e.q)
}

/// One entry of an `Accept` header: its quality and its parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entry<'h> {
    /// The `q` value (1 when absent or not a number).
    pub q: f64,
    /// The parameters after the media type, `;`-separated, as written.
    params: &'h str,
}

impl<'h> Entry<'h> {
    /// The value of parameter `key` (compared without regard to case;
    /// blanks and double quotes around the value removed), if present.
    ///
    /// ```
    /// use prom_codec::accept::best;
    /// let e = best(Some("text/plain; version=1.0.0; escaping=\"allow-utf-8\""), "text/plain").unwrap();
    /// assert_eq!(e.param("version"), Some("1.0.0"));
    /// assert_eq!(e.param("Escaping"), Some("allow-utf-8"));
    /// assert_eq!(e.param("charset"), None);
    /// ```
    pub fn param(&self, key: &str) -> Option<&'h str> {
        self.params.split(';').find_map(|param| {
            let (k, v) = param.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case(key)
                .then(|| v.trim().trim_matches('"'))
        })
    }
}

/// The entry of `header` naming `name` with the highest `q` (the first of
/// equals), as [`quality`] reads them; `None` when none names it with a
/// `q` above zero. Its parameters say which version or escaping scheme the
/// client wants.
///
/// ```
/// use prom_codec::accept::best;
/// let header = Some("text/plain;version=0.0.4;q=0.3,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4");
/// let e = best(header, "text/plain").unwrap();
/// assert_eq!((e.q, e.param("version")), (0.4, Some("1.0.0")));
/// assert_eq!(best(header, "application/openmetrics-text"), None);
/// ```
pub fn best<'h>(header: Option<&'h str>, name: &str) -> Option<Entry<'h>> {
    entries(header?)
        .filter(|(entry_name, _)| entry_name.eq_ignore_ascii_case(name))
        .map(|(_, e)| e)
        .filter(|e| e.q > 0.0)
        .reduce(|a, b| if b.q > a.q { b } else { a })
}

/// The entries of an `Accept` header: each media type (trimmed) with its
/// [`Entry`].
pub(crate) fn entries(header: &str) -> impl Iterator<Item = (&str, Entry<'_>)> {
    header.split(',').map(|entry| {
        let (name, params) = entry.split_once(';').unwrap_or((entry, ""));
        let q = params
            .split(';')
            .filter_map(|param| param.trim().strip_prefix("q="))
            .filter_map(|q| q.trim().parse::<f64>().ok())
            .next_back()
            .unwrap_or(1.0);
        (name.trim(), Entry { q, params })
    })
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
