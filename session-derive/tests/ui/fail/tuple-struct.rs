use session_derive::SessionData;

#[derive(SessionData)]
struct Counter(u64);

fn main() {}
