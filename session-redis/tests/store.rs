//! RedisStore against a real redis-server: the SessionStore contract, TTLs, layout.

mod common;

use std::time::{Duration, SystemTime};

use common::RedisServer;
use redis::AsyncCommands;
use serde_json::json;
use session_core::bag::Bag;
use session_core::{
    AuthSnapshot, Session, SessionChanges, SessionId, SessionStore, StoreError, unix_millis,
};
use session_redis::RedisStore;

/// Now, to the millisecond: stores keep times as milliseconds, as `SessionMeta`'s
/// serde form does.
fn now_ms() -> SystemTime {
    unix_millis::from_millis(unix_millis::to_millis(SystemTime::now()))
}

fn touched_now() -> SessionChanges {
    SessionChanges {
        last_access: Some(SystemTime::now()),
        ..SessionChanges::default()
    }
}

/// Loads `id`, applies `edit` to its data and saves what changed.
async fn edit(store: &RedisStore, id: SessionId, edit: impl FnOnce(&mut Bag)) -> SessionChanges {
    let mut session = store.load(&id).await.unwrap().expect("live session");
    session.data_mut().mark();
    edit(session.data_mut());
    let changes = SessionChanges {
        data: session.data().changes(),
        ..SessionChanges::default()
    };
    store.save_changes(&id, &changes).await.unwrap();
    changes
}

async fn ttl_of(redis: &RedisServer, key: &str) -> i64 {
    redis.inspect().await.ttl(key).await.unwrap()
}

#[tokio::test]
async fn create_load_save_delete() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let store = redis.store().await;
    let auth = AuthSnapshot::new("ada")
        .with_tags(["admin", "staff"])
        .with_backend("password")
        .with_extra("team", json!({"name": "core", "size": 3}));
    let mut session = Session::new_at(SessionId::generate(), Some(auth.clone()), 3600, now_ms());
    session.data_mut().set("visits", 1).unwrap();
    store.create(&session).await.unwrap();

    let loaded = store.load(&session.id()).await.unwrap().expect("created");
    assert_eq!(loaded, session);
    assert_eq!(loaded.auth(), Some(&auth));
    assert_eq!(loaded.avatar().identity(), "ada");

    edit(&store, session.id(), |data| {
        data.set("visits", 2).unwrap();
        data.set("cart.apple", 3).unwrap();
    })
    .await;
    let loaded = store
        .load(&session.id())
        .await
        .unwrap()
        .expect("still there");
    assert_eq!(loaded.data().get_as::<u32>("visits").unwrap(), Some(2));
    assert_eq!(loaded.data().get_as::<u32>("cart.apple").unwrap(), Some(3));
    assert_eq!(
        loaded.meta(),
        session.meta(),
        "a data-only save keeps the meta"
    );

    assert!(store.delete(&session.id()).await.unwrap());
    assert!(!store.delete(&session.id()).await.unwrap());
    assert_eq!(store.load(&session.id()).await.unwrap(), None);
    assert!(matches!(
        store
            .save_changes(&session.id(), &touched_now())
            .await
            .unwrap_err(),
        StoreError::NotFound
    ));
    assert_eq!(store.purge_expired().await.unwrap(), 0);
}

#[tokio::test]
async fn create_never_overwrites_a_live_session() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let store = redis.store().await;
    let id = SessionId::generate();
    let mut first = Session::new(id, None, 3600);
    first.data_mut().set("owner", "first").unwrap();
    store.create(&first).await.unwrap();

    let mut second = Session::new(id, Some(AuthSnapshot::new("mallory")), 3600);
    second.data_mut().set("owner", "second").unwrap();
    assert!(matches!(
        store.create(&second).await.unwrap_err(),
        StoreError::IdCollision
    ));
    let loaded = store.load(&id).await.unwrap().unwrap();
    assert_eq!(
        loaded.data().get_as::<String>("owner").unwrap().unwrap(),
        "first"
    );
    assert!(loaded.auth().is_none());

    // An expired session still in Redis does not hold its id.
    let stale_id = SessionId::generate();
    let long_ago = SystemTime::now() - Duration::from_secs(100);
    store
        .create(&Session::new_at(stale_id, None, 10, long_ago))
        .await
        .unwrap();
    store
        .create(&Session::new(stale_id, None, 60))
        .await
        .unwrap();
    assert!(store.load(&stale_id).await.unwrap().is_some());
}

#[tokio::test]
async fn every_key_has_the_session_ttl() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let store = redis.store().await;
    let mut ids = Vec::new();
    for ttl in [60, 3600, 86_400, i64::MAX] {
        let mut session = Session::new(SessionId::generate(), None, ttl);
        session.data_mut().set("a.b", 1).unwrap();
        store.create(&session).await.unwrap();
        edit(&store, session.id(), |data| data.set("a.c", 2).unwrap()).await;
        store
            .save_changes(&session.id(), &touched_now())
            .await
            .unwrap();
        ids.push((session.id(), ttl));
    }
    let mut inspect = redis.inspect().await;
    let keys: Vec<String> = inspect.keys("*").await.unwrap();
    assert_eq!(
        keys.len(),
        ids.len(),
        "one key per session, nothing beside it"
    );
    for (id, ttl) in ids {
        let key = store.key(&id);
        assert!(keys.contains(&key), "{key}");
        let left: i64 = inspect.ttl(&key).await.unwrap();
        assert!(left > 0, "{key} has TTL {left}");
        assert!(left <= ttl.min(i64::from(i32::MAX)), "{key} has TTL {left}");
        assert!(
            left >= ttl.min(i64::from(i32::MAX)) - 5,
            "{key} has TTL {left}"
        );
    }
}

#[tokio::test]
async fn a_touch_refreshes_the_ttl_and_a_data_save_leaves_it() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let store = redis.store().await;
    let session = Session::new(SessionId::generate(), None, 600);
    store.create(&session).await.unwrap();
    let key = store.key(&session.id());
    let _: bool = redis.inspect().await.expire(&key, 30).await.unwrap();

    edit(&store, session.id(), |data| data.set("x", 1).unwrap()).await;
    assert!(ttl_of(&redis, &key).await <= 30);

    let touch = touched_now();
    store.save_changes(&session.id(), &touch).await.unwrap();
    assert!(ttl_of(&redis, &key).await > 590);
    let loaded = store.load(&session.id()).await.unwrap().unwrap();
    assert_eq!(
        unix_millis::to_millis(loaded.meta().last_access),
        unix_millis::to_millis(touch.last_access.unwrap())
    );

    // A touch older than the stored one (another process was later) is ignored.
    let older = SessionChanges {
        last_access: Some(session.meta().created_at),
        ..SessionChanges::default()
    };
    store.save_changes(&session.id(), &older).await.unwrap();
    let again = store.load(&session.id()).await.unwrap().unwrap();
    assert_eq!(again.meta().last_access, loaded.meta().last_access);

    // A new ttl is stored and applied to the key.
    let shorter = SessionChanges {
        ttl: Some(120),
        ..SessionChanges::default()
    };
    store.save_changes(&session.id(), &shorter).await.unwrap();
    let left = ttl_of(&redis, &key).await;
    assert!((115..=120).contains(&left), "TTL {left}");
    assert_eq!(
        store.load(&session.id()).await.unwrap().unwrap().meta().ttl,
        120
    );

    // A ttl of zero or less means always expired.
    let zero = SessionChanges {
        ttl: Some(0),
        ..SessionChanges::default()
    };
    store.save_changes(&session.id(), &zero).await.unwrap();
    assert_eq!(store.load(&session.id()).await.unwrap(), None);
    assert_eq!(ttl_of(&redis, &key).await, -2, "the key is gone");
}

#[tokio::test]
async fn redis_expires_sessions_by_itself() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let store = redis.store().await;
    let session = Session::new(SessionId::generate(), None, 1);
    store.create(&session).await.unwrap();
    assert!(store.load(&session.id()).await.unwrap().is_some());
    // Redis itself must expire the key: a real wait past the 1 s TTL.
    tokio::time::sleep(Duration::from_millis(1_300)).await;
    let exists: bool = redis
        .inspect()
        .await
        .exists(store.key(&session.id()))
        .await
        .unwrap();
    assert!(!exists, "Redis dropped the key");
    assert_eq!(store.load(&session.id()).await.unwrap(), None);
}

#[tokio::test]
async fn expired_sessions_are_never_returned_nor_saved() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let store = redis.store().await;
    // Last used 100 s ago with a ttl of 10 s: expired by the session's own rule,
    // while the key (TTL 10 s from now) is still in Redis.
    let long_ago = SystemTime::now() - Duration::from_secs(100);
    let session = Session::new_at(SessionId::generate(), None, 10, long_ago);
    store.create(&session).await.unwrap();
    assert!(ttl_of(&redis, &store.key(&session.id())).await > 0);
    assert_eq!(store.load(&session.id()).await.unwrap(), None);
    assert!(matches!(
        store
            .save_changes(&session.id(), &touched_now())
            .await
            .unwrap_err(),
        StoreError::NotFound
    ));
    assert_eq!(ttl_of(&redis, &store.key(&session.id())).await, -2);

    // Born expired (ttl 0): nothing is kept.
    let never = Session::new(SessionId::generate(), None, 0);
    store.create(&never).await.unwrap();
    assert_eq!(ttl_of(&redis, &store.key(&never.id())).await, -2);
    assert_eq!(store.load(&never.id()).await.unwrap(), None);
}

fn rich_bag() -> Bag {
    let mut bag = Bag::new();
    bag.set("zeta", 1).unwrap();
    bag.set("alpha.items", json!([{"b": 1, "a": 2}, {"z": null}]))
        .unwrap();
    bag.set("alpha.nothing", serde_json::Value::Null).unwrap();
    bag.set("alpha.empty_array", json!([])).unwrap();
    bag.set("alpha.empty_object", json!({})).unwrap();
    bag.set("alpha.deep.er.est", "bottom").unwrap();
    bag.set("alpha?zz", "first attribute").unwrap();
    bag.set("alpha?aa", json!({"y": [], "x": 1.5})).unwrap();
    bag.set("numbers.big", u64::MAX).unwrap();
    bag.set("numbers.negative", i64::MIN).unwrap();
    bag.set("numbers.float", 0.1 + 0.2).unwrap();
    bag.set("numbers.tiny", 5e-324).unwrap();
    bag.set("numbers.integer_float", 3.0).unwrap();
    bag.set(r"fichiers.réunion\.2024\.pdf", "ü ✓ 😀 \"quoted\" \\ /")
        .unwrap();
    bag.set(r"fichiers.réunion\.2024\.pdf?taille", 1024)
        .unwrap();
    bag.set("labels.1", "one").unwrap();
    bag.set("labels.#hash", "not an index").ok();
    bag.set("empty_bag", Bag::new()).unwrap();
    bag
}

fn order_of(bag: &Bag) -> Vec<String> {
    bag.walk().map(|(path, _)| path.to_string()).collect()
}

#[tokio::test]
async fn order_nesting_and_attributes_survive() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let store = redis.store().await;
    let mut session = Session::new(SessionId::generate(), None, 3600);
    *session.data_mut() = rich_bag();
    store.create(&session).await.unwrap();
    let loaded = store.load(&session.id()).await.unwrap().unwrap();
    assert_eq!(loaded.data(), session.data());
    assert_eq!(
        serde_json::to_string(loaded.data()).unwrap(),
        serde_json::to_string(session.data()).unwrap(),
        "identical serde form: key order of leaf objects and attributes included"
    );

    // The same Bag built through saves, from an empty session, and then edited.
    let built = Session::new(SessionId::generate(), None, 3600);
    store.create(&built).await.unwrap();
    let mut expected = Bag::new();
    for node in rich_bag().iter() {
        let label = session_core::bag::escape_label(node.label());
        let changes = edit(&store, built.id(), |data| {
            data.set_with_attributes(
                label.as_str(),
                node.value().clone(),
                node.attributes().iter().map(|(k, v)| (k, v.clone())),
            )
            .unwrap();
        })
        .await;
        expected.apply(&changes.data);
    }
    let loaded = store.load(&built.id()).await.unwrap().unwrap();
    assert_eq!(loaded.data(), &rich_bag());

    let edits = |data: &mut Bag| {
        data.set("alpha.items", "replaced in place").unwrap();
        data.set("alpha.new", json!({"k": [1, 2]})).unwrap();
        data.remove("alpha.nothing").unwrap();
        data.set("zeta.now.a.bag", true).unwrap_err(); // zeta is a leaf
        data.remove("zeta").unwrap();
        data.set("zeta", "re-appended at the end").unwrap();
        data.remove_attr("alpha", "zz").unwrap();
        data.set("alpha?new", 7).unwrap();
        data.set("numbers.float?unit", "m").unwrap();
        data.set("empty_bag.now", "not empty").unwrap();
    };
    let changes = edit(&store, built.id(), edits).await;
    expected.apply(&changes.data);
    let mut local = rich_bag();
    edits(&mut local);
    assert_eq!(expected, local);
    let loaded = store.load(&built.id()).await.unwrap().unwrap();
    assert_eq!(loaded.data(), &local);
    assert_eq!(order_of(loaded.data()), order_of(&local));
    assert_eq!(
        loaded.data().get_attr("alpha", "new").unwrap(),
        Some(&json!(7))
    );
    assert_eq!(
        serde_json::to_string(loaded.data()).unwrap(),
        serde_json::to_string(&local).unwrap()
    );
}

#[tokio::test]
async fn a_set_through_a_leaf_replaces_it_as_bag_apply_does() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let store = redis.store().await;
    let mut session = Session::new(SessionId::generate(), None, 3600);
    session.data_mut().set("a", 1).unwrap();
    session.data_mut().set("a?keep", "me").unwrap();
    session.data_mut().set("b", 2).unwrap();
    store.create(&session).await.unwrap();

    // A change set from another copy in which `a` had become a Bag.
    let mut other = Bag::new();
    other.set("a.x.y", 1).unwrap();
    other.mark();
    other.set("a.x.z", 2).unwrap();
    let changes = SessionChanges {
        data: other.changes(),
        ..SessionChanges::default()
    };
    store.save_changes(&session.id(), &changes).await.unwrap();

    let mut expected = session.data().clone();
    expected.apply(&changes.data);
    let loaded = store.load(&session.id()).await.unwrap().unwrap();
    assert_eq!(loaded.data(), &expected);
    assert_eq!(loaded.data().get_as::<u32>("a.x.z").unwrap(), Some(2));
    assert_eq!(order_of(loaded.data()), ["a", "a.x", "a.x.z", "b"]);
}

#[tokio::test]
async fn concurrent_saves_of_distinct_paths_from_two_stores_all_survive() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let stores = [redis.store().await, redis.store().await];
    let mut session = Session::new(SessionId::generate(), None, 3600);
    session.data_mut().set("items", Bag::new()).unwrap();
    stores[0].create(&session).await.unwrap();

    let id = session.id();
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let store = stores[i % 2].clone();
            tokio::spawn(async move {
                edit(&store, id, |data| {
                    data.set(format!("items.k{i}").as_str(), i).unwrap();
                })
                .await;
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let loaded = stores[1].load(&id).await.unwrap().unwrap();
    let items = loaded.data().get_bag("items").unwrap().unwrap();
    assert_eq!(items.len(), 200, "every write survived");
    for i in 0..200 {
        assert_eq!(
            loaded
                .data()
                .get_as::<usize>(format!("items.k{i}").as_str())
                .unwrap(),
            Some(i)
        );
    }
}

#[tokio::test]
async fn two_stores_share_sessions_and_prefixes_keep_apps_apart() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let one = redis.store().await;
    let two = RedisStore::connect(redis.url()).await.unwrap();
    let other_app = RedisStore::builder(redis.url())
        .with_key_prefix("other-app:")
        .connect()
        .await
        .unwrap();
    let session = Session::new_at(SessionId::generate(), None, 3600, now_ms());
    one.create(&session).await.unwrap();
    assert_eq!(
        two.load(&session.id()).await.unwrap(),
        Some(session.clone())
    );
    assert_eq!(other_app.load(&session.id()).await.unwrap(), None);
    assert!(other_app.key(&session.id()).starts_with("other-app:"));
    assert!(one.key(&session.id()).starts_with("session:"));
    assert!(two.delete(&session.id()).await.unwrap());
    assert_eq!(one.load(&session.id()).await.unwrap(), None);
}

#[tokio::test]
async fn corrupt_stored_data_is_a_codec_error() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let store = redis.store().await;
    let session = Session::new(SessionId::generate(), None, 3600);
    store.create(&session).await.unwrap();
    let key = store.key(&session.id());
    let _: () = redis
        .inspect()
        .await
        .hset(&key, "data", "[{\"l\":\"x\"}]")
        .await
        .unwrap();
    assert!(matches!(
        store.load(&session.id()).await.unwrap_err(),
        StoreError::Codec { .. }
    ));
    let _: () = redis
        .inspect()
        .await
        .hset(&key, "last_access", "yesterday")
        .await
        .unwrap();
    assert!(matches!(
        store.load(&session.id()).await.unwrap_err(),
        StoreError::Codec { .. }
    ));
}

/// A small deterministic generator, so a failure replays exactly.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

#[tokio::test]
async fn random_edits_match_bag_apply() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let store = redis.store().await;
    for seed in [7, 11, 42, 1234] {
        random_edits(&store, seed).await;
    }
}

async fn random_edits(store: &RedisStore, seed: u64) {
    let session = Session::new(SessionId::generate(), None, 3600);
    store.create(&session).await.unwrap();
    let labels = ["a", "b", r"c\.d", "é", "#0x"];
    let values = [
        json!(1),
        json!(null),
        json!([]),
        json!({"z": 1, "a": [{}]}),
        json!(1.0e-7),
        json!("text"),
    ];
    let mut rng = Lcg(seed);
    let mut local = Bag::new();
    for round in 0..60 {
        let changes = edit(store, session.id(), |data| {
            for _ in 0..1 + rng.below(4) {
                let depth = 1 + rng.below(3);
                let path = (0..depth)
                    .map(|_| labels[rng.below(labels.len())])
                    .collect::<Vec<_>>()
                    .join(".");
                let path = path.replace("#0x", r"\#0x");
                match rng.below(5) {
                    0 | 1 => {
                        let _ = data.set(path.as_str(), values[rng.below(values.len())].clone());
                    }
                    2 => {
                        let _ = data.remove(path.as_str());
                    }
                    3 => {
                        let _ = data.set_attr(path.as_str(), labels[rng.below(2)], rng.below(9));
                    }
                    _ => {
                        let _ = data.set(path.as_str(), Bag::new());
                    }
                }
            }
        })
        .await;
        local.apply(&changes.data);
        let loaded = store.load(&session.id()).await.unwrap().unwrap();
        assert_eq!(
            loaded.data(),
            &local,
            "seed {seed} round {round}: {changes:?}"
        );
        assert_eq!(
            serde_json::to_string(loaded.data()).unwrap(),
            serde_json::to_string(&local).unwrap(),
            "seed {seed} round {round}"
        );
    }
    assert!(!local.is_empty());
}
