use session_derive::SessionData;

#[derive(SessionData)]
struct Cart {
    #[session(pth = "items")]
    items: Vec<String>,
    #[session(path = "a..b")]
    coupon: Option<String>,
}

fn main() {}
