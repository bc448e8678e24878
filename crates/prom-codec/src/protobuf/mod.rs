//! The protobuf exposition format,
//! `application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited`:
//! a stream of `io.prometheus.client.MetricFamily` messages, each prefixed
//! by its length as a varint.
//!
//! The messages of client_model's `io/prometheus/client/metrics.proto` are
//! written here as [`prost`] structs, field numbers beside each field, for
//! reading and for tests. The encoder does not build them: it writes the
//! same fields with prost's low-level functions into buffers reused from
//! series to series, from the same visit as the text encoders.
//!
//! What is written, as client_golang writes it (every field it sets is
//! written, zero or not, as proto2 does):
//! - a counter family is named with its `_total` suffix (the sample name
//!   Prometheus stores), its created timestamp and exemplar in `Counter`;
//! - a classic histogram's buckets without the `+Inf` bucket, which
//!   `sample_count` implies (it is written when it carries an exemplar);
//! - a gauge histogram as a histogram of type `GAUGE_HISTOGRAM`;
//! - a native histogram as client_golang writes one: count, sum, its
//!   classic buckets if it keeps any (cumulative, without `+Inf`), schema,
//!   zero threshold, zero count, and the negative and positive spans and
//!   deltas. Prometheus 2.42 takes a
//!   histogram for native only when it has a zero threshold above 0, a
//!   span or a zero count; [`NativeHistogramOpts`](prom_core::NativeHistogramOpts)'
//!   default zero threshold (2^-128) qualifies, and an empty histogram
//!   with a zero threshold of 0 gets client_golang's no-op span (offset 0,
//!   length 0). The text formats write its classic buckets, `+Inf`
//!   bucket, `_count` and `_sum`, as client_golang does;
//! - an info as a `GAUGE` family named `<name>_info` whose series carry the
//!   info's labels and the value 1, and a state set as a `GAUGE` family
//!   with one series per state, labelled `<name>="<state>"`, 1 when
//!   enabled, else 0: what Prometheus stores when it reads them from
//!   OpenMetrics (protobuf has neither type);
//! - unknown as `UNTYPED`. The unit has no field Prometheus 2.42 reads and
//!   is left out.
//!
//! ```
//! use prom_codec::Encoder;
//! use prom_codec::protobuf::{MetricFamily, MetricType};
//! use prost::Message;
//!
//! let c = prom_core::Counter::new("jobs", "Jobs run.").unwrap();
//! c.inc_by(2.0).unwrap();
//! let mut body = Vec::new();
//! Encoder::protobuf().encode(&c, &[], &mut body).unwrap();
//! let family = MetricFamily::decode_length_delimited(&body[..]).unwrap();
//! assert_eq!(family.name.as_deref(), Some("jobs_total"));
//! assert_eq!(family.r#type, Some(MetricType::Counter as i32));
//! assert_eq!(family.metric[0].counter.as_ref().unwrap().value, Some(2.0));
//! ```

use std::collections::HashMap;

use prom_core::{
    visit_families, Exemplar, FamilyRef, LabelsRef, MetricFamily as ModelFamily,
    MetricType as ModelType, NativeHistogramValue, SeriesRef, ValueRef, VisitError, Visitor,
};
use prost::encoding::{encode_key, encode_varint, WireType};

use crate::encode::NameClash;
use crate::sink::Sink;

mod messages;
mod parse;
mod wire;
mod write;

pub use messages::*;
pub use parse::{parse_protobuf, ProtobufError};
use wire::*;
pub(crate) use write::encode;
pub(crate) use write::ProtoWriter;

/// The `Content-Type` of the protobuf exposition.
pub const CONTENT_TYPE: &str =
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

/// The best `Accept` entry selecting the delimited `MetricFamily` stream
/// (`proto=io.prometheus.client.MetricFamily` and `encoding=delimited`).
pub(crate) fn best(header: Option<&str>) -> Option<crate::accept::Entry<'_>> {
    crate::accept::entries(header?)
        .filter(|(name, e)| {
            name.eq_ignore_ascii_case("application/vnd.google.protobuf")
                && e.param("proto") == Some("io.prometheus.client.MetricFamily")
                && e.param("encoding") == Some("delimited")
                && e.q > 0.0
        })
        .map(|(_, e)| e)
        .reduce(|a, b| if b.q > a.q { b } else { a })
}
