use session_derive::SessionData;

#[derive(SessionData)]
struct Cart {
    #[session(path = "a", path = "b")]
    items: Vec<String>,
}

fn main() {}
