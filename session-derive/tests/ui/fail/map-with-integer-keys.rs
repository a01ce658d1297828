use std::collections::BTreeMap;

use session_derive::SessionData;

#[derive(SessionData)]
struct Scores {
    by_round: BTreeMap<u32, u64>,
}

fn main() {}
