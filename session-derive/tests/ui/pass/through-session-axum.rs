// Only names from `session-axum`: the derive, the Bag and the trait come through it.
use session_axum::{Bag, SessionData};

#[derive(SessionData, Default)]
#[session(root = "stats")]
struct Stats {
    visits: u64,
}

#[derive(SessionData, Default)]
#[session(crate = "::session_axum::core")]
struct Explicit {
    #[session(nested)]
    stats: Stats,
}

fn main() {
    let mut bag = Bag::new();
    Stats { visits: 2 }.write_to_bag(&mut bag).unwrap();
    assert_eq!(Stats::from_bag(&bag).unwrap().visits, 2);
    assert_eq!(Explicit::schema()[0].path, "stats.visits");
}
