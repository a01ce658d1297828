use session_derive::SessionData;

#[derive(SessionData)]
#[session(root = "")]
struct Cart {
    items: Vec<String>,
}

fn main() {}
