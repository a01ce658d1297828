use session_core::{Bag, SessionData};
use session_derive::SessionData;

#[derive(SessionData, Default)]
struct Counter {
    visits: u64,
}

fn main() {
    let mut bag = Bag::new();
    Counter::paths().visits.set(&mut bag, &"many").unwrap();
}
