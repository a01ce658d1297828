//! The instruction-count driver: sends `n` requests of one scenario through one
//! library's router, for `valgrind --tool=callgrind` (see `scripts/callgrind.sh`,
//! which subtracts a 10,000-request run from a 20,000-request run so that start-up
//! cancels out).
//!
//! ```text
//! callgrind <bare|ours|tower-sessions> <1..5> <requests>
//! ```
//!
//! Run by `cargo bench` with no arguments, it checks every scenario once and exits.

mod apps;

use apps::{Bench, Library, Scenario};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let runtime = apps::runtime();
    let [library, scenario, requests] = args.as_slice() else {
        for library in Library::ALL {
            for scenario in Scenario::ALL {
                runtime.block_on(async {
                    let mut bench = Bench::new(library, scenario, 1).await;
                    bench.check().await;
                    bench.run(100).await;
                });
            }
        }
        println!("callgrind driver: every scenario answers; see scripts/callgrind.sh");
        return;
    };
    let library = Library::parse(library).expect("library: bare, ours or tower-sessions");
    let scenario = Scenario::parse(scenario).expect("scenario: 1 to 5");
    let requests: u64 = requests.parse().expect("a number of requests");
    runtime.block_on(async {
        let mut bench = Bench::new(library, scenario, 1).await;
        bench.check().await;
        bench.run(requests).await;
    });
}
