//! Reading a delimited `MetricFamily` stream back into the model.

use super::*;

/// Why [`parse_protobuf`] refused its input.
#[derive(Debug)]
#[non_exhaustive]
pub enum ProtobufError {
    /// The bytes from `offset` on are not a length-delimited
    /// `MetricFamily` (cut short, or not protobuf).
    Decode {
        /// Where the message that failed starts.
        offset: usize,
        /// prost's reason.
        source: prost::DecodeError,
    },
    /// A family without a name.
    NoName {
        /// Where its message starts.
        offset: usize,
    },
    /// A family's `type` is none of `metrics.proto`'s.
    UnknownType {
        /// The family.
        family: String,
        /// The number found.
        value: i32,
    },
    /// A metric lacks the field its family's type needs (`counter` in a
    /// `COUNTER` family, …).
    MissingValue {
        /// The family.
        family: String,
        /// The field it lacks.
        field: &'static str,
    },
    /// A native histogram's spans and deltas disagree: more or fewer
    /// deltas than the spans' buckets, or a bucket count below zero.
    InvalidNativeHistogram {
        /// The family.
        family: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The model refused what was read (an invalid label name, say).
    Model {
        /// The family.
        family: String,
        /// The model's reason.
        source: prom_core::Error,
    },
}

impl std::fmt::Display for ProtobufError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProtobufError::Decode { offset, source } => write!(
                f,
                "invalid protobuf exposition at byte {offset}: not a length-delimited MetricFamily ({source})"
            ),
            ProtobufError::NoName { offset } => {
                write!(f, "the MetricFamily at byte {offset} has no name")
            }
            ProtobufError::UnknownType { family, value } => {
                write!(f, "metric family {family:?} has an unknown type {value}")
            }
            ProtobufError::MissingValue { family, field } => write!(
                f,
                "a metric of family {family:?} has no {field:?} field, which its type needs"
            ),
            ProtobufError::InvalidNativeHistogram { family, reason } => {
                write!(f, "a native histogram of family {family:?} is invalid: {reason}")
            }
            ProtobufError::Model { family, source } => {
                write!(f, "metric family {family:?}: {source}")
            }
        }
    }
}

impl std::error::Error for ProtobufError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ProtobufError::Decode { source, .. } => Some(source),
            ProtobufError::Model { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Seconds since the epoch of a `Timestamp`; exact for whole milliseconds
/// (as `ms as f64 / 1000.0` gives them), which the encoder writes.
fn seconds_of(t: &Timestamp) -> f64 {
    if t.nanos % 1_000_000 == 0 {
        (t.seconds as f64 * 1000.0 + f64::from(t.nanos / 1_000_000)) / 1000.0
    } else {
        t.seconds as f64 + f64::from(t.nanos) * 1e-9
    }
}

fn label_set(pairs: &[LabelPair]) -> Result<prom_core::LabelSet, prom_core::Error> {
    prom_core::LabelSet::from_pairs(pairs.iter().map(|p| {
        (
            p.name.as_deref().unwrap_or(""),
            p.value.as_deref().unwrap_or(""),
        )
    }))
}

fn exemplar_of(e: &ProtoExemplar) -> Result<Exemplar, prom_core::Error> {
    let mut out = Exemplar::new(label_set(&e.label)?, e.value.unwrap_or(0.0));
    if let Some(ts) = &e.timestamp {
        out = out.with_timestamp(seconds_of(ts));
    }
    Ok(out)
}

/// `(key, count)` buckets, sorted and none empty, from spans and deltas.
fn buckets_of(spans: &[BucketSpan], deltas: &[i64]) -> Result<Vec<(i32, u64)>, &'static str> {
    let mut out = Vec::new();
    let mut deltas = deltas.iter();
    let mut count = 0i64;
    let mut key = 0i32;
    for (i, span) in spans.iter().enumerate() {
        let offset = span.offset.unwrap_or(0);
        key = if i == 0 {
            offset
        } else {
            key.checked_add(offset).ok_or("a span offset overflows")?
        };
        for _ in 0..span.length.unwrap_or(0) {
            let delta = deltas
                .next()
                .ok_or("fewer deltas than the spans' buckets")?;
            count = count
                .checked_add(*delta)
                .ok_or("a bucket count overflows")?;
            let n = u64::try_from(count).map_err(|_| "a bucket count below zero")?;
            if n > 0 {
                out.push((key, n));
            }
            key = key.checked_add(1).ok_or("a bucket key overflows")?;
        }
    }
    if deltas.next().is_some() {
        return Err("more deltas than the spans' buckets");
    }
    Ok(out)
}

/// Reads a protobuf exposition (length-delimited `MetricFamily` messages,
/// as [`Encoder::protobuf`](crate::Encoder::protobuf) and client_golang
/// write them) into the model, as Prometheus reads it:
/// - a `COUNTER` family named `x_total` becomes the counter `x` (the text
///   reader's rule);
/// - a histogram's `+Inf` bucket, when absent, is added with the
///   `sample_count`; its `sum` is kept when present;
/// - `GAUGE_HISTOGRAM` is a gauge histogram; gauges stay gauges (an info
///   or a state set written as gauges reads back as gauges);
/// - created timestamps, exemplars (a counter's, a bucket's) and
///   `timestamp_ms` are kept;
/// - a histogram is native when it has a span, a zero threshold above 0 or
///   a zero count, as Prometheus 2.42 decides (the no-op span of an empty
///   one counts); its classic buckets, if any, are kept beside the native
///   ones ([`NativeHistogramValue::classic`]).
///
/// ```
/// use prom_codec::{parse_protobuf, Encoder};
/// let c = prom_core::Counter::new("jobs", "Jobs run.").unwrap();
/// c.inc_by(2.0).unwrap();
/// let mut body = Vec::new();
/// Encoder::protobuf().encode(&c, &[], &mut body).unwrap();
/// let families = parse_protobuf(&body).unwrap();
/// assert_eq!(&*families[0].name, "jobs");
/// assert_eq!(families[0].metrics[0].value, prom_core::MetricValue::Counter(2.0));
///
/// let err = parse_protobuf(&body[..body.len() - 1]).unwrap_err();
/// assert!(err.to_string().starts_with("invalid protobuf exposition at byte 0"), "{err}");
/// ```
///
/// # Errors
/// [`ProtobufError`], naming the byte offset or the family and what is
/// wrong.
pub fn parse_protobuf(bytes: &[u8]) -> Result<Vec<ModelFamily>, ProtobufError> {
    use prom_core::{
        Bucket as ModelBucket, HistogramValue, Metric as ModelMetric, MetricValue,
        Quantile as ModelQuantile, SummaryValue,
    };
    use prost::Message;

    let mut families = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let offset = bytes.len() - rest.len();
        let fam = MetricFamily::decode_length_delimited(&mut rest)
            .map_err(|source| ProtobufError::Decode { offset, source })?;
        let Some(name) = fam.name.as_deref() else {
            return Err(ProtobufError::NoName { offset });
        };
        let raw_type = fam.r#type.unwrap_or(0);
        let proto_type =
            MetricType::try_from(raw_type).map_err(|_| ProtobufError::UnknownType {
                family: name.to_owned(),
                value: raw_type,
            })?;
        let (model_type, model_name) = match proto_type {
            MetricType::Counter => (
                ModelType::Counter,
                name.strip_suffix("_total").unwrap_or(name),
            ),
            MetricType::Gauge => (ModelType::Gauge, name),
            MetricType::Summary => (ModelType::Summary, name),
            MetricType::Untyped => (ModelType::Unknown, name),
            MetricType::Histogram => (ModelType::Histogram, name),
            MetricType::GaugeHistogram => (ModelType::GaugeHistogram, name),
        };
        let missing = |field| ProtobufError::MissingValue {
            family: name.to_owned(),
            field,
        };
        let model = |source| ProtobufError::Model {
            family: name.to_owned(),
            source,
        };
        let mut metrics = Vec::with_capacity(fam.metric.len());
        for m in &fam.metric {
            let labels = label_set(&m.label).map_err(model)?;
            let mut exemplars = Vec::new();
            let mut created = None;
            let value = match proto_type {
                MetricType::Counter => {
                    let c = m.counter.as_ref().ok_or_else(|| missing("counter"))?;
                    if let Some(e) = &c.exemplar {
                        exemplars.push(exemplar_of(e).map_err(model)?);
                    }
                    created = c.created_timestamp.as_ref().map(seconds_of);
                    MetricValue::Counter(c.value.unwrap_or(0.0))
                }
                MetricType::Gauge => MetricValue::Gauge(
                    m.gauge
                        .as_ref()
                        .ok_or_else(|| missing("gauge"))?
                        .value
                        .unwrap_or(0.0),
                ),
                MetricType::Untyped => MetricValue::Unknown(
                    m.untyped
                        .as_ref()
                        .ok_or_else(|| missing("untyped"))?
                        .value
                        .unwrap_or(0.0),
                ),
                MetricType::Summary => {
                    let s = m.summary.as_ref().ok_or_else(|| missing("summary"))?;
                    created = s.created_timestamp.as_ref().map(seconds_of);
                    MetricValue::Summary(SummaryValue {
                        count: s.sample_count.unwrap_or(0),
                        sum: s.sample_sum.unwrap_or(0.0),
                        quantiles: s
                            .quantile
                            .iter()
                            .map(|q| ModelQuantile {
                                quantile: q.quantile.unwrap_or(0.0),
                                value: q.value.unwrap_or(0.0),
                            })
                            .collect(),
                    })
                }
                MetricType::Histogram | MetricType::GaugeHistogram => {
                    let h = m.histogram.as_ref().ok_or_else(|| missing("histogram"))?;
                    created = h.created_timestamp.as_ref().map(seconds_of);
                    let native = !h.positive_span.is_empty()
                        || !h.negative_span.is_empty()
                        || h.zero_threshold.unwrap_or(0.0) > 0.0
                        || h.zero_count.unwrap_or(0) > 0;
                    if native && proto_type == MetricType::Histogram {
                        let invalid = |reason| ProtobufError::InvalidNativeHistogram {
                            family: name.to_owned(),
                            reason,
                        };
                        let positive =
                            buckets_of(&h.positive_span, &h.positive_delta).map_err(invalid)?;
                        let negative =
                            buckets_of(&h.negative_span, &h.negative_delta).map_err(invalid)?;
                        let value = NativeHistogramValue::new(
                            h.schema.unwrap_or(0),
                            h.zero_threshold.unwrap_or(0.0),
                            h.zero_count.unwrap_or(0),
                            h.sample_count.unwrap_or(0),
                            h.sample_sum.unwrap_or(0.0),
                            positive,
                            negative,
                        )
                        .with_classic(
                            h.bucket
                                .iter()
                                .map(|b| {
                                    (
                                        b.upper_bound.unwrap_or(0.0),
                                        b.cumulative_count.unwrap_or(0),
                                    )
                                })
                                .filter(|&(bound, _)| bound != f64::INFINITY)
                                .collect(),
                        );
                        let mut metric =
                            ModelMetric::new(labels, MetricValue::NativeHistogram(value));
                        metric.created = created;
                        metric.timestamp_ms = m.timestamp_ms;
                        metrics.push(metric);
                        continue;
                    }
                    let count = h.sample_count.unwrap_or(0);
                    let mut buckets = Vec::with_capacity(h.bucket.len() + 1);
                    for b in &h.bucket {
                        let upper_bound = b.upper_bound.unwrap_or(f64::INFINITY);
                        if let Some(e) = &b.exemplar {
                            exemplars.push(exemplar_of(e).map_err(model)?.in_bucket(upper_bound));
                        }
                        buckets.push(ModelBucket {
                            upper_bound,
                            cumulative_count: b.cumulative_count.unwrap_or(0),
                        });
                    }
                    if buckets
                        .last()
                        .is_none_or(|b| b.upper_bound != f64::INFINITY)
                    {
                        buckets.push(ModelBucket {
                            upper_bound: f64::INFINITY,
                            cumulative_count: count,
                        });
                    }
                    let value = HistogramValue {
                        buckets,
                        count,
                        sum: h.sample_sum,
                    };
                    if proto_type == MetricType::Histogram {
                        MetricValue::Histogram(value)
                    } else {
                        MetricValue::GaugeHistogram(value)
                    }
                }
            };
            let mut metric = ModelMetric::new(labels, value);
            metric.exemplars = exemplars;
            metric.created = created;
            metric.timestamp_ms = m.timestamp_ms;
            metrics.push(metric);
        }
        let help = fam.help.as_deref().unwrap_or("");
        families.push(
            ModelFamily::from_parts(model_name, help, None, model_type, metrics).map_err(model)?,
        );
    }
    Ok(families)
}
