use session_derive::SessionData;

#[derive(SessionData)]
#[session(prefix = "shop")]
struct Cart {
    items: Vec<String>,
}

fn main() {}
