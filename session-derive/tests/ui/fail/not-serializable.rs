use session_derive::SessionData;

#[derive(Default)]
struct Handle {
    fd: i32,
}

#[derive(SessionData)]
struct State {
    name: String,
    handle: Handle,
}

fn main() {}
