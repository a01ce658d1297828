use session_derive::SessionData;

#[derive(SessionData)]
struct Cart {
    #[session(path = "items.#0")]
    first: String,
}

fn main() {}
