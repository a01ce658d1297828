use session_derive::SessionData;

#[derive(SessionData)]
struct Cart {
    #[session(path = "items?x")]
    price: f64,
}

fn main() {}
