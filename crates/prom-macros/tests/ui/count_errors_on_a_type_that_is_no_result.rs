prom::static_metrics! {
    static FAILURES: Counter = ("ui_failures_total", "");
}

#[prom::count_errors(FAILURES)]
fn returns_an_option() -> Option<u32> {
    None
}

fn main() {}
