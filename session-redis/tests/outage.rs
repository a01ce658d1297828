//! Redis down, frozen or not there yet: errors within the timeout, never a hang, and
//! service again once Redis is back, with the same store.

mod common;

use std::time::{Duration, Instant};

use common::RedisServer;
use session_core::{Session, SessionChanges, SessionId, SessionStore, StoreError};
use session_redis::RedisStore;

/// The error bound: the command timeout, plus scheduling slack on a busy machine.
const MARGIN: Duration = Duration::from_millis(750);

/// Runs every kind of operation; each must fail, within the bound.
async fn every_operation_fails_in_time(store: &RedisStore, id: SessionId) {
    let bound = store.command_timeout() + MARGIN;
    let changes = SessionChanges {
        ttl: Some(60),
        ..SessionChanges::default()
    };
    let started = Instant::now();
    let load = store.load(&id).await;
    let elapsed = started.elapsed();
    assert!(load.is_err(), "load answered {load:?} with Redis down");
    assert!(elapsed < bound, "load took {elapsed:?}");

    let started = Instant::now();
    let save = store.save_changes(&id, &changes).await;
    let elapsed = started.elapsed();
    assert!(
        matches!(
            save,
            Err(StoreError::Timeout(_) | StoreError::Unavailable { .. })
        ),
        "{save:?}"
    );
    assert!(elapsed < bound, "save took {elapsed:?}");

    let started = Instant::now();
    let create = store
        .create(&Session::new(SessionId::generate(), None, 60))
        .await;
    let elapsed = started.elapsed();
    assert!(create.is_err());
    assert!(elapsed < bound, "create took {elapsed:?}");

    let started = Instant::now();
    let delete = store.delete(&id).await;
    let elapsed = started.elapsed();
    assert!(delete.is_err());
    assert!(elapsed < bound, "delete took {elapsed:?}");
}

/// Polls until the store answers again; Redis is up, so it must within seconds.
async fn recovers(store: &RedisStore) {
    let deadline = Instant::now() + Duration::from_secs(15);
    let probe = SessionId::generate();
    loop {
        match store.load(&probe).await {
            Ok(found) => {
                assert_eq!(found, None);
                return;
            }
            Err(err) => assert!(
                Instant::now() < deadline,
                "no recovery after Redis came back: {err}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn redis_killed_gives_errors_in_time_then_service_resumes() {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let store = redis.store().await;
    let session = Session::new(SessionId::generate(), None, 3600);
    store.create(&session).await.unwrap();

    redis.kill();
    every_operation_fails_in_time(&store, session.id()).await;
    // Still failing cleanly on a second pass (reconnection attempts under way).
    every_operation_fails_in_time(&store, session.id()).await;

    redis.restart();
    recovers(&store).await;
    // The restarted server has no data and no cached scripts: creating and saving
    // work again (the scripts are sent anew).
    assert_eq!(store.load(&session.id()).await.unwrap(), None);
    let mut fresh = Session::new(SessionId::generate(), None, 3600);
    fresh.data_mut().set("back", true).unwrap();
    store.create(&fresh).await.unwrap();
    let touch = SessionChanges {
        last_access: Some(std::time::SystemTime::now()),
        ..SessionChanges::default()
    };
    store.save_changes(&fresh.id(), &touch).await.unwrap();
    let loaded = store.load(&fresh.id()).await.unwrap().unwrap();
    assert_eq!(loaded.data().get_as::<bool>("back").unwrap(), Some(true));
}

#[tokio::test]
async fn a_frozen_redis_times_out_then_service_resumes() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let store = redis.store().await;
    let session = Session::new(SessionId::generate(), None, 3600);
    store.create(&session).await.unwrap();

    redis.pause();
    let started = Instant::now();
    let load = store.load(&session.id()).await;
    let elapsed = started.elapsed();
    assert!(
        matches!(load, Err(StoreError::Timeout(_))),
        "a server that answers nothing is a timeout: {load:?}"
    );
    assert!(
        elapsed < store.command_timeout() + MARGIN,
        "took {elapsed:?}"
    );
    // Another id: a command that timed out may still run once Redis thaws.
    every_operation_fails_in_time(&store, SessionId::generate()).await;

    redis.resume();
    recovers(&store).await;
    assert!(
        store.load(&session.id()).await.unwrap().is_some(),
        "data kept"
    );
}

#[tokio::test]
async fn connect_fails_in_time_without_redis_and_a_lazy_store_waits_for_it() {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    redis.kill();
    let started = Instant::now();
    let eager = RedisStore::builder(redis.url())
        .with_connect_timeout(Duration::from_millis(300))
        .connect()
        .await;
    assert!(eager.is_err(), "connected to nothing");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );

    let lazy = RedisStore::builder(redis.url())
        .with_command_timeout(Duration::from_millis(500))
        .connect_lazy()
        .unwrap();
    let id = SessionId::generate();
    let started = Instant::now();
    assert!(lazy.load(&id).await.is_err());
    assert!(started.elapsed() < lazy.command_timeout() + MARGIN);

    redis.restart();
    recovers(&lazy).await;
    let session = Session::new(id, None, 60);
    lazy.create(&session).await.unwrap();
    assert!(lazy.load(&id).await.unwrap().is_some());
}
