//! Label sets: the names a family shares and the values of one series,
//! packed into one allocation.

use std::sync::Arc;

use crate::hashing::{bytes_eq, ValuesHasher};
use crate::name::validate_label_names;
use crate::{Error, MetricType};

/// Label values packed into one allocation: the number of values and the
/// end offset of each as little-endian `u32`s, then the values' UTF-8 bytes
/// back to back. The count's top bit says that no value holds a backslash,
/// a double quote or a newline, so that writers copy them as they are
/// instead of looking for what to escape. One allocation per series instead of one per value keeps a
/// labelled series small.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PackedValues(Option<Arc<[u8]>>);

impl PackedValues {
    /// Packs `values`.
    pub fn new<S: AsRef<str>>(values: &[S]) -> Self {
        if values.is_empty() {
            return Self(None);
        }
        Self(Some(Self::pack(values).into()))
    }

    /// The packed bytes of `values` (none for no values), as a series
    /// keeps them inline.
    pub(crate) fn pack<S: AsRef<str>>(values: &[S]) -> Vec<u8> {
        if values.is_empty() {
            return Vec::new();
        }
        let text: usize = values.iter().map(|v| v.as_ref().len()).sum();
        let mut buf = Vec::with_capacity(4 + 4 * values.len() + text);
        let plain = values.iter().all(|v| {
            !v.as_ref()
                .bytes()
                .any(|b| matches!(b, b'\\' | b'"' | b'\n'))
        });
        // Counts beyond 2^31 and offsets beyond 4 GiB are not representable;
        // they saturate, and such a value reads back truncated.
        let count = u32::try_from(values.len()).unwrap_or(COUNT).min(COUNT);
        buf.extend_from_slice(&(count | if plain { PLAIN } else { 0 }).to_le_bytes());
        let mut end = 0usize;
        for v in values {
            end += v.as_ref().len();
            buf.extend_from_slice(&u32::try_from(end).unwrap_or(u32::MAX).to_le_bytes());
        }
        for v in values {
            buf.extend_from_slice(v.as_ref().as_bytes());
        }
        buf
    }

    /// A borrowed view of the packed bytes.
    #[inline]
    pub(crate) fn packed(&self) -> PackedRef<'_> {
        PackedRef(self.0.as_deref().unwrap_or(&[]))
    }

    /// The number of values.
    #[inline]
    pub fn len(&self) -> usize {
        self.packed().len()
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Value `i` (empty when out of range).
    #[inline]
    pub fn get(&self, i: usize) -> &str {
        self.packed().get(i)
    }

    /// Whether the values are exactly `values`, in order.
    #[inline]
    pub fn values_eq<S: AsRef<str>>(&self, values: &[S]) -> bool {
        self.packed().values_eq(values)
    }
}

/// The bits of a packed count word that count the values.
const COUNT: u32 = PLAIN - 1;
/// The bit of a packed count word set when no value needs escaping.
const PLAIN: u32 = 1 << 31;

/// Packed label values borrowed: from a [`PackedValues`], or from a
/// series, which keeps its values inline, in the allocation of its state.
/// Empty for no values. Public in name only: it appears in the signature
/// of the lookup cache's plumbing trait.
#[derive(Debug, Clone, Copy, Default)]
pub struct PackedRef<'a>(&'a [u8]);

impl<'a> PackedRef<'a> {
    /// Bytes laid out by [`PackedValues::pack`].
    #[inline]
    pub(crate) fn new(packed: &'a [u8]) -> Self {
        Self(packed)
    }

    #[inline]
    fn word(self, j: usize) -> usize {
        let o = 4 * j;
        match self.0.get(o..o + 4) {
            Some(w) => u32::from_le_bytes([w[0], w[1], w[2], w[3]]) as usize,
            None => 0,
        }
    }

    /// The number of values.
    #[inline]
    pub(crate) fn len(self) -> usize {
        self.word(0) & COUNT as usize
    }

    /// Whether no value holds a backslash, a double quote or a newline.
    #[inline]
    pub(crate) fn plain(self) -> bool {
        self.0.is_empty() || self.word(0) & PLAIN as usize != 0
    }

    /// The bytes of value `i` (empty when out of range).
    #[inline]
    pub(crate) fn bytes(self, i: usize) -> &'a [u8] {
        let n = self.len();
        if i >= n {
            return b"";
        }
        let start = if i == 0 { 0 } else { self.word(i) };
        let end = self.word(i + 1);
        let text = self.0.get(4 + 4 * n..).unwrap_or(b"");
        text.get(start..end).unwrap_or(b"")
    }

    /// Value `i` (empty when out of range).
    #[inline]
    pub(crate) fn get(self, i: usize) -> &'a str {
        // The bytes were copied from `&str`s and are split where those
        // strings ended, so each value is valid UTF-8.
        std::str::from_utf8(self.bytes(i)).unwrap_or("")
    }

    /// The hash of these values under a family's hasher, equal to the hash
    /// of the same values borrowed.
    pub(crate) fn hash_with(self, hasher: &ValuesHasher) -> u64 {
        hasher.hash_bytes((0..self.len()).map(|i| self.bytes(i)))
    }

    /// An owned copy.
    pub(crate) fn to_owned(self) -> PackedValues {
        PackedValues((!self.0.is_empty()).then(|| self.0.into()))
    }

    /// Whether the values are exactly `values`, in order.
    ///
    /// On the lookup's hot path: each value costs one offset load, a length
    /// compare and an inline byte compare, with one bounds check (the value
    /// must end inside the buffer).
    #[inline(always)]
    pub(crate) fn values_eq<S: AsRef<str>>(self, values: &[S]) -> bool {
        let buf = self.0;
        let n = values.len();
        if buf.is_empty() {
            return n == 0;
        }
        let base = 4 + 4 * n;
        if buf.len() < base || self.len() != n {
            return false;
        }
        let mut start = base;
        for (j, v) in values.iter().enumerate() {
            let v = v.as_ref().as_bytes();
            let end = base + self.word(j + 1);
            // `end < start` (a corrupt offset) makes the length differ too.
            if end.wrapping_sub(start) != v.len() {
                return false;
            }
            match buf.get(start..end) {
                Some(stored) if bytes_eq(stored, v) => start = end,
                _ => return false,
            }
        }
        true
    }
}

/// The label names and values of one series, in the family's label order.
///
/// Names are shared by a family's series; values are packed in one
/// allocation. Cloning is two reference-count increments.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct LabelSet {
    names: Arc<[Box<str>]>,
    values: PackedValues,
}

impl LabelSet {
    /// The empty label set.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Builds a label set from names shared by a family and this series' values.
    ///
    /// # Errors
    /// [`Error::LabelCount`] when the lengths differ.
    pub fn new<S: AsRef<str>>(names: Arc<[Box<str>]>, values: &[S]) -> Result<Self, Error> {
        if names.len() != values.len() {
            return Err(Error::LabelCount {
                metric: String::new(),
                expected: names.len(),
                got: values.len(),
            });
        }
        Ok(Self {
            names,
            values: PackedValues::new(values),
        })
    }

    pub(crate) fn from_parts(names: Arc<[Box<str>]>, values: PackedValues) -> Self {
        Self { names, values }
    }

    /// Builds a label set from `(name, value)` pairs, validating the names.
    ///
    /// # Errors
    /// An invalid, reserved or duplicated label name.
    ///
    /// ```
    /// let l = prom_core::LabelSet::from_pairs([("method", "GET"), ("code", "200")]).unwrap();
    /// assert_eq!(l.get("code"), Some("200"));
    /// assert_eq!(l.value(0), Some("GET"));
    /// ```
    pub fn from_pairs<N: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (N, V)>,
    ) -> Result<Self, Error> {
        let (names, values): (Vec<Box<str>>, Vec<V>) = pairs
            .into_iter()
            .map(|(n, v)| (Box::from(n.as_ref()), v))
            .unzip();
        validate_label_names(&names, MetricType::Unknown)?;
        Ok(Self {
            names: names.into(),
            values: PackedValues::new(&values),
        })
    }

    /// A borrowed view.
    pub fn as_labels_ref(&self) -> LabelsRef<'_> {
        LabelsRef {
            names: &self.names,
            values: self.values.packed(),
        }
    }

    /// The number of labels.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no labels.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The label names, in order.
    pub fn names(&self) -> &[Box<str>] {
        &self.names
    }

    /// The value of the `i`-th label, if there is one.
    pub fn value(&self, i: usize) -> Option<&str> {
        self.as_labels_ref().value(i)
    }

    /// The label values, in the order of [`LabelSet::names`].
    pub fn values(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.values.get(i))
    }

    /// The value of label `name`, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.as_labels_ref().get(name)
    }

    /// `(name, value)` pairs in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        self.names
            .iter()
            .enumerate()
            .map(|(i, n)| (&**n, self.values.get(i)))
    }
}

/// A borrowed view of a series' labels, as [`Visitor`](crate::Visitor)s get
/// them: the family's names and the series' packed values.
#[derive(Debug, Clone, Copy)]
pub struct LabelsRef<'a> {
    names: &'a Arc<[Box<str>]>,
    values: PackedRef<'a>,
}

impl<'a> LabelsRef<'a> {
    /// Pairs `names` (a family's) with `values` (a series').
    pub fn new(names: &'a Arc<[Box<str>]>, values: &'a PackedValues) -> Self {
        Self {
            names,
            values: values.packed(),
        }
    }

    /// Pairs `names` (a family's) with a series' values.
    pub(crate) fn from_packed(names: &'a Arc<[Box<str>]>, values: PackedRef<'a>) -> Self {
        Self { names, values }
    }

    /// Whether no value holds a backslash, a double quote or a newline: the
    /// exposition formats then write each between quotes as it is. Known
    /// since the values were packed, so checking costs one load.
    ///
    /// ```
    /// let plain = prom_core::LabelSet::from_pairs([("path", "/a")]).unwrap();
    /// assert!(plain.as_labels_ref().values_are_plain());
    /// let quoted = prom_core::LabelSet::from_pairs([("path", "say \"hi\"")]).unwrap();
    /// assert!(!quoted.as_labels_ref().values_are_plain());
    /// ```
    #[inline]
    pub fn values_are_plain(&self) -> bool {
        self.values.plain()
    }

    /// An owned label set sharing these names, with a copy of the values
    /// (one allocation).
    pub fn to_label_set(&self) -> LabelSet {
        LabelSet::from_parts(Arc::clone(self.names), self.values.to_owned())
    }

    /// The number of labels.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no labels.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The value of the `i`-th label, if there is one.
    pub fn value(&self, i: usize) -> Option<&'a str> {
        (i < self.len()).then(|| self.values.get(i))
    }

    /// The value of label `name`, if present.
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.names
            .iter()
            .position(|n| &**n == name)
            .map(|i| self.values.get(i))
    }

    /// `(name, value)` pairs in order, each value as its UTF-8 bytes: for
    /// writers that copy bytes, without the UTF-8 check that [`iter`]
    /// makes of every value.
    ///
    /// [`iter`]: LabelsRef::iter
    ///
    /// ```
    /// let set = prom_core::LabelSet::from_pairs([("method", "GET")]).unwrap();
    /// let pairs: Vec<_> = set.as_labels_ref().iter_bytes().collect();
    /// assert_eq!(pairs, [("method", &b"GET"[..])]);
    /// ```
    pub fn iter_bytes(&self) -> impl ExactSizeIterator<Item = (&'a str, &'a [u8])> + 'a {
        let (names, values) = (self.names, self.values);
        names
            .iter()
            .enumerate()
            .map(move |(i, n)| (&**n, values.bytes(i)))
    }

    /// `(name, value)` pairs in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&'a str, &'a str)> + 'a {
        let (names, values) = (self.names, self.values);
        names
            .iter()
            .enumerate()
            .map(move |(i, n)| (&**n, values.get(i)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_hash_alike_packed_or_borrowed_and_split_points_matter() {
        let h = ValuesHasher::new();
        let long = "x".repeat(100);
        let tuples: Vec<Vec<&str>> = vec![
            vec![],
            vec![""],
            vec!["", ""],
            vec!["a"],
            vec!["ab", "c"],
            vec!["a", "bc"],
            vec!["GET", "/api/v1/resource/42"],
            vec!["GET", "/api/v1/resource/43"],
            vec!["GET/", "api/v1/resource/42"],
            vec!["1234567", "12345678", "123456789012345678"],
            vec![&long, "y"],
        ];
        let hashes: Vec<u64> = tuples.iter().map(|t| h.hash(t)).collect();
        for (t, &hash) in tuples.iter().zip(&hashes) {
            assert_eq!(PackedValues::new(t).packed().hash_with(&h), hash, "{t:?}");
        }
        let mut distinct = hashes.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), hashes.len(), "{hashes:?}");
        // Another family's seeds give other hashes.
        assert_ne!(ValuesHasher::new().hash(&["GET"]), h.hash(&["GET"]));
    }

    #[test]
    fn packed_values_compare_value_by_value() {
        let p = PackedValues::new(&["GET", "/api/v1/resource/42", ""]);
        assert!(p.values_eq(&["GET", "/api/v1/resource/42", ""]));
        // The same bytes split differently are different values.
        assert!(!p.values_eq(&["GET/", "api/v1/resource/42", ""]));
        assert!(!p.values_eq(&["GET", "/api/v1/resource/43", ""]));
        assert!(!p.values_eq(&["GET", "/api/v1/resource/42"]));
        assert!(!p.values_eq(&["GET", "/api/v1/resource/42", "", ""]));
        assert!(PackedValues::new::<&str>(&[]).values_eq::<&str>(&[]));
        assert!(!PackedValues::new::<&str>(&[]).values_eq(&[""]));
    }
}
