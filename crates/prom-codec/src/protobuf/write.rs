//! The protobuf writer: a [`Visitor`] streaming families into one reused
//! buffer per family.

use super::*;

/// Writes families as protobuf messages, as a [`Visitor`]. A family is
/// gathered in one reused buffer and handed to the sink, length first,
/// when the next family starts or the visit ends.
pub(crate) struct ProtoWriter<'w, S: Sink + ?Sized> {
    w: &'w mut S,
    /// The current family's message body.
    family: Vec<u8>,
    /// The current family's name, for a state set's label.
    name: String,
    /// Every family name written, for [`NameClash`].
    written: HashMap<String, String>,
    /// How names outside the legacy character set are written.
    escaping: crate::escape::Escaping,
    /// The last label names found legacy-valid.
    legacy_names: crate::escape::LegacyNames,
}

impl<'w, S: Sink + ?Sized> ProtoWriter<'w, S> {
    pub(crate) fn new(w: &'w mut S, escaping: crate::escape::Escaping) -> Self {
        Self {
            w,
            family: Vec::new(),
            name: String::new(),
            written: HashMap::new(),
            escaping,
            legacy_names: Default::default(),
        }
    }

    /// Hands the gathered family to the sink.
    fn flush(&mut self) {
        if self.family.is_empty() {
            return;
        }
        let mut len = [0u8; 10];
        let n = {
            let mut slice = &mut len[..];
            let before = slice.len();
            encode_varint(self.family.len() as u64, &mut slice);
            before - slice.len()
        };
        self.w.put(&len[..n]);
        self.w.put(&self.family);
        self.family.clear();
    }

    pub(crate) fn finish(mut self) {
        self.flush();
    }

    /// Starts a `Metric` with the series' labels (and `more`).
    fn metric_start(&mut self, s: &SeriesRef<'_>, more: Option<LabelsRef<'_>>) -> usize {
        let buf = &mut self.family;
        let start = open(buf, tag::FAMILY_METRIC);
        // Names known legacy-valid are written as they are whatever the
        // scheme: the scan is skipped for the series that share them.
        let first = s.labels.iter_bytes().next();
        let legacy = first.is_some_and(|(name, _)| {
            self.legacy_names.is_same(name, s.labels) || self.legacy_names.check(s.labels)
        });
        let escaping = if legacy {
            crate::escape::Escaping::AllowUtf8
        } else {
            self.escaping
        };
        put_labels(buf, tag::METRIC_LABEL, s.labels, escaping);
        if let Some(more) = more {
            put_labels(buf, tag::METRIC_LABEL, more, self.escaping);
        }
        start
    }

    fn metric_end(&mut self, s: &SeriesRef<'_>, start: usize) {
        if let Some(ms) = s.timestamp_ms {
            put_uint(&mut self.family, tag::METRIC_TIMESTAMP_MS, ms as u64);
        }
        close(&mut self.family, start);
    }

    /// A metric of one double value in field `field` of `Metric`.
    fn simple(&mut self, s: &SeriesRef<'_>, more: Option<LabelsRef<'_>>, field: u32, v: f64) {
        let start = self.metric_start(s, more);
        let inner = open(&mut self.family, field);
        put_double(&mut self.family, tag::VALUE, v);
        close(&mut self.family, inner);
        self.metric_end(s, start);
    }

    fn histogram(
        &mut self,
        s: &SeriesRef<'_>,
        bounds: &[f64],
        cumulative: &[u64],
        count: u64,
        sum: Option<f64>,
    ) {
        let start = self.metric_start(s, None);
        // timestamp_ms (6) comes before histogram (7).
        if let Some(ms) = s.timestamp_ms {
            put_uint(&mut self.family, tag::METRIC_TIMESTAMP_MS, ms as u64);
        }
        let buf = &mut self.family;
        let h = open(buf, tag::METRIC_HISTOGRAM);
        put_uint(buf, tag::HISTOGRAM_COUNT, count);
        if let Some(sum) = sum {
            put_double(buf, tag::HISTOGRAM_SUM, sum);
        }
        let mut exemplars = s.exemplars.iter().peekable();
        for (&bound, &n) in bounds.iter().zip(cumulative) {
            while exemplars
                .next_if(|e| e.bucket.is_none_or(|b| b < bound))
                .is_some()
            {}
            let exemplar = exemplars.next_if(|e| e.bucket == Some(bound));
            // The +Inf bucket is implied by sample_count, as client_golang
            // leaves it out; written when it says more.
            if bound == f64::INFINITY && exemplar.is_none() && n == count {
                continue;
            }
            let b = open(buf, tag::HISTOGRAM_BUCKET);
            put_uint(buf, tag::BUCKET_COUNT, n);
            put_double(buf, tag::BUCKET_UPPER_BOUND, bound);
            if let Some(e) = exemplar {
                put_exemplar(buf, tag::BUCKET_EXEMPLAR, e, self.escaping);
            }
            close(buf, b);
        }
        if let Some(created) = s.created {
            put_timestamp(buf, tag::HISTOGRAM_CREATED, created);
        }
        close(buf, h);
        close(&mut self.family, start);
    }

    /// A native histogram as client_golang writes one: count, sum, the
    /// classic buckets if it keeps any (cumulative, `+Inf` left out),
    /// schema, zero threshold and count, then the negative and positive
    /// spans and deltas. One with no bucket, no zero
    /// count and a zero threshold of 0 gets a no-op span (offset 0,
    /// length 0), or Prometheus would read it as a classic histogram.
    fn native_histogram(&mut self, s: &SeriesRef<'_>, h: &NativeHistogramValue) {
        let start = self.metric_start(s, None);
        if let Some(ms) = s.timestamp_ms {
            put_uint(&mut self.family, tag::METRIC_TIMESTAMP_MS, ms as u64);
        }
        let buf = &mut self.family;
        let m = open(buf, tag::METRIC_HISTOGRAM);
        put_uint(buf, tag::HISTOGRAM_COUNT, h.count);
        put_double(buf, tag::HISTOGRAM_SUM, h.sum);
        for &(bound, n) in &h.classic {
            let b = open(buf, tag::HISTOGRAM_BUCKET);
            put_uint(buf, tag::BUCKET_COUNT, n);
            put_double(buf, tag::BUCKET_UPPER_BOUND, bound);
            close(buf, b);
        }
        encode_key(tag::HISTOGRAM_SCHEMA, WireType::Varint, buf);
        encode_varint(zigzag(i64::from(h.schema)), buf);
        put_double(buf, tag::HISTOGRAM_ZERO_THRESHOLD, h.zero_threshold);
        put_uint(buf, tag::HISTOGRAM_ZERO_COUNT, h.zero_count);
        let noop = h.positive.is_empty()
            && h.negative.is_empty()
            && h.zero_threshold == 0.0
            && h.zero_count == 0;
        put_buckets(
            buf,
            &h.negative,
            tag::HISTOGRAM_NEGATIVE_SPAN,
            tag::HISTOGRAM_NEGATIVE_DELTA,
        );
        if noop {
            put_span(buf, tag::HISTOGRAM_POSITIVE_SPAN, 0, 0);
        } else {
            put_buckets(
                buf,
                &h.positive,
                tag::HISTOGRAM_POSITIVE_SPAN,
                tag::HISTOGRAM_POSITIVE_DELTA,
            );
        }
        if let Some(created) = s.created {
            put_timestamp(buf, tag::HISTOGRAM_CREATED, created);
        }
        close(buf, m);
        close(&mut self.family, start);
    }

    fn write_series(&mut self, s: &SeriesRef<'_>) {
        match s.value {
            ValueRef::Counter(v) => {
                let start = self.metric_start(s, None);
                let buf = &mut self.family;
                let c = open(buf, tag::METRIC_COUNTER);
                put_double(buf, tag::COUNTER_VALUE, v);
                if let Some(e) = s.exemplars.first() {
                    put_exemplar(buf, tag::COUNTER_EXEMPLAR, e, self.escaping);
                }
                if let Some(created) = s.created {
                    put_timestamp(buf, tag::COUNTER_CREATED, created);
                }
                close(buf, c);
                self.metric_end(s, start);
            }
            ValueRef::Gauge(v) => self.simple(s, None, tag::METRIC_GAUGE, v),
            ValueRef::Unknown(v) => self.simple(s, None, tag::METRIC_UNTYPED, v),
            ValueRef::Histogram {
                bounds,
                cumulative,
                count,
                sum,
            }
            | ValueRef::GaugeHistogram {
                bounds,
                cumulative,
                count,
                sum,
            } => self.histogram(s, bounds, cumulative, count, sum),
            ValueRef::NativeHistogram(h) => self.native_histogram(s, h),
            ValueRef::Summary {
                count,
                sum,
                quantiles,
            } => {
                let start = self.metric_start(s, None);
                let buf = &mut self.family;
                let m = open(buf, tag::METRIC_SUMMARY);
                put_uint(buf, tag::SUMMARY_COUNT, count);
                put_double(buf, tag::SUMMARY_SUM, sum);
                for q in quantiles {
                    let qs = open(buf, tag::SUMMARY_QUANTILE);
                    put_double(buf, tag::QUANTILE_QUANTILE, q.quantile);
                    put_double(buf, tag::QUANTILE_VALUE, q.value);
                    close(buf, qs);
                }
                if let Some(created) = s.created {
                    put_timestamp(buf, tag::SUMMARY_CREATED, created);
                }
                close(buf, m);
                self.metric_end(s, start);
            }
            ValueRef::Info(info) => self.simple(s, Some(info), tag::METRIC_GAUGE, 1.0),
            ValueRef::StateSet { names, enabled } => {
                for (state, &on) in names.iter().zip(enabled) {
                    let start = self.metric_start(s, None);
                    let buf = &mut self.family;
                    let l = open(buf, tag::METRIC_LABEL);
                    put_name(buf, tag::LABEL_NAME, &self.name, self.escaping, true);
                    put_bytes(buf, tag::LABEL_VALUE, state.as_bytes());
                    close(buf, l);
                    let g = open(buf, tag::METRIC_GAUGE);
                    put_double(buf, tag::VALUE, if on { 1.0 } else { 0.0 });
                    close(buf, g);
                    self.metric_end(s, start);
                }
            }
            // A value this writer does not know is left out rather than
            // written wrongly.
            _ => {}
        }
    }
}

impl<S: Sink + ?Sized> Visitor for ProtoWriter<'_, S> {
    fn family(&mut self, fam: FamilyRef<'_>) -> Result<bool, VisitError> {
        self.flush();
        let suffix = match fam.metric_type {
            ModelType::Counter => "_total",
            ModelType::Info => "_info",
            _ => "",
        };
        self.name.clear();
        self.name.push_str(fam.name);
        // The name as written, escaped: two names escaping to one clash.
        let mut full = String::with_capacity(fam.name.len() + suffix.len());
        full.push_str(&crate::escape::escape_metric_name(fam.name, self.escaping));
        full.push_str(suffix);
        if let Some(owner) = self.written.get(&full) {
            return Err(VisitError::new(NameClash {
                name: full,
                first: owner.clone(),
                second: fam.name.to_owned(),
            }));
        }
        let proto_type = match fam.metric_type {
            ModelType::Counter => MetricType::Counter,
            ModelType::Gauge | ModelType::Info | ModelType::StateSet => MetricType::Gauge,
            ModelType::Summary => MetricType::Summary,
            ModelType::Histogram => MetricType::Histogram,
            ModelType::GaugeHistogram => MetricType::GaugeHistogram,
            _ => MetricType::Untyped,
        };
        let buf = &mut self.family;
        put_bytes(buf, tag::FAMILY_NAME, full.as_bytes());
        put_bytes(buf, tag::FAMILY_HELP, fam.help.as_bytes());
        put_uint(buf, tag::FAMILY_TYPE, proto_type as u64);
        self.written.insert(full, fam.name.to_owned());
        self.check()?;
        Ok(true)
    }

    fn series(&mut self, series: &SeriesRef<'_>) -> Result<(), VisitError> {
        self.write_series(series);
        Ok(())
    }
}

impl<S: Sink + ?Sized> ProtoWriter<'_, S> {
    fn check(&self) -> Result<(), VisitError> {
        match self.w.error() {
            Some(e) => Err(VisitError::new(e.to_string())),
            None => Ok(()),
        }
    }
}

/// Writes snapshot `families` into `sink`.
pub(crate) fn encode<S: Sink + ?Sized>(
    families: &[ModelFamily],
    escaping: crate::escape::Escaping,
    sink: &mut S,
) -> Result<(), NameClash> {
    let mut writer = ProtoWriter::new(sink, escaping);
    match visit_families(families, &mut writer) {
        Ok(()) => writer.finish(),
        Err(e) => {
            return crate::encode::clash(prom_core::VisitFailure::Visit(e)).map_or(Ok(()), Err)
        }
    }
    Ok(())
}
