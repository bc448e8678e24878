//! The dependency graph is the architecture: exporters build on `prom-core` and `prom-codec`
//! only, the codec and the registry on `prom-core` only, and `prom-core` on no prom crate and no
//! I/O or async runtime.

mod common;

use std::collections::BTreeMap;

/// Exporter crates. Each must be a workspace member: a renamed or removed exporter fails the
/// checks instead of slipping out of them.
const EXPORTERS: &[&str] = &[
    "prom-http",
    "prom-process",
    "prom-textfile",
    "prom-pushgateway",
    "prom-graphite",
];

/// Integrations with the Rust stack, each serving one crate (tokio, tower, the `metrics`
/// facade): they build on `prom-core` and the crate they serve only.
const INTEGRATIONS: &[&str] = &["prom-tokio", "prom-tower", "prom-metrics"];

/// The other workspace members, each with its place: the layered crates (core, codec, registry),
/// the facade that gathers them, and the tools, examples and benchmarks that may use anything.
/// A new member must be listed here or in [`EXPORTERS`], so that no crate escapes the rules.
const NOT_EXPORTERS: &[&str] = &[
    "prom-core",
    "prom-codec",
    "prom-registry",
    "prom",
    "prom-macros",
    "prom-tokio",
    "prom-tower",
    "prom-metrics",
    "prom-testkit",
    "prom-example-batch-job",
    "prom-benches",
    "xtask",
];

/// Crates that would bring I/O, a runtime or async into `prom-core`; names ending in `-` are
/// prefixes.
const HEAVY: &[&str] = &[
    "tokio", "tokio-", "axum", "axum-", "hyper", "hyper-", "reqwest", "procfs", "procfs-",
    "futures", "futures-", "async-",
];

/// A normal or build dependency of a workspace crate (dev-dependencies are free).
struct Edge {
    to: String,
    kind: &'static str,
}

/// The non-dev dependencies of each workspace package, by package name.
fn graph() -> BTreeMap<String, Vec<Edge>> {
    graph_of(&common::cargo_metadata())
}

fn graph_of(metadata: &serde_json::Value) -> BTreeMap<String, Vec<Edge>> {
    let mut graph = BTreeMap::new();
    for package in metadata["packages"]
        .as_array()
        .expect("packages is an array")
    {
        let name = package["name"]
            .as_str()
            .expect("a package has a name")
            .to_string();
        let edges = package["dependencies"]
            .as_array()
            .expect("dependencies is an array")
            .iter()
            .filter_map(|dep| {
                let kind = match dep["kind"].as_str() {
                    None => "normal",
                    Some("build") => "build",
                    Some(_) => return None,
                };
                let to = dep["name"]
                    .as_str()
                    .expect("a dependency has a name")
                    .to_string();
                Some(Edge { to, kind })
            })
            .collect();
        graph.insert(name, edges);
    }
    graph
}

fn is_prom_crate(graph: &BTreeMap<String, Vec<Edge>>, name: &str) -> bool {
    name.starts_with("prom") && graph.contains_key(name)
}

/// Every forbidden edge from `from` to a workspace prom crate outside `allowed`.
fn forbidden_prom_edges(
    graph: &BTreeMap<String, Vec<Edge>>,
    from: &str,
    allowed: &[&str],
    rule: &str,
) -> Vec<String> {
    let Some(edges) = graph.get(from) else {
        return vec![format!(
            "{from} is not a workspace member, so its edges are unchecked"
        )];
    };
    edges
        .iter()
        .filter(|e| is_prom_crate(graph, &e.to) && !allowed.contains(&e.to.as_str()))
        .map(|e| format!("{from} -> {} ({} dependency): {rule}", e.to, e.kind))
        .collect()
}

fn assert_none(violations: Vec<String>) {
    assert!(
        violations.is_empty(),
        "forbidden dependency edges:\n  {}",
        violations.join("\n  ")
    );
}

#[test]
fn the_layered_crates_exist() {
    let graph = graph();
    for name in ["prom-core", "prom-codec", "prom-registry"] {
        assert!(graph.contains_key(name), "{name} is not a workspace member");
    }
}

/// Every listed exporter is a workspace member, and every member is listed somewhere.
fn unplaced_crates(graph: &BTreeMap<String, Vec<Edge>>) -> Vec<String> {
    let mut problems: Vec<String> = EXPORTERS
        .iter()
        .filter(|e| !graph.contains_key(**e))
        .map(|e| {
            format!(
                "exporter {e} is not a workspace member: if it was renamed, rename it in EXPORTERS"
            )
        })
        .collect();
    problems.extend(
        graph
            .keys()
            .filter(|name| !EXPORTERS.contains(&name.as_str()))
            .filter(|name| !NOT_EXPORTERS.contains(&name.as_str()))
            .map(|name| {
                format!("{name} has no place in the layering: add it to EXPORTERS or NOT_EXPORTERS")
            }),
    );
    problems
}

#[test]
fn every_exporter_exists_and_every_crate_has_a_place() {
    let problems = unplaced_crates(&graph());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn exporters_depend_only_on_core_and_codec() {
    let graph = graph();
    let violations = EXPORTERS
        .iter()
        .flat_map(|exporter| {
            forbidden_prom_edges(
                &graph,
                exporter,
                &["prom-core", "prom-codec"],
                "an exporter may depend on prom-core and prom-codec only",
            )
        })
        .collect();
    assert_none(violations);
}

#[test]
fn codec_and_registry_depend_only_on_core() {
    let graph = graph();
    let mut violations = Vec::new();
    for name in ["prom-codec", "prom-registry"] {
        violations.extend(forbidden_prom_edges(
            &graph,
            name,
            &["prom-core"],
            "it may depend on prom-core only",
        ));
    }
    assert_none(violations);
}

#[test]
fn integrations_depend_on_prom_core_only() {
    let graph = graph();
    let violations = INTEGRATIONS
        .iter()
        .flat_map(|integration| {
            forbidden_prom_edges(
                &graph,
                integration,
                &["prom-core"],
                "an integration may depend on prom-core (and the crate it serves) only",
            )
        })
        .collect();
    assert_none(violations);
}

/// The `metrics` bridge is a recorder and a collector: it needs prom-core and the `metrics` crate,
/// nothing else (no registry, no codec, no exporter of the `metrics` ecosystem).
#[test]
fn the_metrics_bridge_depends_on_prom_core_and_metrics_only() {
    let graph = graph();
    let edges = graph
        .get("prom-metrics")
        .expect("prom-metrics is a workspace member");
    let extra: Vec<String> = edges
        .iter()
        .filter(|e| !["prom-core", "metrics"].contains(&e.to.as_str()))
        .map(|e| format!("prom-metrics -> {} ({} dependency)", e.to, e.kind))
        .collect();
    assert!(
        extra.is_empty(),
        "the metrics bridge may depend on prom-core and metrics only:\n  {}",
        extra.join("\n  ")
    );
}

/// The attributes expand to calls of `prom::instrument`: the macro crate itself knows no runtime.
#[test]
fn macros_depend_on_prom_core_only() {
    assert_none(forbidden_prom_edges(
        &graph(),
        "prom-macros",
        &["prom-core"],
        "prom-macros writes code that calls the facade; it runs prom-core's name checks and \
         links no other prom crate",
    ));
}

#[test]
fn core_depends_on_no_prom_crate_and_no_io_or_async_crate() {
    assert_none(core_violations(&graph()));
}

fn core_violations(graph: &BTreeMap<String, Vec<Edge>>) -> Vec<String> {
    let mut violations = forbidden_prom_edges(
        graph,
        "prom-core",
        &[],
        "prom-core is the bottom of the graph",
    );
    for edge in &graph["prom-core"] {
        let heavy = HEAVY.iter().any(|h| match h.strip_suffix('-') {
            Some(_) => edge.to.starts_with(h),
            None => edge.to == *h,
        });
        if heavy {
            violations.push(format!(
                "prom-core -> {} ({} dependency): prom-core carries no I/O, runtime or async",
                edge.to, edge.kind
            ));
        }
    }
    violations
}

/// The checks above must not pass vacuously: a made-up graph with bad edges is caught.
#[test]
fn forbidden_edges_are_named() {
    let metadata = serde_json::json!({"packages": [
        {"name": "prom-core", "dependencies": [
            {"name": "tokio-util", "kind": null},
            {"name": "prom-testkit", "kind": "dev"},
        ]},
        {"name": "prom-http", "dependencies": [
            {"name": "prom-registry", "kind": null},
            {"name": "prom-codec", "kind": null},
            {"name": "prom-testkit", "kind": "dev"},
        ]},
        {"name": "prom-registry", "dependencies": []},
        {"name": "prom-codec", "dependencies": []},
        {"name": "prom-testkit", "dependencies": []},
    ]});
    let graph = graph_of(&metadata);
    let http = forbidden_prom_edges(&graph, "prom-http", &["prom-core", "prom-codec"], "rule");
    assert_eq!(
        http,
        ["prom-http -> prom-registry (normal dependency): rule"]
    );
    let core = core_violations(&graph);
    assert_eq!(core.len(), 1, "{core:?}");
    assert!(
        core[0].starts_with("prom-core -> tokio-util (normal dependency)"),
        "{core:?}"
    );
    let missing = forbidden_prom_edges(&graph, "prom-graphite", &[], "rule");
    assert_eq!(
        missing,
        ["prom-graphite is not a workspace member, so its edges are unchecked"]
    );
}

/// A renamed exporter, and a new crate nobody placed, are named.
#[test]
fn missing_exporters_and_unplaced_crates_are_named() {
    let mut packages: Vec<serde_json::Value> = EXPORTERS
        .iter()
        .chain(NOT_EXPORTERS)
        .filter(|name| **name != "prom-http")
        .map(|name| serde_json::json!({"name": name, "dependencies": []}))
        .collect();
    packages.push(serde_json::json!({"name": "prom-httpd", "dependencies": []}));
    let graph = graph_of(&serde_json::json!({ "packages": packages }));
    let problems = unplaced_crates(&graph);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].starts_with("exporter prom-http is not a workspace member"),
        "{problems:?}"
    );
    assert!(
        problems[1].starts_with("prom-httpd has no place in the layering"),
        "{problems:?}"
    );
}
