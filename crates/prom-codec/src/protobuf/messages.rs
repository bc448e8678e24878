//! The messages of client_model's `io/prometheus/client/metrics.proto`, as
//! prost structs with their field numbers.

/// `io.prometheus.client.LabelPair`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct LabelPair {
    /// `name = 1`.
    #[prost(string, optional, tag = "1")]
    pub name: Option<String>,
    /// `value = 2`.
    #[prost(string, optional, tag = "2")]
    pub value: Option<String>,
}

/// `io.prometheus.client.MetricType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum MetricType {
    /// `COUNTER = 0`.
    Counter = 0,
    /// `GAUGE = 1`.
    Gauge = 1,
    /// `SUMMARY = 2`.
    Summary = 2,
    /// `UNTYPED = 3`.
    Untyped = 3,
    /// `HISTOGRAM = 4`.
    Histogram = 4,
    /// `GAUGE_HISTOGRAM = 5`.
    GaugeHistogram = 5,
}

/// `google.protobuf.Timestamp`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Timestamp {
    /// `seconds = 1` since the Unix epoch.
    #[prost(int64, tag = "1")]
    pub seconds: i64,
    /// `nanos = 2`, in `0..1_000_000_000`.
    #[prost(int32, tag = "2")]
    pub nanos: i32,
}

/// `io.prometheus.client.Gauge`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Gauge {
    /// `value = 1`.
    #[prost(double, optional, tag = "1")]
    pub value: Option<f64>,
}

/// `io.prometheus.client.Counter`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Counter {
    /// `value = 1`.
    #[prost(double, optional, tag = "1")]
    pub value: Option<f64>,
    /// `exemplar = 2`.
    #[prost(message, optional, tag = "2")]
    pub exemplar: Option<ProtoExemplar>,
    /// `created_timestamp = 3`.
    #[prost(message, optional, tag = "3")]
    pub created_timestamp: Option<Timestamp>,
}

/// `io.prometheus.client.Quantile`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Quantile {
    /// `quantile = 1`.
    #[prost(double, optional, tag = "1")]
    pub quantile: Option<f64>,
    /// `value = 2`.
    #[prost(double, optional, tag = "2")]
    pub value: Option<f64>,
}

/// `io.prometheus.client.Summary`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Summary {
    /// `sample_count = 1`.
    #[prost(uint64, optional, tag = "1")]
    pub sample_count: Option<u64>,
    /// `sample_sum = 2`.
    #[prost(double, optional, tag = "2")]
    pub sample_sum: Option<f64>,
    /// `quantile = 3`.
    #[prost(message, repeated, tag = "3")]
    pub quantile: Vec<Quantile>,
    /// `created_timestamp = 4`.
    #[prost(message, optional, tag = "4")]
    pub created_timestamp: Option<Timestamp>,
}

/// `io.prometheus.client.Untyped`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Untyped {
    /// `value = 1`.
    #[prost(double, optional, tag = "1")]
    pub value: Option<f64>,
}

/// `io.prometheus.client.Histogram`, classic and native fields.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Histogram {
    /// `sample_count = 1`.
    #[prost(uint64, optional, tag = "1")]
    pub sample_count: Option<u64>,
    /// `sample_count_float = 4` (overrides `sample_count` if > 0).
    #[prost(double, optional, tag = "4")]
    pub sample_count_float: Option<f64>,
    /// `sample_sum = 2`.
    #[prost(double, optional, tag = "2")]
    pub sample_sum: Option<f64>,
    /// `bucket = 3`: the classic buckets, by increasing upper bound.
    #[prost(message, repeated, tag = "3")]
    pub bucket: Vec<Bucket>,
    /// `created_timestamp = 15`.
    #[prost(message, optional, tag = "15")]
    pub created_timestamp: Option<Timestamp>,
    /// `schema = 5` (native).
    #[prost(sint32, optional, tag = "5")]
    pub schema: Option<i32>,
    /// `zero_threshold = 6` (native).
    #[prost(double, optional, tag = "6")]
    pub zero_threshold: Option<f64>,
    /// `zero_count = 7` (native).
    #[prost(uint64, optional, tag = "7")]
    pub zero_count: Option<u64>,
    /// `zero_count_float = 8` (native).
    #[prost(double, optional, tag = "8")]
    pub zero_count_float: Option<f64>,
    /// `negative_span = 9` (native).
    #[prost(message, repeated, tag = "9")]
    pub negative_span: Vec<BucketSpan>,
    /// `negative_delta = 10` (native; proto2, so not packed).
    #[prost(sint64, repeated, packed = "false", tag = "10")]
    pub negative_delta: Vec<i64>,
    /// `negative_count = 11` (native float histograms).
    #[prost(double, repeated, packed = "false", tag = "11")]
    pub negative_count: Vec<f64>,
    /// `positive_span = 12` (native).
    #[prost(message, repeated, tag = "12")]
    pub positive_span: Vec<BucketSpan>,
    /// `positive_delta = 13` (native; proto2, so not packed).
    #[prost(sint64, repeated, packed = "false", tag = "13")]
    pub positive_delta: Vec<i64>,
    /// `positive_count = 14` (native float histograms).
    #[prost(double, repeated, packed = "false", tag = "14")]
    pub positive_count: Vec<f64>,
    /// `exemplars = 16` (native).
    #[prost(message, repeated, tag = "16")]
    pub exemplars: Vec<ProtoExemplar>,
}

/// `io.prometheus.client.Bucket`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Bucket {
    /// `cumulative_count = 1`.
    #[prost(uint64, optional, tag = "1")]
    pub cumulative_count: Option<u64>,
    /// `cumulative_count_float = 4`.
    #[prost(double, optional, tag = "4")]
    pub cumulative_count_float: Option<f64>,
    /// `upper_bound = 2` (inclusive).
    #[prost(double, optional, tag = "2")]
    pub upper_bound: Option<f64>,
    /// `exemplar = 3`.
    #[prost(message, optional, tag = "3")]
    pub exemplar: Option<ProtoExemplar>,
}

/// `io.prometheus.client.BucketSpan`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BucketSpan {
    /// `offset = 1`: the gap to the previous span, or the first index.
    #[prost(sint32, optional, tag = "1")]
    pub offset: Option<i32>,
    /// `length = 2`.
    #[prost(uint32, optional, tag = "2")]
    pub length: Option<u32>,
}

/// `io.prometheus.client.Exemplar`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ProtoExemplar {
    /// `label = 1`.
    #[prost(message, repeated, tag = "1")]
    pub label: Vec<LabelPair>,
    /// `value = 2`.
    #[prost(double, optional, tag = "2")]
    pub value: Option<f64>,
    /// `timestamp = 3`.
    #[prost(message, optional, tag = "3")]
    pub timestamp: Option<Timestamp>,
}

/// `io.prometheus.client.Metric`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Metric {
    /// `label = 1`.
    #[prost(message, repeated, tag = "1")]
    pub label: Vec<LabelPair>,
    /// `gauge = 2`.
    #[prost(message, optional, tag = "2")]
    pub gauge: Option<Gauge>,
    /// `counter = 3`.
    #[prost(message, optional, tag = "3")]
    pub counter: Option<Counter>,
    /// `summary = 4`.
    #[prost(message, optional, tag = "4")]
    pub summary: Option<Summary>,
    /// `untyped = 5`.
    #[prost(message, optional, tag = "5")]
    pub untyped: Option<Untyped>,
    /// `histogram = 7`.
    #[prost(message, optional, tag = "7")]
    pub histogram: Option<Histogram>,
    /// `timestamp_ms = 6`.
    #[prost(int64, optional, tag = "6")]
    pub timestamp_ms: Option<i64>,
}

/// `io.prometheus.client.MetricFamily`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MetricFamily {
    /// `name = 1`.
    #[prost(string, optional, tag = "1")]
    pub name: Option<String>,
    /// `help = 2`.
    #[prost(string, optional, tag = "2")]
    pub help: Option<String>,
    /// `type = 3`.
    #[prost(enumeration = "MetricType", optional, tag = "3")]
    pub r#type: Option<i32>,
    /// `metric = 4`.
    #[prost(message, repeated, tag = "4")]
    pub metric: Vec<Metric>,
}
