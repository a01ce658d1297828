//! A crate that depends on `session-axum` alone: `#[derive(SessionData)]` must find its
//! runtime through `session_axum::core` without a `crate = "..."` attribute.

use session_axum::SessionData;

/// A typed view with a root, an optional field and a default.
#[derive(SessionData, Debug, Default, PartialEq)]
#[session(root = "shop")]
pub struct Cart {
    /// `shop.items`.
    pub items: Vec<String>,
    /// `shop.checkout.coupon`.
    #[session(path = "checkout.coupon")]
    pub coupon: Option<String>,
}

#[cfg(test)]
mod tests {
    use session_axum::Bag;
    use session_axum::core::SessionData as _;

    use super::Cart;

    #[test]
    fn derive_resolves_through_session_axum() {
        let mut bag = Bag::new();
        let cart = Cart {
            items: vec!["apple".into()],
            coupon: Some("WELCOME".into()),
        };
        cart.write_to_bag(&mut bag).unwrap();
        assert_eq!(
            bag.get_as::<String>("shop.checkout.coupon")
                .unwrap()
                .as_deref(),
            Some("WELCOME")
        );
        assert_eq!(Cart::from_bag(&bag).unwrap(), cart);
        assert_eq!(Cart::schema()[0].path, "shop.items");
    }
}
