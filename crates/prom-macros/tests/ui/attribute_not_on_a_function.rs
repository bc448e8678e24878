prom::static_metrics! {
    static TIME: Summary = ("ui_time_seconds", "");
}

#[prom::time(TIME)]
struct Request;

struct Handler;

#[prom::count_errors(TIME)]
impl Handler {}

trait Service {
    #[prom::track_inprogress(TIME)]
    fn call(&self);
}

#[prom::time(TIME)]
const fn answer() -> u32 {
    42
}

fn main() {}
