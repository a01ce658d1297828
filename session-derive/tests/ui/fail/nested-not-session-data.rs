use session_derive::SessionData;

#[derive(Default, serde::Serialize, serde::Deserialize)]
struct Address {
    city: String,
}

#[derive(SessionData)]
struct Cart {
    #[session(nested)]
    shipping: Address,
}

fn main() {}
