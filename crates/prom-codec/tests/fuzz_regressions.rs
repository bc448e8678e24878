//! Inputs the fuzz targets of `fuzz/` found breaking an oracle, one test
//! each, with the input inline (see docs/fuzzing.md).

use prom_codec::{parse_text, Encoder};

/// `parse_text`: an untyped `x_sum` before `# TYPE x summary` gave a
/// summary whose implicit `_sum` the text encoder wrote back as a second
/// sample of the untyped family, which the parser then refused. The TYPE
/// line is now refused, naming the family that already owns the name.
#[test]
fn summary_typed_after_its_sum_became_a_family_is_refused() {
    let input = "rpc_duration_seconds_sum{}0\n#TYPE rpc_duration_seconds summary\nrpc_duration_seconds{quantile=\"9\"}1\n";
    let err = parse_text(input).unwrap_err();
    assert_eq!(err.line(), 2);
    assert_eq!(
        err.to_string(),
        "line 2: expected the TYPE line for \"rpc_duration_seconds\" before any sample named \
         \"rpc_duration_seconds_sum\", found a summary TYPE line after \
         \"rpc_duration_seconds_sum\" became a family of its own: \
         \"#TYPE rpc_duration_seconds summary\""
    );
    // The same for a histogram's buckets; in the right order, both parse
    // and round trip.
    assert!(parse_text("h_bucket{le=\"1\"} 1\n# TYPE h histogram\n").is_err());
    let ordered = "# TYPE x summary\nx{quantile=\"0.5\"} 1\nx_sum 0\nx_count 0\n";
    let families = parse_text(ordered).unwrap();
    let text = Encoder::text().encode_to_string(&families);
    assert_eq!(parse_text(&text).unwrap(), families);
}
