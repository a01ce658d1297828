use session_derive::SessionData;

#[derive(SessionData)]
struct Cart {
    #[session(rename = "things")]
    items: Vec<String>,
}

fn main() {}
