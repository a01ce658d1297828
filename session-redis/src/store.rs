//! `RedisStore`: the [`SessionStore`] contract on one Redis hash per session.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use redis::aio::ConnectionManager;
use redis::{Cmd, ErrorKind, RedisError, Script, ServerErrorKind};
use session_core::store::Result;
use session_core::{
    AuthSnapshot, Session, SessionChanges, SessionId, SessionMeta, SessionStore, StoreError,
    unix_millis,
};

use crate::config::RedisStoreBuilder;
use crate::stored;

const CREATE_LUA: &str = include_str!("lua/create.lua");
const SAVE_LUA: &str = include_str!("lua/save.lua");

/// The hash fields `load` reads, in this order.
const FIELDS: [&str; 5] = ["created_at", "last_access", "ttl", "auth", "data"];

/// A Lua script and its SHA1, sent by hash once Redis has it cached.
#[derive(Debug)]
struct LuaScript {
    code: &'static str,
    sha: String,
}

impl LuaScript {
    fn new(code: &'static str) -> Self {
        LuaScript {
            code,
            sha: Script::new(code).get_hash().to_owned(),
        }
    }
}

#[derive(Debug)]
struct Inner {
    connection: ConnectionManager,
    key_prefix: String,
    command_timeout: Duration,
    create: LuaScript,
    save: LuaScript,
    round_trips: AtomicU64,
}

/// Sessions in Redis (or Valkey), shared by every process that points at the same
/// server and key prefix. See the [crate docs](crate) for the data layout and costs.
///
/// Clones share one multiplexed connection, which reconnects by itself.
#[derive(Debug, Clone)]
pub struct RedisStore {
    inner: Arc<Inner>,
}

impl RedisStore {
    /// A builder for a store at `url` (`redis://[user:password@]host[:port][/db]`,
    /// or `rediss://` where the `redis` crate was built with TLS).
    pub fn builder(url: impl Into<String>) -> RedisStoreBuilder {
        RedisStoreBuilder::new(url)
    }

    /// Connects to `url` with the default prefix and timeouts.
    pub async fn connect(url: impl Into<String>) -> Result<Self> {
        Self::builder(url).connect().await
    }

    pub(crate) fn from_parts(
        connection: ConnectionManager,
        key_prefix: String,
        command_timeout: Duration,
    ) -> Self {
        RedisStore {
            inner: Arc::new(Inner {
                connection,
                key_prefix,
                command_timeout,
                create: LuaScript::new(CREATE_LUA),
                save: LuaScript::new(SAVE_LUA),
                round_trips: AtomicU64::new(0),
            }),
        }
    }

    /// The Redis key of session `id`: the prefix followed by the id.
    pub fn key(&self, id: &SessionId) -> String {
        format!("{}{id}", self.inner.key_prefix)
    }

    /// The bound on one operation.
    pub fn command_timeout(&self) -> Duration {
        self.inner.command_timeout
    }

    /// How many requests this store (all its clones) has sent to Redis: one per
    /// round trip. For tests that check the cost of an operation.
    #[doc(hidden)]
    pub fn round_trips(&self) -> u64 {
        self.inner.round_trips.load(Ordering::Relaxed)
    }

    async fn query<T: redis::FromRedisValue>(&self, cmd: &Cmd) -> redis::RedisResult<T> {
        self.inner.round_trips.fetch_add(1, Ordering::Relaxed);
        let mut connection = self.inner.connection.clone();
        cmd.query_async(&mut connection).await
    }

    /// Runs a script by hash; when Redis does not have it cached (first use, or a
    /// restarted server), sends it whole with EVAL, which also caches it.
    async fn eval(&self, script: &LuaScript, key: &str, args: &[&[u8]]) -> redis::RedisResult<i64> {
        let by_hash = script_cmd("EVALSHA", &script.sha, key, args);
        match self.query(&by_hash).await {
            Err(err) if err.kind() == ErrorKind::Server(ServerErrorKind::NoScript) => {
                tracing::debug!("Redis did not have the session script cached; sending it");
                self.query(&script_cmd("EVAL", script.code, key, args))
                    .await
            }
            result => result,
        }
    }

    /// Bounds `operation` by the command timeout and turns Redis errors into store
    /// errors.
    async fn bounded<T>(
        &self,
        what: &'static str,
        operation: impl Future<Output = redis::RedisResult<T>>,
    ) -> Result<T> {
        let timeout = self.inner.command_timeout;
        match tokio::time::timeout(timeout, operation).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => Err(store_error(what, err, timeout)),
            Err(_) => Err(StoreError::Timeout(timeout)),
        }
    }
}

fn script_cmd(command: &str, script: &str, key: &str, args: &[&[u8]]) -> Cmd {
    let mut cmd = redis::cmd(command);
    cmd.arg(script).arg(1).arg(key);
    for arg in args {
        cmd.arg(*arg);
    }
    cmd
}

fn store_error(what: &'static str, err: RedisError, timeout: Duration) -> StoreError {
    if err.is_timeout() {
        StoreError::Timeout(timeout)
    } else {
        StoreError::unavailable(format!("Redis could not {what}: {err}"), err)
    }
}

fn millis(time: SystemTime) -> String {
    unix_millis::to_millis(time).to_string()
}

fn parse_field<T: std::str::FromStr>(name: &str, text: Option<&str>) -> Result<T> {
    text.and_then(|text| text.parse().ok())
        .ok_or_else(|| StoreError::Codec {
            action: "decoded",
            message: format!("stored session field `{name}` is missing or malformed"),
        })
}

fn decode_session(id: SessionId, fields: &[Option<String>]) -> Result<Option<Session>> {
    let [created_at, last_access, ttl, auth, data] = fields else {
        return Err(StoreError::Codec {
            action: "decoded",
            message: format!("Redis answered {} fields for 5", fields.len()),
        });
    };
    if last_access.is_none() {
        return Ok(None);
    }
    let meta = SessionMeta {
        created_at: unix_millis::from_millis(parse_field("created_at", created_at.as_deref())?),
        last_access: unix_millis::from_millis(parse_field("last_access", last_access.as_deref())?),
        ttl: parse_field("ttl", ttl.as_deref())?,
    };
    if meta.is_expired_at(SystemTime::now()) {
        return Ok(None);
    }
    let auth =
        match auth {
            Some(text) => Some(serde_json::from_str::<AuthSnapshot>(text).map_err(|err| {
                StoreError::Codec {
                    action: "decoded",
                    message: format!("stored auth snapshot: {err}"),
                }
            })?),
            None => None,
        };
    let data = match data {
        Some(text) => stored::decode_bag(text)?,
        None => session_core::Bag::new(),
    };
    Ok(Some(Session::from_parts(id, meta, data, auth)))
}

impl SessionStore for RedisStore {
    async fn create(&self, session: &Session) -> Result<()> {
        let meta = session.meta();
        let data = stored::encode_bag(session.data())?;
        let auth = match session.auth() {
            Some(auth) => serde_json::to_string(auth).map_err(|err| StoreError::Codec {
                action: "encoded",
                message: format!("auth snapshot: {err}"),
            })?,
            None => String::new(),
        };
        let key = self.key(&session.id());
        let (now, created_at) = (millis(SystemTime::now()), millis(meta.created_at));
        let (last_access, ttl) = (millis(meta.last_access), meta.ttl.to_string());
        let args: [&[u8]; 6] = [
            now.as_bytes(),
            created_at.as_bytes(),
            last_access.as_bytes(),
            ttl.as_bytes(),
            data.as_bytes(),
            auth.as_bytes(),
        ];
        let stored = self
            .bounded(
                "create a session",
                self.eval(&self.inner.create, &key, &args),
            )
            .await?;
        if stored == 1 {
            Ok(())
        } else {
            Err(StoreError::IdCollision)
        }
    }

    async fn load(&self, id: &SessionId) -> Result<Option<Session>> {
        let mut cmd = redis::cmd("HMGET");
        cmd.arg(self.key(id)).arg(&FIELDS[..]);
        let fields: Vec<Option<String>> = self.bounded("load a session", self.query(&cmd)).await?;
        decode_session(*id, &fields)
    }

    async fn save_changes(&self, id: &SessionId, changes: &SessionChanges) -> Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        let data = if changes.data.is_empty() {
            String::new()
        } else {
            stored::encode_changes(&changes.data)?
        };
        let last_access = changes.last_access.map(millis).unwrap_or_default();
        let ttl = changes.ttl.map(|ttl| ttl.to_string()).unwrap_or_default();
        let now = millis(SystemTime::now());
        let args: [&[u8]; 4] = [
            now.as_bytes(),
            last_access.as_bytes(),
            ttl.as_bytes(),
            data.as_bytes(),
        ];
        let key = self.key(id);
        let applied = self
            .bounded("save a session", self.eval(&self.inner.save, &key, &args))
            .await?;
        if applied == 1 {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    async fn delete(&self, id: &SessionId) -> Result<bool> {
        // UNLINK frees a large session off the main thread.
        let mut cmd = redis::cmd("UNLINK");
        cmd.arg(self.key(id));
        let removed: i64 = self.bounded("delete a session", self.query(&cmd)).await?;
        Ok(removed > 0)
    }

    async fn purge_expired(&self) -> Result<usize> {
        // Every session key carries a TTL: Redis drops expired sessions by itself.
        Ok(0)
    }
}
