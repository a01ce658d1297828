//! Bytes per session: the resident memory a store grows by when it holds a million
//! small sessions (one counter each), ours and tower-sessions', each measured in a
//! process of its own.
//!
//! ```text
//! memory                        # both stores, one child process each
//! memory <ours|tower-sessions> <sessions>
//! ```

mod apps;

use std::process::Command;

use apps::Library;

const SESSIONS: usize = 1_000_000;

/// Resident set size in bytes, from `/proc/self/statm` (Linux).
fn rss_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm (Linux)");
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|field| field.parse().ok())
        .expect("statm's second field");
    pages * 4096
}

fn measure(library: Library, sessions: usize) {
    let runtime = apps::runtime();
    let (_router, store) = apps::app(library);
    let before = rss_bytes();
    runtime.block_on(apps::fill_keeping(&store, sessions, false));
    let after = rss_bytes();
    let per_session = (after - before) as f64 / sessions as f64;
    println!(
        "{{\"library\": \"{}\", \"sessions\": {sessions}, \"rss_growth_bytes\": {}, \"bytes_per_session\": {per_session:.0}}}",
        library.name(),
        after - before,
    );
    drop(store);
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if let [library, sessions] = args.as_slice() {
        let library = Library::parse(library).expect("library: ours or tower-sessions");
        measure(library, sessions.parse().expect("a number of sessions"));
        return;
    }
    let sessions = if args.is_empty() {
        SESSIONS
    } else {
        args[0].parse().expect("a number of sessions")
    };
    let exe = std::env::current_exe().expect("this program's path");
    let mut rows = Vec::new();
    for library in [Library::Ours, Library::TowerSessions] {
        let output = Command::new(&exe)
            .args([library.name(), &sessions.to_string()])
            .output()
            .expect("run the measurement in a child process");
        assert!(
            output.status.success(),
            "{} measurement failed",
            library.name()
        );
        let row = String::from_utf8(output.stdout).expect("JSON output");
        print!("{row}");
        rows.push(row.trim().to_owned());
    }
    // Run by `cargo bench`, the working directory is the workspace root.
    let results = std::path::Path::new("benches/results");
    if results.is_dir() {
        let json = format!("[\n  {}\n]\n", rows.join(",\n  "));
        std::fs::write(results.join("memory.json"), json).expect("write memory.json");
    }
}
