use session_derive::SessionData;

#[derive(SessionData)]
enum Cart {
    Empty,
    Full { items: Vec<String> },
}

fn main() {}
