use session_derive::SessionData;

#[derive(SessionData)]
struct User {
    name: String,
    #[session(path = "name")]
    nickname: String,
}

fn main() {}
