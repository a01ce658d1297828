use session_core::{Bag, SessionData};
use session_derive::SessionData;

#[derive(SessionData, Default)]
#[session(root = "shop.cart")]
struct Cart {
    items: Vec<String>,
    #[session(path = "checkout.total")]
    total: f64,
}

fn main() {
    let mut bag = Bag::new();
    let cart = Cart {
        items: vec!["apple".into()],
        total: 1.5,
    };
    cart.write_to_bag(&mut bag).unwrap();
    assert_eq!(
        bag.get_as::<f64>("shop.cart.checkout.total").unwrap(),
        Some(1.5)
    );
    let paths = Cart::paths();
    assert_eq!(paths.items.path().to_string(), "shop.cart.items");
    let _: Option<Vec<String>> = paths.items.get(&bag).unwrap();
}
