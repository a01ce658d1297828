use session_derive::SessionData;

#[derive(SessionData)]
struct User<'a> {
    name: &'a str,
}

fn main() {}
