//! Labelled infos and enums: each child has the family's labels and its
//! own info labels or state; label names that would clash are refused.

use prom_core::{EnumVec, InfoVec, MetricValue, Opts, State};

#[test]
fn an_info_child_keeps_its_labels_apart_from_the_familys() {
    let family = InfoVec::new(Opts::new("build", "").labels(["instance"])).unwrap();
    let i = family.with_label_values(&["a"]).unwrap();
    i.set([("version", "1")]).unwrap();
    for bad in [("instance", "x"), ("__x", "y"), ("", "z")] {
        assert!(i.set([bad]).is_err(), "{bad:?}");
    }
    assert!(i.set([("v", "1"), ("v", "2")]).is_err());
    assert_eq!(i.get().get("version"), Some("1"));
    let fams = prom_core::collect(&family).unwrap();
    let MetricValue::Info(labels) = &fams[0].metrics[0].value else {
        panic!("an info reads as an info");
    };
    assert_eq!(labels.get("version"), Some("1"));
    assert_eq!(fams[0].metrics[0].labels.get("instance"), Some("a"));
    assert_eq!(fams[0].metrics[0].created, None);
}

#[test]
fn an_enum_family_may_not_have_a_label_named_after_itself() {
    let err = EnumVec::new(Opts::new("e", "").states(["a"]).labels(["e"])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "reserved label name \"e\": a state set labels its states with the family name"
    );
    let family = EnumVec::new(Opts::new("e", "").states(["up", "down"]).labels(["disk"])).unwrap();
    family
        .with_label_values(&["sda"])
        .unwrap()
        .state("down")
        .unwrap();
    let fams = prom_core::collect(&family).unwrap();
    assert_eq!(
        fams[0].metrics[0].value,
        MetricValue::StateSet(vec![
            State {
                name: "up".into(),
                enabled: false
            },
            State {
                name: "down".into(),
                enabled: true
            },
        ])
    );
}
