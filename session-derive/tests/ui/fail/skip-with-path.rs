use session_derive::SessionData;

#[derive(SessionData)]
struct Cart {
    #[session(skip, path = "scratch")]
    scratch: Vec<u8>,
}

fn main() {}
