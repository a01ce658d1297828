//! `#[derive(SessionData)]` across deploys, and its typed handles and schema: a Bag
//! written by an old version of a struct loads into the new one; one field is read
//! or written through its handle without loading the struct.

use std::collections::BTreeMap;

use session_core::{Bag, BagError, SessionData};
use session_derive::SessionData;

mod v1 {
    use super::*;

    #[derive(SessionData, Default, Debug)]
    #[session(root = "prefs")]
    pub(crate) struct Prefs {
        pub(crate) theme: String,
        pub(crate) notes: BTreeMap<String, String>,
    }
}

mod v2 {
    use super::*;

    fn default_page_size() -> u32 {
        25
    }

    #[derive(SessionData, Default, Debug, PartialEq)]
    pub(crate) struct Layout {
        pub(crate) columns: u8,
    }

    #[derive(SessionData, Default, Debug, PartialEq)]
    #[session(root = "prefs")]
    pub(crate) struct Prefs {
        pub(crate) theme: String,
        pub(crate) notes: BTreeMap<String, String>,
        #[session(default = "default_page_size")]
        pub(crate) page_size: u32,
        pub(crate) language: Option<String>,
        #[session(nested)]
        pub(crate) layout: Layout,
    }

    /// Another typed view of the same session, under another root.
    #[derive(SessionData, Default, Debug, PartialEq)]
    #[session(root = "stats")]
    pub(crate) struct Stats {
        pub(crate) visits: u64,
    }
}

#[test]
fn a_bag_written_by_an_old_version_loads_into_the_new_one() -> Result<(), BagError> {
    let old = v1::Prefs {
        theme: "dark".into(),
        notes: [("a".to_owned(), "b".to_owned())].into(),
    };
    let mut bag = Bag::new();
    old.write_to_bag(&mut bag)?;

    let new = v2::Prefs::from_bag(&bag)?;
    assert_eq!(new.theme, "dark");
    assert_eq!(new.notes, old.notes);
    assert_eq!(new.page_size, 25);
    assert_eq!(new.language, None);
    assert_eq!(new.layout, v2::Layout::default());
    Ok(())
}

#[test]
fn a_map_stored_whole_by_an_old_version_is_read_and_rewritten_as_a_sub_bag() -> Result<(), BagError>
{
    let mut bag = Bag::new();
    bag.set_as(
        "prefs.notes",
        &BTreeMap::from([("x".to_owned(), "y".to_owned())]),
    )?;
    let prefs = v2::Prefs::from_bag(&bag)?;
    assert_eq!(prefs.notes.get("x").map(String::as_str), Some("y"));
    prefs.write_to_bag(&mut bag)?;
    assert_eq!(bag.get_as::<String>("prefs.notes.x")?.as_deref(), Some("y"));
    assert!(bag.get_bag("prefs.notes")?.is_some());
    Ok(())
}

#[test]
fn several_structs_are_views_of_one_bag() -> Result<(), BagError> {
    let mut bag = Bag::new();
    v2::Prefs::default().write_to_bag(&mut bag)?;
    v2::Stats { visits: 3 }.write_to_bag(&mut bag)?;
    assert_eq!(bag.labels().collect::<Vec<_>>(), ["prefs", "stats"]);
    assert_eq!(v2::Stats::from_bag(&bag)?.visits, 3);
    assert_eq!(v2::Prefs::from_bag(&bag)?, v2::Prefs::default());
    Ok(())
}

#[test]
fn typed_handles_read_and_write_one_field() -> Result<(), BagError> {
    let mut bag = Bag::new();
    let paths = v2::Prefs::paths();
    paths.language.set(&mut bag, &"it".to_owned())?;
    paths.layout.columns.set(&mut bag, &3)?;
    paths.notes.set_entry(&mut bag, "k", &"v".to_owned())?;
    assert_eq!(paths.language.path().to_string(), "prefs.language");
    assert_eq!(
        paths.layout.columns.path().to_string(),
        "prefs.layout.columns"
    );
    assert_eq!(paths.notes.entry("k")?.path().to_string(), "prefs.notes.k");

    let prefs = v2::Prefs::from_bag(&bag)?;
    assert_eq!(prefs.language.as_deref(), Some("it"));
    assert_eq!(prefs.layout.columns, 3);
    assert_eq!(paths.notes.get_entry(&bag, "k")?.as_deref(), Some("v"));
    assert!(paths.language.remove(&mut bag)?);
    assert_eq!(v2::Prefs::from_bag(&bag)?.language, None);

    let cloned = paths.clone();
    assert!(format!("{cloned:?}").contains("prefs.theme"));
    Ok(())
}

#[test]
fn the_schema_lists_full_paths_and_type_names() {
    let schema: Vec<(String, &str)> = v2::Prefs::schema()
        .into_iter()
        .map(|field| (field.path, field.type_name))
        .collect();
    assert_eq!(
        schema,
        [
            ("prefs.theme".to_owned(), "String"),
            ("prefs.notes".to_owned(), "BTreeMap<String, String>"),
            ("prefs.page_size".to_owned(), "u32"),
            ("prefs.language".to_owned(), "Option<String>"),
            ("prefs.layout.columns".to_owned(), "u8"),
        ]
    );
}
