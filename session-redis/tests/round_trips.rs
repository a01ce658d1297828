//! What each operation costs in round trips to Redis, counted by the store and
//! cross-checked with the server's own command statistics.

mod common;

use std::collections::HashMap;
use std::time::SystemTime;

use common::RedisServer;
use session_core::{Session, SessionChanges, SessionId, SessionStore};
use session_redis::RedisStore;

/// The commands the store sends at top level; the scripts' own commands (HGET, HSET,
/// EXPIRE, DEL) are counted under their names and left out here.
const TOP_LEVEL: [&str; 4] = ["evalsha", "eval", "hmget", "unlink"];

/// Calls per command, from `INFO commandstats`.
async fn server_calls(redis: &RedisServer) -> HashMap<String, u64> {
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(&mut redis.inspect().await)
        .await
        .unwrap();
    info.lines()
        .filter_map(|line| {
            let (name, stats) = line.strip_prefix("cmdstat_")?.split_once(':')?;
            let calls = stats
                .strip_prefix("calls=")?
                .split(',')
                .next()?
                .parse()
                .ok()?;
            Some((name.to_owned(), calls))
        })
        .collect()
}

/// Runs `operation` and returns (round trips counted by the store, top-level
/// commands counted by Redis).
async fn cost<F: Future>(redis: &RedisServer, store: &RedisStore, operation: F) -> (u64, u64) {
    let (store_before, server_before) = (store.round_trips(), server_calls(redis).await);
    operation.await;
    let (store_after, server_after) = (store.round_trips(), server_calls(redis).await);
    let server = TOP_LEVEL
        .iter()
        .map(|name| {
            server_after.get(*name).copied().unwrap_or(0)
                - server_before.get(*name).copied().unwrap_or(0)
        })
        .sum();
    (store_after - store_before, server)
}

#[tokio::test]
async fn each_operation_costs_one_round_trip() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let store = redis.store().await;
    let mut session = Session::new(SessionId::generate(), None, 3600);
    session.data_mut().set("visits", 1).unwrap();
    let id = session.id();

    // First use of the create script on this server: EVALSHA answers NOSCRIPT, then
    // EVAL sends the script (and caches it).
    let first = cost(&redis, &store, async {
        store.create(&session).await.unwrap();
    })
    .await;
    assert_eq!(first, (2, 2), "create with the script not yet cached");
    let warm_up = Session::new(SessionId::generate(), None, 3600);
    store.create(&warm_up).await.unwrap();
    store.save_changes(&warm_up.id(), &touched()).await.unwrap();

    let create = cost(&redis, &store, async {
        store
            .create(&Session::new(SessionId::generate(), None, 3600))
            .await
            .unwrap();
    })
    .await;
    assert_eq!(create, (1, 1), "create");

    // A request that only reads: one load, plus one save when the touch is due.
    let mut loaded = None;
    let load = cost(&redis, &store, async {
        loaded = store.load(&id).await.unwrap();
    })
    .await;
    assert_eq!(load, (1, 1), "load");
    let touch = cost(&redis, &store, async {
        store.save_changes(&id, &touched()).await.unwrap();
    })
    .await;
    assert_eq!(touch, (1, 1), "touch");

    // A request that changes data: one load and one save, touch included.
    let write = cost(&redis, &store, async {
        let mut session = store.load(&id).await.unwrap().unwrap();
        session.data_mut().mark();
        session.data_mut().set("visits", 2).unwrap();
        session.data_mut().set("cart.apple", 3).unwrap();
        session.data_mut().remove("nothing").unwrap();
        let changes = SessionChanges {
            data: session.data().changes(),
            last_access: Some(SystemTime::now()),
            ttl: Some(7200),
        };
        store.save_changes(&id, &changes).await.unwrap();
    })
    .await;
    assert_eq!(write, (2, 2), "load and save");
    let after = store.load(&id).await.unwrap().unwrap();
    assert_eq!(after.data().get_as::<u32>("cart.apple").unwrap(), Some(3));

    let nothing = cost(&redis, &store, async {
        store
            .save_changes(&id, &SessionChanges::default())
            .await
            .unwrap();
    })
    .await;
    assert_eq!(nothing, (0, 0), "an empty change set is not sent");

    let delete = cost(&redis, &store, async {
        assert!(store.delete(&id).await.unwrap());
    })
    .await;
    assert_eq!(delete, (1, 1), "delete");
    assert!(loaded.is_some());
}

fn touched() -> SessionChanges {
    SessionChanges {
        last_access: Some(SystemTime::now()),
        ..SessionChanges::default()
    }
}
