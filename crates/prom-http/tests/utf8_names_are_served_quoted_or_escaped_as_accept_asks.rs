//! A metric with a UTF-8 name is served quoted to a scraper that asks for
//! `escaping=allow-utf-8`, escaped with the scheme asked for otherwise, and
//! the `Content-Type` names the scheme whenever the `Accept` asked for one.

mod common;

use std::sync::Arc;

use prom_core::{GaugeVec, Opts};
use prom_http::start_http_server;

#[test]
fn the_content_type_names_the_escaping_used() {
    let g = GaugeVec::new(Opts::new("room.temperature", "Celsius.").labels(["room.name"])).unwrap();
    g.with_label_values(&["attic"]).unwrap().set(21.5);
    let server = start_http_server("127.0.0.1:0", Arc::new(g)).unwrap();
    let url = format!("http://{}/metrics", server.local_addr());
    let cases = [
        (
            None,
            "text/plain; version=0.0.4; charset=utf-8",
            "# HELP room_temperature Celsius.\n# TYPE room_temperature gauge\n\
             room_temperature{room_name=\"attic\"} 21.5\n",
        ),
        (
            Some("text/plain;version=1.0.0;escaping=allow-utf-8"),
            "text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8",
            "# HELP \"room.temperature\" Celsius.\n# TYPE \"room.temperature\" gauge\n\
             {\"room.temperature\",\"room.name\"=\"attic\"} 21.5\n",
        ),
        (
            Some("text/plain;version=1.0.0"),
            "text/plain; version=1.0.0; charset=utf-8; escaping=underscores",
            "# HELP room_temperature Celsius.\n# TYPE room_temperature gauge\n\
             room_temperature{room_name=\"attic\"} 21.5\n",
        ),
        (
            Some("text/plain;version=0.0.4;escaping=values"),
            "text/plain; version=0.0.4; charset=utf-8; escaping=values",
            "# HELP U__room_2e_temperature Celsius.\n# TYPE U__room_2e_temperature gauge\n\
             U__room_2e_temperature{U__room_2e_name=\"attic\"} 21.5\n",
        ),
        (
            Some("application/openmetrics-text;version=1.0.0;escaping=dots"),
            "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=dots",
            "# HELP room_dot_temperature Celsius.\n# TYPE room_dot_temperature gauge\n\
             room_dot_temperature{room_dot_name=\"attic\"} 21.5\n# EOF\n",
        ),
    ];
    for (accept, content_type, body) in cases {
        let headers: Vec<(&str, &str)> = accept.map(|a| ("Accept", a)).into_iter().collect();
        let r = common::get(&url, &headers);
        assert_eq!(r.status, 200);
        assert_eq!(r.content_type, content_type, "{accept:?}");
        assert_eq!(r.text(), body, "{accept:?}");
    }
}
