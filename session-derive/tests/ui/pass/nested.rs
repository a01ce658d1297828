use session_core::{Bag, SessionData};
use session_derive::SessionData;

#[derive(SessionData, Default)]
struct Address {
    city: String,
}

#[derive(SessionData, Default)]
#[session(root = "user")]
struct Profile {
    #[session(nested, path = "home")]
    address: Address,
}

fn main() {
    let mut bag = Bag::new();
    Profile::paths()
        .address
        .city
        .set(&mut bag, &"Turin".to_owned())
        .unwrap();
    assert_eq!(Profile::from_bag(&bag).unwrap().address.city, "Turin");
    assert_eq!(Profile::schema()[0].path, "user.home.city");
}
