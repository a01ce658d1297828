//! Per-request cost of sessions, in process: bare axum, ours and tower-sessions, with
//! the same handler logic, through the router with `oneshot` on a current-thread
//! runtime. See BENCHMARKS.md for the scenarios and the results.
//!
//! `cargo bench --bench sessions` runs everything; pass a filter (`-- 1-read-write`)
//! to run part of it.

mod apps;

use std::time::Duration;

use apps::{Bench, Library, Scenario};
use criterion::Criterion;

/// The store sizes of scenario 6.
const LIVE_SESSIONS: [usize; 3] = [1_000, 100_000, 1_000_000];

fn scenarios(c: &mut Criterion) {
    let runtime = apps::runtime();
    for scenario in Scenario::ALL {
        let mut group = c.benchmark_group(scenario.name());
        for library in Library::ALL {
            let mut bench = runtime.block_on(Bench::new(library, scenario, 1));
            runtime.block_on(bench.check());
            group.bench_function(library.name(), |b| {
                b.iter_custom(|iters| runtime.block_on(bench.run(iters)));
            });
        }
        group.finish();
    }
}

fn live_sessions(c: &mut Criterion) {
    let runtime = apps::runtime();
    let mut group = c.benchmark_group("6-live-sessions");
    for library in Library::ALL {
        for live in LIVE_SESSIONS {
            // Bare axum keeps no sessions: one size is enough.
            if library == Library::Bare && live != LIVE_SESSIONS[0] {
                continue;
            }
            let id = format!("{}/{live}", library.name());
            if !c_filter_matches(&id) {
                continue;
            }
            let mut bench = runtime.block_on(Bench::new(library, Scenario::ReadWrite, live));
            runtime.block_on(bench.check());
            group.bench_function(&id, |b| {
                b.iter_custom(|iters| runtime.block_on(bench.run(iters)));
            });
            // Free the store before filling the next one.
            drop(bench);
        }
    }
    group.finish();
}

/// Filling a million sessions takes seconds: skip it when a filter rules it out.
fn c_filter_matches(id: &str) -> bool {
    let full = format!("6-live-sessions/{id}");
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    filters.is_empty() || filters.iter().any(|f| full.contains(f.as_str()))
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

fn main() {
    let mut criterion = config().configure_from_args();
    scenarios(&mut criterion);
    live_sessions(&mut criterion);
    criterion.final_summary();
}
