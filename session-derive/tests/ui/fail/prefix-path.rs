use session_derive::SessionData;

#[derive(SessionData)]
struct Profile {
    user: String,
    #[session(path = "user.name")]
    name: String,
}

fn main() {}
