//! A table of malformed inputs, each refused with the right line (and,
//! for syntax, column), what was expected and what was found.

use prom_codec::{parse_openmetrics, parse_text, ParseError};

#[derive(Debug, Clone, Copy)]
enum Format {
    Text,
    Om,
}
use Format::{Om, Text};

/// Format, input, line, column (if the error has one), and a fragment of
/// the message.
type Case = (Format, &'static str, usize, Option<usize>, &'static str);

const CASES: &[Case] = &[
    // Text 0.0.4: syntax.
    (Text, "a{x=\"y} 1\n", 1, Some(10), "expected a closing '\"' ending the label value, found end of line"),
    (Text, "a{x=\"\\t\"} 1\n", 1, Some(6), "expected an escape sequence \\\\, \\\" or \\n in the label value, found \"\\\\t\""),
    (Text, "a{x=\"y\\\"} 1\n", 1, Some(12), "closing '\"'"),
    (Text, "a{x\"1\"} 1\n", 1, Some(4), "expected '=' after the label name, found '\"'"),
    (Text, "a{x=1} 1\n", 1, Some(5), "expected '\"' starting the label value, found '1'"),
    (Text, "a{x=\"1\" y=\"2\"} 1\n", 1, Some(9), "expected ',' or '}' after the label value, found 'y'"),
    (Text, "a{x=\"1\",x=\"2\"} 1\n", 1, Some(9), "label names that are unique within the label set, found \"x\" a second time"),
    (Text, "a{__name__=\"b\"} 1\n", 1, Some(3), "reserved"),
    (Text, "a{x=\"y\"}\n", 1, Some(9), "expected a sample value (a float), found end of line"),
    (Text, "a 1.2.3\n", 1, Some(3), "expected a sample value (a float), found \"1.2.3\""),
    (Text, "a 0x10\n", 1, Some(3), "found \"0x10\""),
    (Text, "a 1_000\n", 1, Some(3), "found \"1_000\""),
    (Text, "a 1e400\n", 1, Some(3), "found \"1e400\""),
    (Text, "a +NaN\n", 1, Some(3), "found \"+NaN\""),
    (Text, "a 1\r\n", 1, Some(3), "found \"1\\r\""),
    (Text, "a 1 2 3\n", 1, Some(6), "expected end of line after the timestamp, found \" 3\""),
    (Text, "a 1 1.5\n", 1, Some(5), "expected a timestamp (integer milliseconds), found \"1.5\""),
    (Text, "a 1 \n", 1, Some(5), "a timestamp (integer milliseconds) after the value and blank"),
    (Text, "a 1\nb 2", 2, Some(4), "expected a newline ending the last line, found end of input"),
    (Text, "9a 1\n", 1, Some(1), "expected a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) or a comment, found '9'"),
    (Text, "# HELP 9a help\n", 1, Some(8), "a metric name and a blank after HELP"),
    (Text, "# HELP a x\\ty\n", 1, Some(11), "expected an escape sequence \\\\ or \\n in the help text, found \"\\\\t\""),
    (Text, "# HELP a x\\\n", 1, Some(11), "found '\\' at the end of the line"),
    // Text 0.0.4: structure.
    (Text, "# TYPE a gauge\n# TYPE a gauge\n", 2, None, "expected at most one TYPE line for \"a\", found a second TYPE line"),
    (Text, "# HELP a x\na 1\n# HELP a y\n", 3, None, "expected at most one HELP line for \"a\", found a second HELP line"),
    (Text, "a 1\n# TYPE a gauge\n", 2, None, "expected the TYPE line for \"a\" before its first sample, found a TYPE line after samples"),
    (Text, "# TYPE a gauges\n", 1, Some(10), "expected a metric type: counter, gauge, histogram, summary or untyped, found \"gauges\""),
    (Text, "# TYPE a info\n", 1, Some(10), "found unsupported type \"info\""),
    (Text, "# TYPE h histogram\nh 1\n", 2, Some(1), "expected h_bucket, h_count or h_sum for histogram \"h\", found \"h\""),
    (Text, "# TYPE h histogram\nh_bucket{le=\"x\"} 1\n", 2, Some(10), "an le label holding a number (not NaN), found \"x\""),
    (Text, "# TYPE h histogram\nh_count{le=\"1\"} 1\n", 2, Some(9), "no \"le\" label on h_count"),
    (Text, "# TYPE s summary\ns_sum{quantile=\"0.5\"} 1\n", 2, Some(7), "no \"quantile\" label on s_sum"),
    // OpenMetrics: syntax.
    (Om, "a  1\n# EOF\n", 1, Some(3), "expected a sample value (a number), found ' '"),
    (Om, "a\t1\n# EOF\n", 1, Some(2), "expected a single space then the sample value, found '\\t'"),
    (Om, "a 1 \n# EOF\n", 1, Some(5), "a timestamp or an exemplar after the space"),
    (Om, "a{x=\"1\",} 1\n# EOF\n", 1, Some(9), "expected a label name ([a-zA-Z_][a-zA-Z0-9_]*), found '}'"),
    (Om, "a{ x=\"1\"} 1\n# EOF\n", 1, Some(3), "expected a label name"),
    (Om, "a{x=\"1\",x=\"2\"} 1\n# EOF\n", 1, Some(9), "found \"x\" a second time"),
    (Om, "a{__x=\"1\"} 1\n# EOF\n", 1, Some(3), "a label name not starting with \"__\" (reserved)"),
    (Om, "a{x=\"1} 1\n# EOF\n", 1, Some(10), "closing '\"'"),
    (Om, "a abc\n# EOF\n", 1, Some(3), "expected a sample value (a number), found \"abc\""),
    (Om, "a 1 abc\n# EOF\n", 1, Some(5), "expected a timestamp (seconds, a real number), found \"abc\""),
    (Om, "a 1 NaN\n# EOF\n", 1, Some(5), "found \"NaN\""),
    (Om, "a 1 2 3\n# EOF\n", 1, Some(7), "expected end of line or an exemplar ('# {...} value'), found '3'"),
    (Om, "# hello\n# EOF\n", 1, Some(3), "'# HELP', '# TYPE', '# UNIT' or '# EOF' (OpenMetrics has no comments)"),
    (Om, "#TYPE a gauge\n# EOF\n", 1, Some(2), "(OpenMetrics has no comments)"),
    (Om, "# HELP a\n# EOF\n", 1, Some(9), "expected a space then the help text after the metric name, found end of line"),
    (Om, "# TYPE a  gauge\n# EOF\n", 1, Some(10), "found \" gauge\""),
    (Om, "# EOF\n\n", 2, Some(1), "nothing after '# EOF'"),
    (Om, "a 1\n# EOF\nb 1\n", 3, Some(1), "expected nothing after '# EOF', found \"b 1\""),
    (Om, "a 1\n", 2, None, "expected '# EOF' ending the exposition, found end of input"),
    (Om, "", 1, None, "'# EOF'"),
    (Om, "a 1\n\n# EOF\n", 2, None, "found a blank line"),
    (Om, "a 1\r\n# EOF\n", 1, Some(3), "found \"1\\r\""),
    (Om, "__a 1\n# EOF\n", 1, Some(1), "a metric name not starting with \"__\" (reserved)"),
    // OpenMetrics: metadata.
    (Om, "# TYPE a gauge\n# TYPE a gauge\n# EOF\n", 2, None, "at most one TYPE line for \"a\""),
    (Om, "# UNIT a_s s\n# UNIT a_s s\n# EOF\n", 2, None, "at most one UNIT line"),
    (Om, "# TYPE a untyped\n# EOF\n", 1, Some(10), "(\"untyped\" is text 0.0.4's name for \"unknown\")"),
    (Om, "# TYPE a Gauge\n# EOF\n", 1, Some(10), "found \"Gauge\""),
    (Om, "# TYPE a info\na 1\n# EOF\n", 2, Some(1), "a_info for info \"a\""),
    (Om, "# TYPE a info\na_info 2\n# EOF\n", 2, None, "the value 1 on a_info"),
    (Om, "# TYPE a stateset\na{a=\"x\"} 2\n# EOF\n", 2, Some(10), "a state's value: 1 (enabled) or 0"),
    (Om, "# TYPE a stateset\na{a=\"x\"} 1\na{a=\"x\"} 0\n# EOF\n", 3, Some(3), "each state of the state set once"),
    (Om, "# TYPE a gaugehistogram\na_gcount 1\n# EOF\n", 2, None, "a_bucket{le=\"+Inf\"}"),
    (Om, "# TYPE a_seconds gauge\n# UNIT a_seconds bytes\n# EOF\n", 2, Some(18), "(\"a_seconds\" does not end in \"_bytes\")"),
    (Om, "# TYPE a_seconds gauge\n# UNIT a_seconds seconds!\n# EOF\n", 2, Some(25), "a unit of [a-zA-Z0-9_:] characters, found '!'"),
    (Om, "a 1\n# HELP a x\n# EOF\n", 2, None, "expected the metadata of \"a\" before its first sample, found a HELP line after samples"),
    // OpenMetrics: families and label sets.
    (Om, "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n# EOF\n", 5, Some(1), "(OpenMetrics forbids interleaving), found family \"a\" again (first seen on line 1)"),
    (Om, "# TYPE a gauge\na 1\n# TYPE b gauge\n# HELP a x\n# EOF\n", 4, Some(1), "family \"a\" again"),
    (Om, "# TYPE c counter\nc_total 1\n# TYPE c_created gauge\n# EOF\n", 3, Some(1), "found \"c_created\", a sample name of family \"c\" (line 1)"),
    (Om, "# TYPE x_total gauge\nx_total 1\n# TYPE x counter\nx_total 2\n# EOF\n", 3, None, "\"x_total\" of family \"x\", also a sample name of family \"x_total\" (line 1)"),
    (Om, "a{x=\"1\"} 1\na{x=\"2\"} 1\na{x=\"1\"} 2\n# EOF\n", 3, None, "found the label set of line 1 again"),
    (Om, "a 1\na 2\n# EOF\n", 2, None, "a second sample for the same label set"),
    (Om, "a 1 10\na 2\n# EOF\n", 2, None, "expected timestamps on all samples of a label set, or on none"),
    (Om, "a 1 10\na 2 5\n# EOF\n", 2, None, "timestamps that do not go backwards within a label set, found 5000 ms after 10000 ms"),
    // OpenMetrics: counters.
    (Om, "# TYPE c counter\nc 1\n# EOF\n", 2, Some(1), "c_total or c_created for counter \"c\" (the _total suffix is required)"),
    (Om, "# TYPE c counter\nc_total -1\n# EOF\n", 2, Some(9), "a counter total: a number, not negative, not NaN, found \"-1\""),
    (Om, "# TYPE c counter\nc_total NaN\n# EOF\n", 2, Some(9), "found \"NaN\""),
    (Om, "# TYPE c counter\nc_created 1\n# EOF\n", 2, None, "expected a c_total sample in each counter series, found only c_created"),
    (Om, "# TYPE c counter\nc_total 1\nc_created 2\nc_created 3\n# EOF\n", 4, None, "one sample per _created of the series"),
    // OpenMetrics: histograms.
    (Om, "# TYPE h histogram\nh_bucket{le=\"Inf\"} 1\n# EOF\n", 2, Some(10), "expected le=\"+Inf\" written canonically, found \"le=\\\"Inf\\\"\""),
    (Om, "# TYPE h histogram\nh_bucket{le=\"+inf\"} 1\n# EOF\n", 2, Some(10), "le=\"+Inf\" written canonically"),
    (Om, "# TYPE h histogram\nh_bucket{le=\"NaN\"} 1\n# EOF\n", 2, Some(10), "an le label holding a number (not NaN)"),
    (Om, "# TYPE h histogram\nh_bucket 1\n# EOF\n", 2, None, "expected a \"le\" label on h_bucket, found none"),
    (Om, "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n# EOF\n", 3, Some(21), "expected cumulative bucket counts (at least the previous bucket's 2), found 1"),
    (Om, "# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\n# EOF\n", 3, Some(10), "expected buckets in increasing order of le, found le=\"1\" after le=\"2\""),
    (Om, "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"1.0\"} 1\n# EOF\n", 3, None, "one sample per bucket (le) of the series"),
    (Om, "# TYPE h histogram\nh_bucket{le=\"1\"} 1\n# EOF\n", 2, None, "expected a h_bucket{le=\"+Inf\"} sample ending each histogram series, found the last bucket is le=\"1\""),
    (Om, "# TYPE h histogram\nh_count 1\nh_sum 1\n# EOF\n", 2, None, "found no buckets"),
    (Om, "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n# EOF\n", 3, None, "expected h_sum alongside h_count (one without the other is not allowed), found h_count without h_sum"),
    (Om, "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\n# EOF\n", 3, None, "found h_sum without h_count"),
    (Om, "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 1\nh_sum 1\n# EOF\n", 3, None, "expected h_count equal to the +Inf bucket (2), found 1"),
    (Om, "# TYPE h histogram\nh_bucket{le=\"-1.0\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 1\n# EOF\n", 5, None, "no _sum on a histogram with negative buckets"),
    (Om, "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1.5\n# EOF\n", 2, Some(21), "a bucket count (a non-negative integer), found \"1.5\""),
    (Om, "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum -1\n# EOF\n", 4, Some(7), "a sum: a number, not negative, not NaN"),
    (Om, "# TYPE h histogram\nh_count{le=\"1\"} 1\n# EOF\n", 2, Some(9), "no \"le\" label on h_count"),
    (Om, "# TYPE h histogram\nh 1\n# EOF\n", 2, Some(1), "h_bucket, h_count, h_sum or h_created for histogram \"h\""),
    // OpenMetrics: summaries.
    (Om, "# TYPE s summary\ns{quantile=\"1.5\"} 1\n# EOF\n", 2, Some(3), "a quantile label holding a number from 0 to 1, found \"1.5\""),
    (Om, "# TYPE s summary\ns{quantile=\"0.5\"} -1\n# EOF\n", 2, Some(19), "a quantile value that is not negative (or NaN)"),
    (Om, "# TYPE s summary\ns{quantile=\"0.5\"} 1\ns{quantile=\"0.5\"} 1\n# EOF\n", 3, None, "one sample per quantile of the series"),
    (Om, "# TYPE s summary\ns_count 1.5\n# EOF\n", 2, Some(9), "a count (a non-negative integer)"),
    // OpenMetrics: exemplars.
    (Om, "a 1 # {x=\"y\"} 1\n# EOF\n", 1, Some(5), "expected an exemplar only on a counter's _total or a histogram's _bucket samples, found an exemplar on a"),
    (Om, "# TYPE c counter\nc_total 1 # {x=\"y\"}\n# EOF\n", 2, Some(20), "a single space then the exemplar's value"),
    (Om, "# TYPE c counter\nc_total 1 # x\n# EOF\n", 2, Some(13), "'{' starting the exemplar's label set"),
    (Om, "# TYPE c counter\nc_total 1 #{} 1\n# EOF\n", 2, Some(12), "a single space then the exemplar's label set"),
    (Om, "# TYPE c counter\nc_total 1 # {} x\n# EOF\n", 2, Some(16), "the exemplar's value (a number), found \"x\""),
    (Om, "# TYPE c counter\nc_total 1 # {} 1 x\n# EOF\n", 2, Some(18), "the exemplar's timestamp (seconds, a real number), found \"x\""),
    (Om, "# TYPE c counter\nc_total 1 # {} 1 2 3\n# EOF\n", 2, Some(19), "end of line after the exemplar's timestamp, found ' '"),
    (Om, "# TYPE c counter\nc_total 1 # {a=\"01234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567\"} 1\n# EOF\n", 2, Some(11), "exemplar labels of at most 128 characters (names and values together), found 129 characters"),
];

fn parse(format: Format, input: &str) -> Result<(), ParseError> {
    match format {
        Text => parse_text(input).map(drop),
        Om => parse_openmetrics(input).map(drop),
    }
}

#[test]
fn every_malformed_input_is_refused_as_listed() {
    let mut failures = Vec::new();
    for &(format, input, line, column, message) in CASES {
        match parse(format, input) {
            Ok(()) => failures.push(format!("{format:?} {input:?}: accepted")),
            Err(e) => {
                let shown = e.to_string();
                if e.line() != line || e.column() != column || !shown.contains(message) {
                    failures.push(format!(
                        "{format:?} {input:?}:\n  want line {line}, column {column:?}, containing {message:?}\n  got  line {}, column {:?}: {shown}",
                        e.line(),
                        e.column()
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn errors_quote_the_offending_line_cut_to_80_characters() {
    let long = format!("a{{x=\"{}\"}} oops\n", "y".repeat(200));
    let e = parse_text(&long).unwrap_err();
    assert_eq!(e.line_text().chars().count(), 81);
    assert!(e.line_text().ends_with('…'));
    assert_eq!(e.found(), "\"oops\"");
    assert_eq!(e.column(), Some(209));
}

#[test]
fn columns_count_characters_not_bytes() {
    let e = parse_text("a{x=\"ü😀\"} oops\n").unwrap_err();
    assert_eq!(e.column(), Some(11));
}
