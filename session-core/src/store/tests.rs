use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::bag::{BagPath, Segment};
use crate::clock::ManualClock;

fn store_with_clock() -> (MemoryStore, ManualClock) {
    let clock = ManualClock::new();
    (
        MemoryStore::new().with_clock(Arc::new(clock.clone())),
        clock,
    )
}

fn session_at(clock: &ManualClock, ttl: i64) -> Session {
    use crate::Clock;
    Session::new_at(SessionId::generate(), None, ttl, clock.now())
}

#[tokio::test]
async fn create_load_delete() {
    let (store, clock) = store_with_clock();
    let mut session = session_at(&clock, 60);
    session.data_mut().set("a.b", 1).unwrap();
    session.set_auth(Some(AuthSnapshot::new("ada").with_tags(["admin"])));
    store.create(&session).await.unwrap();
    let loaded = store.load(&session.id()).await.unwrap().unwrap();
    assert_eq!(loaded, session);
    assert_eq!(loaded.avatar().identity(), "ada");
    assert!(store.delete(&session.id()).await.unwrap());
    assert!(!store.delete(&session.id()).await.unwrap());
    assert!(store.load(&session.id()).await.unwrap().is_none());
}

#[tokio::test]
async fn create_never_overwrites() {
    let (store, clock) = store_with_clock();
    let mut first = session_at(&clock, 60);
    first.data_mut().set("owner", "first").unwrap();
    store.create(&first).await.unwrap();
    let mut second = session_at(&clock, 60).with_id(first.id());
    second.data_mut().set("owner", "second").unwrap();
    assert!(matches!(
        store.create(&second).await,
        Err(StoreError::IdCollision)
    ));
    let loaded = store.load(&first.id()).await.unwrap().unwrap();
    assert_eq!(
        loaded.data().get_as::<String>("owner").unwrap().as_deref(),
        Some("first")
    );
}

#[tokio::test]
async fn expired_sessions_are_never_loaded_and_get_purged() {
    let (store, clock) = store_with_clock();
    let short = session_at(&clock, 10);
    let long = session_at(&clock, 100);
    store.create(&short).await.unwrap();
    store.create(&long).await.unwrap();
    clock.advance(Duration::from_secs(10));
    assert!(
        store.load(&short.id()).await.unwrap().is_some(),
        "exactly ttl is live"
    );
    clock.advance(Duration::from_millis(1));
    assert!(store.load(&short.id()).await.unwrap().is_none());
    assert!(store.load(&long.id()).await.unwrap().is_some());
    // `load` already dropped the expired one; make another expire for purge.
    let third = session_at(&clock, 1);
    store.create(&third).await.unwrap();
    clock.advance(Duration::from_secs(2));
    assert_eq!(store.purge_expired().await.unwrap(), 1);
    assert_eq!(store.len(), 1);
    assert!(matches!(
        store
            .save_changes(&third.id(), &SessionChanges::default())
            .await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test]
async fn touch_moves_expiry() {
    let (store, clock) = store_with_clock();
    let session = session_at(&clock, 10);
    store.create(&session).await.unwrap();
    clock.advance(Duration::from_secs(8));
    use crate::Clock;
    let changes = SessionChanges {
        last_access: Some(clock.now()),
        ..SessionChanges::default()
    };
    store.save_changes(&session.id(), &changes).await.unwrap();
    clock.advance(Duration::from_secs(8));
    let loaded = store
        .load(&session.id())
        .await
        .unwrap()
        .expect("touched 8 s ago");
    assert_eq!(
        loaded.meta().last_access,
        session.meta().last_access + Duration::from_secs(8)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_saves_of_distinct_paths_all_survive() {
    let store = MemoryStore::new();
    let session = Session::new(SessionId::generate(), None, 3600);
    store.create(&session).await.unwrap();
    let id = session.id();
    let mut tasks = Vec::new();
    for task in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..1000 {
                // Each save starts from its own loaded copy, as a request would.
                let mut loaded = store.load(&id).await.unwrap().unwrap();
                loaded.data_mut().mark();
                let path = BagPath::from_labels([format!("t{task}"), format!("k{i}")]).unwrap();
                loaded.data_mut().set(&path, i).unwrap();
                let changes = SessionChanges {
                    data: loaded.data_mut().take_changes(),
                    ..SessionChanges::default()
                };
                store.save_changes(&id, &changes).await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let loaded = store.load(&id).await.unwrap().unwrap();
    let leaves = loaded
        .data()
        .walk()
        .filter(|(p, _)| p.segments().len() == 2)
        .count();
    assert_eq!(leaves, 8000);
    for task in 0..8 {
        let level = loaded.data().get_bag(format!("t{task}")).unwrap().unwrap();
        assert_eq!(level.len(), 1000);
        assert_eq!(level.labels().next(), Some("k0"), "per-task order kept");
    }
    assert!(matches!(
        loaded.data().walk().next().unwrap().0.segments()[0],
        Segment::Label(_)
    ));
}

#[tokio::test(start_paused = true)]
async fn background_purge_runs_and_stops_with_the_store() {
    let clock = ManualClock::new();
    let store = MemoryStore::new()
        .with_clock(Arc::new(clock.clone()))
        .with_purge_interval(Duration::from_secs(30));
    let session = session_at(&clock, 5);
    store.create(&session).await.unwrap();
    clock.advance(Duration::from_secs(6));
    assert_eq!(store.len(), 1);
    tokio::time::sleep(Duration::from_secs(31)).await;
    assert_eq!(store.len(), 0, "purged in the background");

    let weak = Arc::downgrade(&store.inner);
    drop(store);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        weak.upgrade().is_none(),
        "the purge task holds no strong reference"
    );
}
