prom::static_metrics! {
    static FAILURES: Counter = ("ui_failures_total", "");
}

#[prom::count_errors(FAILURES)]
fn returns_nothing() {}

#[prom::count_errors(FAILURES)]
fn returns_a_tuple() -> (u32, u32) {
    (1, 2)
}

#[prom::count_errors(FAILURES)]
fn returns_impl_trait() -> impl Iterator<Item = u32> {
    0..3
}

#[prom::count_errors(FAILURES)]
async fn returns_a_reference() -> &'static str {
    "x"
}

fn main() {}
