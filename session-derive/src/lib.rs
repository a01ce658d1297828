//! `#[derive(SessionData)]`: a typed, path-addressed schema over a session's Bag,
//! checked at compile time.
//!
//! ```
//! use session_core::{Bag, SessionData};
//! use session_derive::SessionData;
//! # use serde::{Deserialize, Serialize};
//! # #[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
//! # struct Item { sku: String, qty: u32 }
//! # #[derive(SessionData, Default, Clone, Debug, PartialEq)]
//! # struct Address { city: String }
//! # fn default_currency() -> String { "EUR".into() }
//!
//! #[derive(SessionData, Default, Clone)]
//! #[session(root = "shop")] // optional: the whole struct lives under a Bag prefix
//! struct Cart {
//!     items: Vec<Item>, // path "shop.items"
//!     #[session(path = "checkout.coupon")]
//!     coupon: Option<String>, // None = path absent
//!     #[session(default = "default_currency")]
//!     currency: String, // missing path -> default_currency()
//!     #[session(nested)]
//!     shipping: Address, // Address: SessionData, a sub-Bag at "shop.shipping"
//!     #[session(skip)]
//!     scratch: Vec<u8>, // never stored; Default on load
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut bag = Bag::new();
//! let cart = Cart::from_bag(&bag)?; // every path missing: defaults
//! assert_eq!(cart.currency, "EUR");
//!
//! let mut cart = cart;
//! cart.coupon = Some("WELCOME".into());
//! cart.shipping.city = "Turin".into();
//! cart.write_to_bag(&mut bag)?;
//! assert_eq!(bag.get_as::<String>("shop.checkout.coupon")?.as_deref(), Some("WELCOME"));
//! assert_eq!(bag.get_as::<String>("shop.shipping.city")?.as_deref(), Some("Turin"));
//!
//! // One field, without loading the struct; the handle is typed.
//! let paths = Cart::paths();
//! paths.currency.set(&mut bag, &"CHF".to_owned())?;
//! assert_eq!(paths.shipping.city.get(&bag)?.as_deref(), Some("Turin"));
//!
//! // The schema: full paths and Rust types.
//! let schema: Vec<_> = Cart::schema().into_iter().map(|f| (f.path, f.type_name)).collect();
//! assert_eq!(schema[1], ("shop.checkout.coupon".to_owned(), "Option<String>"));
//! # let _ = cart.scratch;
//! # Ok(())
//! # }
//! ```
//!
//! # Attributes
//!
//! On the struct:
//! - `#[session(root = "a.b")]`: every field lives under `a.b`. A struct nested in
//!   another lives at its field's path instead, and its own root is not used.
//! - `#[session(crate = "path")]`: where the runtime lives. By default the derive
//!   finds it from your `Cargo.toml`: `session_core` when you depend on
//!   `session-core`, else `session_axum::core` when you depend on `session-axum`.
//!
//! On a field:
//! - `#[session(path = "a.b")]`: the field's path (default: the field name), labels
//!   separated by dots, `\.` for a dot inside a label. No `#N` or `?attr` parts.
//! - `#[session(default = "function")]`: called when the path is missing (default:
//!   `Default::default()`, `None` for `Option`).
//! - `#[session(nested)]`: the field's type derives `SessionData` too; its fields
//!   live under the field's path.
//! - `#[session(skip)]`: never stored; `Default` on load.
//! - `#[session(map)]` / `#[session(leaf)]`: a `BTreeMap`, `HashMap` or `IndexMap`
//!   with `String` keys lives as a sub-Bag, one node per key (so changing one entry
//!   writes one path); `map` asks for that through a type alias, `leaf` stores the
//!   map as one value instead.
//!
//! An `Option<T>` field is absent when `None`: writing `None` removes its path.
//!
//! # What is generated
//!
//! An `impl SessionData` (`from_bag`, `write_to_bag`, `paths`, `schema`) and a struct
//! `<Name>Paths` with one typed handle per stored field: a `TypedPath<T>` (for an
//! `Option<T>` field too), a `MapPath<M>` for a sub-Bag map, or the nested struct's
//! own `Paths`. Generic structs get the bounds their fields need.

mod ast;
mod attr;
mod ctxt;
mod expand;
mod krate;
mod valid;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derives `SessionData`: see the [crate docs](crate).
#[proc_macro_derive(SessionData, attributes(session))]
pub fn derive_session_data(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).into()
}
