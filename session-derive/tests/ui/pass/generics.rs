use std::collections::HashMap;

use session_core::{Bag, SessionData};
use session_derive::SessionData;

#[derive(SessionData, Default)]
struct Inner<T> {
    value: T,
}

#[derive(SessionData, Default)]
struct Outer<K, V>
where
    V: Clone,
{
    key: K,
    by_name: HashMap<String, V>,
    #[session(nested)]
    inner: Inner<V>,
    maybe: Option<K>,
}

fn round_trip<T: SessionData>(value: &T) -> T {
    let mut bag = Bag::new();
    value.write_to_bag(&mut bag).unwrap();
    T::from_bag(&bag).unwrap()
}

fn main() {
    let outer = Outer::<u8, String> {
        key: 1,
        by_name: HashMap::new(),
        inner: Inner { value: "v".into() },
        maybe: None,
    };
    assert_eq!(round_trip(&outer).inner.value, "v");
    let _ = Outer::<u8, String>::paths().inner.value.clone();
}
