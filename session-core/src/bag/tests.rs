use proptest::prelude::*;
use serde_json::json;

use super::*;

fn labels(bag: &Bag) -> Vec<&str> {
    bag.labels().collect()
}

#[test]
fn set_creates_intermediates_and_appends_new_labels() {
    let mut bag = Bag::new();
    bag.set("a.b.c", 1).unwrap();
    bag.set("a.x", "y").unwrap();
    bag.set("z", true).unwrap();
    assert_eq!(labels(&bag), ["a", "z"]);
    assert_eq!(labels(bag.get_bag("a").unwrap().unwrap()), ["b", "x"]);
    assert_eq!(bag.get("a.b.c").unwrap().unwrap().as_i64(), Some(1));
    assert_eq!(bag.len(), 2);
    assert!(!bag.is_empty());
}

#[test]
fn update_keeps_position_and_attributes() {
    let mut bag = Bag::new();
    bag.set_with_attributes("first", 1, [("unit", "kg")])
        .unwrap();
    bag.set("second", 2).unwrap();
    bag.set("first", 10).unwrap();
    assert_eq!(labels(&bag), ["first", "second"]);
    assert_eq!(bag.get_as::<i32>("first").unwrap(), Some(10));
    assert_eq!(bag.get_attr("first", "unit").unwrap(), Some(&json!("kg")));
}

#[test]
fn index_paths_address_nodes_by_position() {
    let mut bag = Bag::new();
    bag.set("items.apple", 3).unwrap();
    bag.set("items.pear", 5).unwrap();
    assert_eq!(bag.get_as::<u8>("items.#1").unwrap(), Some(5));
    assert_eq!(bag.get("items.#2").unwrap(), None);
    bag.set("items.#0", 4).unwrap();
    assert_eq!(bag.get_as::<u8>("items.apple").unwrap(), Some(4));
    let err = bag.set("items.#7", 1).unwrap_err();
    assert!(
        matches!(
            err,
            BagError::IndexOutOfRange {
                index: 7,
                len: 2,
                ..
            }
        ),
        "{err}"
    );
    let removed = bag.remove("items.#0").unwrap().unwrap();
    assert_eq!(removed.label(), "apple");
    assert_eq!(labels(bag.get_bag("items").unwrap().unwrap()), ["pear"]);
}

#[test]
fn attributes_through_paths() {
    let mut bag = Bag::new();
    bag.set("user", "ada").unwrap();
    bag.set("user?role", "admin").unwrap();
    bag.set("user?since", 2020).unwrap();
    assert_eq!(
        bag.get("user?role").unwrap().unwrap().as_str(),
        Some("admin")
    );
    assert!(bag.contains("user?since").unwrap());
    assert!(!bag.contains("user?missing").unwrap());
    let names: Vec<&str> = bag
        .get_node("user")
        .unwrap()
        .unwrap()
        .attributes()
        .iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["role", "since"]);
    assert_eq!(
        bag.remove_attr("user", "role").unwrap(),
        Some(json!("admin"))
    );
    assert_eq!(bag.get_attr("user", "role").unwrap(), None);
    let err = bag.set("nobody?x", 1).unwrap_err();
    assert!(matches!(err, BagError::NoSuchNode { .. }), "{err}");
    let err = bag.set("user?x", Bag::new()).unwrap_err();
    assert!(matches!(err, BagError::BagInAttribute { .. }), "{err}");
    assert!(bag.remove("user?since").is_err());
}

#[test]
fn malformed_paths_are_errors_not_panics() {
    let mut bag = Bag::new();
    for bad in ["", "a..b", ".a", "a.", "a.#x", r"a\", "a?"] {
        assert!(bag.get(bad).is_err(), "get {bad:?}");
        assert!(bag.set(bad, 1).is_err(), "set {bad:?}");
        assert!(bag.remove(bad).is_err(), "remove {bad:?}");
        assert!(bag.contains(bad).is_err(), "contains {bad:?}");
    }
    assert!(bag.is_empty(), "failed sets must not leave anything behind");
}

#[test]
fn going_through_a_leaf() {
    let mut bag = Bag::new();
    bag.set("a", 1).unwrap();
    assert_eq!(bag.get("a.b").unwrap(), None);
    let err = bag.set("a.b", 2).unwrap_err();
    assert_eq!(
        err,
        BagError::NotABag {
            path: "a".into(),
            found: "a number"
        }
    );
    assert_eq!(bag.get_as::<i32>("a").unwrap(), Some(1), "nothing lost");
}

#[test]
fn typed_get_errors_name_path_type_and_found() {
    let mut bag = Bag::new();
    bag.set("count", "three").unwrap();
    let err = bag.get_as::<u32>("count").unwrap_err();
    match &err {
        BagError::Type {
            path,
            expected,
            found,
            ..
        } => {
            assert_eq!(path, "count");
            assert_eq!(*expected, "u32");
            assert_eq!(*found, "a string");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("count"));
}

#[test]
fn typed_set_and_nested_bag_as_struct() {
    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Point {
        x: i32,
        y: i32,
    }
    let mut bag = Bag::new();
    bag.set_as("p", &Point { x: 1, y: 2 }).unwrap();
    assert_eq!(
        bag.get_as::<Point>("p").unwrap(),
        Some(Point { x: 1, y: 2 })
    );
    bag.set("q.x", 3).unwrap();
    bag.set("q.y", 4).unwrap();
    assert_eq!(
        bag.get_as::<Point>("q").unwrap(),
        Some(Point { x: 3, y: 4 })
    );
}

#[test]
fn walk_is_depth_first_with_full_paths() {
    let mut bag = Bag::new();
    bag.set("a.b", 1).unwrap();
    bag.set(r"a.c\.d.e", 2).unwrap();
    bag.set("f", 3).unwrap();
    let walked: Vec<String> = bag.walk().map(|(p, _)| p.to_string()).collect();
    assert_eq!(walked, ["a", "a.b", r"a.c\.d", r"a.c\.d.e", "f"]);
    for (path, node) in bag.walk() {
        assert_eq!(bag.get_node(&path).unwrap(), Some(node));
    }
}

#[test]
fn merge_and_clear() {
    let mut left = Bag::new();
    left.set("a.x", 1).unwrap();
    left.set("b", 2).unwrap();
    let mut right = Bag::new();
    right.set("a.y", 3).unwrap();
    right.set_with_attributes("b", 20, [("k", "v")]).unwrap();
    right.set("c", 4).unwrap();
    left.merge(&right);
    assert_eq!(labels(&left), ["a", "b", "c"]);
    assert_eq!(labels(left.get_bag("a").unwrap().unwrap()), ["x", "y"]);
    assert_eq!(left.get_as::<i32>("b").unwrap(), Some(20));
    assert_eq!(left.get_attr("b", "k").unwrap(), Some(&json!("v")));
    left.mark();
    left.clear();
    assert!(left.is_empty());
    let removed: Vec<String> = left
        .changes()
        .iter()
        .map(|c| c.path().to_string())
        .collect();
    assert_eq!(removed, ["a", "b", "c"]);
}

#[test]
fn serde_round_trip_keeps_leaf_arrays_apart_from_bags() {
    let mut bag = Bag::new();
    bag.set("list", json!([{"label": "x", "value": 1}]))
        .unwrap();
    bag.set("nested.inner", json!(null)).unwrap();
    bag.set_with_attributes("n", 1.5, [("b", 1), ("a", 2)])
        .unwrap();
    let text = serde_json::to_string(&bag).unwrap();
    let back: Bag = serde_json::from_str(&text).unwrap();
    assert_eq!(back, bag);
    assert!(back.get("list").unwrap().unwrap().as_leaf().is_some());
    assert_eq!(
        back.get("nested.inner").unwrap().unwrap().as_leaf(),
        Some(&json!(null))
    );
    let attrs: Vec<&str> = back
        .get_node("n")
        .unwrap()
        .unwrap()
        .attributes()
        .iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(attrs, ["b", "a"]);
}

#[test]
fn deserialize_rejects_malformed_input() {
    for bad in [
        r#"[{"label": "a"}]"#,
        r#"[{"value": 1}]"#,
        r#"[{"label": "", "value": 1}]"#,
        r#"[{"label": "a", "value": 1, "bag": []}]"#,
        r#"[{"label": "a", "value": 1}, {"label": "a", "value": 2}]"#,
        r#"[{"label": "a", "value": 1, "attr": [1]}]"#,
        r#"{"a": 1}"#,
    ] {
        assert!(serde_json::from_str::<Bag>(bad).is_err(), "{bad}");
    }
}

#[test]
fn change_tracking_records_set_and_removed_paths() {
    let mut bag = Bag::new();
    bag.set("keep", 1).unwrap();
    bag.set("drop.me", 1).unwrap();
    bag.mark();
    assert!(!bag.has_changes());
    bag.set("keep", 1).unwrap();
    assert!(!bag.has_changes(), "setting an equal value is not a change");
    bag.set("new.leaf", "x").unwrap();
    bag.set("new.leaf", "y").unwrap();
    bag.remove("drop").unwrap();
    bag.set("keep?attr", true).unwrap();
    let changes = bag.take_changes();
    let summary: Vec<(String, bool)> = changes
        .iter()
        .map(|c| (c.path().to_string(), matches!(c, Change::Set { .. })))
        .collect();
    assert_eq!(
        summary,
        [
            // A node created since the mark is recorded whole, at its topmost new level.
            ("new".to_string(), true),
            ("drop".to_string(), false),
            ("keep".to_string(), true)
        ]
    );
    match &changes.iter().next().unwrap() {
        Change::Set { value, .. } => {
            let inner = value.as_bag().expect("`new` is a nested bag");
            assert_eq!(inner.get("leaf").unwrap().unwrap().as_str(), Some("y"));
        }
        other => panic!("{other:?}"),
    }
    assert!(!bag.has_changes(), "take_changes starts a fresh record");
    bag.set("new.leaf", "z").unwrap();
    let paths: Vec<String> = bag.changes().iter().map(|c| c.path().to_string()).collect();
    assert_eq!(
        paths,
        ["new.leaf"],
        "an update records the updated path only"
    );
}

#[test]
fn change_sets_replay_onto_a_copy() {
    let mut original = Bag::new();
    original.set("a.b", 1).unwrap();
    original.set("c", 2).unwrap();
    let mut copy = original.clone();
    original.mark();
    original.set("a.#0", 5).unwrap();
    original.remove("c").unwrap();
    original.set("c", 3).unwrap();
    original.set("d?x", 1).unwrap_err();
    original.set("d", Bag::new()).unwrap();
    original.set("d.e", 1).unwrap();
    copy.apply(&original.changes());
    assert_eq!(copy, original);
}

// ---- property tests -------------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Set(Vec<String>, i64),
    Remove(Vec<String>),
    Get(Vec<String>),
}

fn label() -> impl Strategy<Value = String> {
    prop_oneof![Just("a"), Just("b"), Just("c.d"), Just("#e"), Just("f?")].prop_map(String::from)
}

fn labels_strategy() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(label(), 1..4)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (labels_strategy(), any::<i64>()).prop_map(|(p, v)| Op::Set(p, v)),
        labels_strategy().prop_map(Op::Remove),
        labels_strategy().prop_map(Op::Get),
    ]
}

fn path_of(labels: &[String]) -> BagPath {
    let text: Vec<String> = labels.iter().map(|l| escape_label(l)).collect();
    BagPath::parse(&text.join(".")).expect("escaped labels always parse")
}

/// The model: an ordered list of (full label path, leaf) for leaves, plus the set of
/// interior nodes, kept in insertion order.
#[derive(Default, Debug)]
struct Model {
    nodes: Vec<(Vec<String>, Option<i64>)>,
}

impl Model {
    fn find(&self, path: &[String]) -> Option<usize> {
        self.nodes.iter().position(|(p, _)| p == path)
    }

    fn set(&mut self, path: &[String], value: i64) -> bool {
        // Refused when an ancestor is a leaf.
        for depth in 1..path.len() {
            if let Some(i) = self.find(&path[..depth])
                && self.nodes[i].1.is_some()
            {
                return false;
            }
        }
        for depth in 1..path.len() {
            if self.find(&path[..depth]).is_none() {
                self.nodes.push((path[..depth].to_vec(), None));
            }
        }
        match self.find(path) {
            Some(i) => {
                self.nodes
                    .retain(|(p, _)| !(p.len() > path.len() && p.starts_with(path)));
                let i = self.find(path).unwrap_or(i);
                self.nodes[i].1 = Some(value);
            }
            None => self.nodes.push((path.to_vec(), Some(value))),
        }
        true
    }

    fn remove(&mut self, path: &[String]) -> bool {
        let existed = self.find(path).is_some();
        self.nodes.retain(|(p, _)| !p.starts_with(path));
        existed
    }

    fn get(&self, path: &[String]) -> Option<Option<i64>> {
        self.find(path).map(|i| self.nodes[i].1)
    }

    /// The walk order of a tree built from these insertions: depth first, siblings in
    /// first-insertion order.
    fn walk(&self) -> Vec<Vec<String>> {
        fn children<'a>(model: &'a Model, parent: &[String]) -> Vec<&'a Vec<String>> {
            model
                .nodes
                .iter()
                .filter(|(p, _)| p.len() == parent.len() + 1 && p.starts_with(parent))
                .map(|(p, _)| p)
                .collect()
        }
        fn visit(model: &Model, parent: &[String], out: &mut Vec<Vec<String>>) {
            for child in children(model, parent) {
                out.push(child.clone());
                visit(model, child, out);
            }
        }
        let mut out = Vec::new();
        visit(self, &[], &mut out);
        out
    }
}

fn arbitrary_bag() -> impl Strategy<Value = Bag> {
    let leaf = prop_oneof![
        Just(json!(null)),
        any::<bool>().prop_map(|b| json!(b)),
        any::<i64>().prop_map(|n| json!(n)),
        "[a-z.#?\\\\ é]{0,6}".prop_map(|s| json!(s)),
        Just(json!([{"label": "x", "value": 1}])),
    ];
    let node = (
        label(),
        leaf,
        prop::collection::vec((label(), any::<i32>()), 0..3),
    );
    prop::collection::vec((prop::collection::vec(label(), 1..3), node), 0..12).prop_map(|entries| {
        let mut bag = Bag::new();
        for (prefix, (last, value, attrs)) in entries {
            let mut labels = prefix;
            labels.push(last);
            let path = path_of(&labels);
            let _ = bag.set_with_attributes(&path, value, attrs);
        }
        bag
    })
}

proptest! {
    #[test]
    fn bag_behaves_like_the_model(ops in prop::collection::vec(op(), 1..40)) {
        let mut bag = Bag::new();
        let mut model = Model::default();
        for op in ops {
            match op {
                Op::Set(labels, value) => {
                    let ok = bag.set(path_of(&labels), value).is_ok();
                    prop_assert_eq!(ok, model.set(&labels, value));
                }
                Op::Remove(labels) => {
                    let removed = bag.remove(path_of(&labels)).unwrap().is_some();
                    prop_assert_eq!(removed, model.remove(&labels));
                }
                Op::Get(labels) => {
                    let got = bag.get(path_of(&labels)).unwrap().map(|v| v.as_i64());
                    prop_assert_eq!(got, model.get(&labels));
                }
            }
            let walked: Vec<Vec<String>> = bag
                .walk()
                .map(|(p, _)| p.segments().iter().map(|s| s.as_label().unwrap().to_owned()).collect())
                .collect();
            prop_assert_eq!(walked, model.walk());
        }
    }

    #[test]
    fn serde_round_trip_is_exact(bag in arbitrary_bag()) {
        let text = serde_json::to_string(&bag).unwrap();
        let back: Bag = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&back, &bag);
        prop_assert_eq!(serde_json::to_string(&back).unwrap(), text);
    }

    #[test]
    fn replaying_changes_reproduces_the_bag(start in arbitrary_bag(), ops in prop::collection::vec(op(), 0..30)) {
        let mut copy = start.clone();
        let mut bag = start;
        bag.mark();
        for op in ops {
            match op {
                Op::Set(labels, value) => { let _ = bag.set(path_of(&labels), value); }
                Op::Remove(labels) => { let _ = bag.remove(path_of(&labels)); }
                Op::Get(_) => {}
            }
        }
        let changes = bag.changes();
        // The change set survives serialization, as a remote store needs.
        let changes: ChangeSet = serde_json::from_str(&serde_json::to_string(&changes).unwrap()).unwrap();
        copy.apply(&changes);
        prop_assert_eq!(copy, bag);
    }
}
