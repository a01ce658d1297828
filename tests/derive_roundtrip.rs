//! `#[derive(SessionData)]` at run time: every supported shape goes struct -> Bag ->
//! struct unchanged, and lands at the paths its attributes say.

use std::collections::{BTreeMap, HashMap};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use session_core::{Bag, BagError, SessionData};
use session_derive::SessionData;

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
struct Item {
    sku: String,
    qty: u32,
}

#[derive(SessionData, Default, Clone, Debug, PartialEq)]
struct Address {
    city: String,
    #[session(path = "geo.zip")]
    zip: Option<String>,
}

fn default_currency() -> String {
    "EUR".to_owned()
}

#[derive(SessionData, Default, Clone, Debug, PartialEq)]
#[session(root = "shop")]
struct Cart {
    items: Vec<Item>,
    #[session(path = "checkout.coupon")]
    coupon: Option<String>,
    #[session(default = "default_currency")]
    currency: String,
    #[session(nested)]
    shipping: Address,
    #[session(skip)]
    scratch: Vec<u8>,
}

fn full_cart() -> Cart {
    Cart {
        items: vec![Item {
            sku: "apple".into(),
            qty: 3,
        }],
        coupon: Some("WELCOME".into()),
        currency: "CHF".into(),
        shipping: Address {
            city: "Turin".into(),
            zip: Some("10100".into()),
        },
        scratch: Vec::new(),
    }
}

fn round_trip<T: SessionData + PartialEq + std::fmt::Debug>(value: &T) -> Bag {
    let mut bag = Bag::new();
    value.write_to_bag(&mut bag).expect("write");
    let back = T::from_bag(&bag).expect("read");
    assert_eq!(&back, value);
    bag
}

#[test]
fn fields_live_at_their_paths() -> Result<(), BagError> {
    let bag = round_trip(&full_cart());
    assert_eq!(
        bag.get_as::<Vec<Item>>("shop.items")?.map(|v| v.len()),
        Some(1)
    );
    assert_eq!(
        bag.get_as::<String>("shop.checkout.coupon")?.as_deref(),
        Some("WELCOME")
    );
    assert_eq!(
        bag.get_as::<String>("shop.currency")?.as_deref(),
        Some("CHF")
    );
    assert_eq!(
        bag.get_as::<String>("shop.shipping.city")?.as_deref(),
        Some("Turin")
    );
    assert_eq!(
        bag.get_as::<String>("shop.shipping.geo.zip")?.as_deref(),
        Some("10100")
    );
    assert!(!bag.contains("shop.scratch")?);
    assert_eq!(bag.labels().collect::<Vec<_>>(), ["shop"]);
    Ok(())
}

#[test]
fn skipped_fields_take_their_default_on_load() -> Result<(), BagError> {
    let mut cart = full_cart();
    cart.scratch = vec![1, 2, 3];
    let mut bag = Bag::new();
    cart.write_to_bag(&mut bag)?;
    assert!(Cart::from_bag(&bag)?.scratch.is_empty());
    Ok(())
}

#[test]
fn missing_paths_take_defaults() -> Result<(), BagError> {
    let cart = Cart::from_bag(&Bag::new())?;
    assert_eq!(
        cart,
        Cart {
            currency: "EUR".into(),
            ..Cart::default()
        }
    );
    Ok(())
}

#[test]
fn none_removes_the_path() -> Result<(), BagError> {
    let mut cart = full_cart();
    let mut bag = round_trip(&cart);
    bag.mark();
    cart.coupon = None;
    cart.shipping.zip = None;
    cart.write_to_bag(&mut bag)?;
    assert!(!bag.contains("shop.checkout.coupon")?);
    let changes = bag.changes();
    let paths: Vec<String> = changes.iter().map(|c| c.path().to_string()).collect();
    assert_eq!(paths, ["shop.checkout.coupon", "shop.shipping.geo.zip"]);
    assert!(
        changes
            .iter()
            .all(|c| matches!(c, session_core::bag::Change::Removed { .. }))
    );
    assert_eq!(Cart::from_bag(&bag)?, cart);
    Ok(())
}

#[test]
fn a_marked_bag_records_only_changed_fields() -> Result<(), BagError> {
    let mut cart = full_cart();
    let mut bag = round_trip(&cart);
    bag.mark();
    cart.write_to_bag(&mut bag)?;
    assert!(!bag.has_changes(), "{:?}", bag.changes());

    cart.shipping.city = "Milan".into();
    cart.write_to_bag(&mut bag)?;
    let paths: Vec<String> = bag.changes().iter().map(|c| c.path().to_string()).collect();
    assert_eq!(paths, ["shop.shipping.city"]);
    Ok(())
}

#[test]
fn wrong_types_name_the_path_the_type_and_what_was_found() {
    let mut bag = Bag::new();
    bag.set("shop.currency", 12).unwrap();
    let err = Cart::from_bag(&bag).unwrap_err();
    match &err {
        BagError::Type {
            path,
            expected,
            found,
            ..
        } => {
            assert_eq!(path, "shop.currency");
            assert!(expected.contains("String"), "{expected}");
            assert_eq!(*found, "a number");
        }
        other => panic!("expected a type error, got {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains("shop.currency"), "{message}");

    let mut bag = Bag::new();
    bag.set("shop.shipping.geo.zip", true).unwrap();
    let err = Cart::from_bag(&bag).unwrap_err();
    assert!(
        matches!(&err, BagError::Type { path, .. } if path == "shop.shipping.geo.zip"),
        "{err:?}"
    );
}

#[derive(SessionData, Default, Debug, PartialEq)]
struct Maps {
    notes: BTreeMap<String, String>,
    counters: HashMap<String, u64>,
    ordered: IndexMap<String, Item>,
    #[session(leaf)]
    whole: BTreeMap<String, u8>,
}

fn maps() -> Maps {
    Maps {
        notes: [("todo".to_owned(), "milk".to_owned())].into(),
        counters: [("a".to_owned(), 1), ("b.c".to_owned(), 2)].into(),
        ordered: [
            (
                "z".to_owned(),
                Item {
                    sku: "z".into(),
                    qty: 1,
                },
            ),
            (
                "a".to_owned(),
                Item {
                    sku: "a".into(),
                    qty: 2,
                },
            ),
        ]
        .into_iter()
        .collect(),
        whole: [("x".to_owned(), 1)].into(),
    }
}

#[test]
fn maps_live_as_sub_bags_one_node_per_key() -> Result<(), BagError> {
    let bag = round_trip(&maps());
    assert_eq!(bag.get_as::<String>("notes.todo")?.as_deref(), Some("milk"));
    assert_eq!(bag.get_as::<u64>(r"counters.b\.c")?, Some(2));
    let ordered: Vec<&str> = bag.get_bag("ordered")?.unwrap().labels().collect();
    assert_eq!(ordered, ["z", "a"]);
    assert_eq!(
        bag.get_as::<Item>("ordered.a")?.map(|item| item.qty),
        Some(2)
    );
    // `leaf` keeps the map as one value.
    assert!(bag.get_bag("whole")?.is_none());
    assert_eq!(
        bag.get_as::<BTreeMap<String, u8>>("whole")?,
        Some(maps().whole)
    );
    Ok(())
}

#[test]
fn changing_one_entry_writes_one_path_and_dropped_entries_are_removed() -> Result<(), BagError> {
    let mut value = maps();
    let mut bag = round_trip(&value);
    bag.mark();
    value.counters.insert("a".into(), 10);
    value.notes.remove("todo");
    value.write_to_bag(&mut bag)?;
    let changes: Vec<String> = bag
        .changes()
        .iter()
        .map(|c| format!("{:?} {}", std::mem::discriminant(c), c.path()))
        .collect();
    assert_eq!(changes.len(), 2, "{changes:?}");
    let paths: Vec<String> = bag.changes().iter().map(|c| c.path().to_string()).collect();
    assert!(paths.contains(&"notes.todo".to_owned()), "{paths:?}");
    assert!(paths.contains(&"counters.a".to_owned()), "{paths:?}");
    assert_eq!(Maps::from_bag(&bag)?, value);
    Ok(())
}

#[test]
fn two_writers_of_different_entries_do_not_collide() -> Result<(), BagError> {
    let base = round_trip(&maps());
    let (mut first, mut second) = (base.clone(), base.clone());
    first.mark();
    second.mark();
    let mut one = Maps::from_bag(&first)?;
    one.notes.insert("one".into(), "1".into());
    one.write_to_bag(&mut first)?;
    let mut two = Maps::from_bag(&second)?;
    two.notes.insert("two".into(), "2".into());
    two.write_to_bag(&mut second)?;

    let mut stored = base;
    stored.apply(&first.changes());
    stored.apply(&second.changes());
    let merged = Maps::from_bag(&stored)?;
    assert_eq!(merged.notes.get("one").map(String::as_str), Some("1"));
    assert_eq!(merged.notes.get("two").map(String::as_str), Some("2"));
    assert_eq!(merged.notes.get("todo").map(String::as_str), Some("milk"));
    Ok(())
}

#[derive(SessionData, Default, Debug, PartialEq)]
#[session(root = "wrap")]
struct Wrapper<T, const N: usize> {
    value: T,
    list: Vec<T>,
    maybe: Option<T>,
    by_key: BTreeMap<String, T>,
    #[session(skip)]
    cache: Vec<[u8; N]>,
}

#[test]
fn generic_structs_round_trip() -> Result<(), BagError> {
    let value = Wrapper::<u32, 2> {
        value: 1,
        list: vec![2, 3],
        maybe: Some(4),
        by_key: [("k".to_owned(), 5)].into(),
        cache: Vec::new(),
    };
    let bag = round_trip(&value);
    assert_eq!(bag.get_as::<u32>("wrap.by_key.k")?, Some(5));
    let paths = Wrapper::<String, 0>::paths();
    assert_eq!(paths.maybe.path().to_string(), "wrap.maybe");
    let value = Wrapper::<Item, 0> {
        value: Item {
            sku: "s".into(),
            qty: 1,
        },
        list: Vec::new(),
        maybe: None,
        by_key: BTreeMap::new(),
        cache: Vec::new(),
    };
    round_trip(&value);
    Ok(())
}

#[derive(SessionData, Default, Debug, PartialEq)]
struct Escapes {
    #[session(path = r"files.readme\.md")]
    readme: String,
    r#type: u8,
}

#[test]
fn escaped_labels_and_raw_identifiers() -> Result<(), BagError> {
    let value = Escapes {
        readme: "hello".into(),
        r#type: 2,
    };
    let bag = round_trip(&value);
    let files = bag.get_bag("files")?.unwrap();
    assert_eq!(files.labels().collect::<Vec<_>>(), ["readme.md"]);
    assert_eq!(bag.get_as::<u8>("type")?, Some(2));
    Ok(())
}

#[derive(SessionData, Default, Debug, PartialEq)]
struct Empty {}

#[derive(SessionData, Default, Debug, PartialEq)]
struct Unit;

#[test]
fn structs_without_fields_are_empty_schemas() -> Result<(), BagError> {
    round_trip(&Empty {});
    round_trip(&Unit);
    assert!(Unit::schema().is_empty());
    Ok(())
}
