//! How to reach Redis: URL, key prefix and timeouts, gathered by [`RedisStoreBuilder`].

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use session_core::StoreError;

use crate::store::RedisStore;

/// The default key prefix: a session with id `abc` lives at `session:abc`.
pub const DEFAULT_KEY_PREFIX: &str = "session:";
/// The default bound on one connection attempt.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// The default bound on one store operation, from call to answer.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(1);

/// Configures and connects a [`RedisStore`]; start with [`RedisStore::builder`].
///
/// ```no_run
/// use std::time::Duration;
/// use session_redis::RedisStore;
///
/// # async fn demo() -> Result<(), session_core::StoreError> {
/// let store = RedisStore::builder("redis://127.0.0.1:6379")
///     .with_key_prefix("shop:session:")
///     .with_connect_timeout(Duration::from_millis(500))
///     .with_command_timeout(Duration::from_millis(800))
///     .connect()
///     .await?;
/// # drop(store);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct RedisStoreBuilder {
    url: String,
    key_prefix: String,
    connect_timeout: Duration,
    command_timeout: Duration,
}

impl RedisStoreBuilder {
    pub(crate) fn new(url: impl Into<String>) -> Self {
        RedisStoreBuilder {
            url: url.into(),
            key_prefix: DEFAULT_KEY_PREFIX.to_owned(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            command_timeout: DEFAULT_COMMAND_TIMEOUT,
        }
    }

    /// Prefix of every key the store writes (default `"session:"`). Give each
    /// application sharing one Redis its own prefix.
    pub fn with_key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }

    /// Bound on one attempt to (re)connect (default 1 s).
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Bound on one store operation, waiting for a reconnection included (default
    /// 1 s). Past it the operation fails with [`StoreError::Timeout`], which the
    /// session layer answers with 503.
    pub fn with_command_timeout(mut self, timeout: Duration) -> Self {
        self.command_timeout = timeout;
        self
    }

    /// Connects now: fails with [`StoreError::Unavailable`] or
    /// [`StoreError::Timeout`] when Redis cannot be reached within the connect
    /// timeout. Once connected, the store reconnects by itself after any outage.
    pub async fn connect(self) -> Result<RedisStore, StoreError> {
        let (client, config) = self.client()?;
        let timeout = self.connect_timeout;
        let manager =
            match tokio::time::timeout(timeout, ConnectionManager::new_with_config(client, config))
                .await
            {
                Ok(Ok(manager)) => manager,
                Ok(Err(err)) => {
                    return Err(StoreError::unavailable(
                        format!("cannot connect to Redis at {}", self.redacted_url()),
                        err,
                    ));
                }
                Err(_) => return Err(StoreError::Timeout(timeout)),
            };
        Ok(RedisStore::from_parts(
            manager,
            self.key_prefix,
            self.command_timeout,
        ))
    }

    /// Builds the store without connecting: the first operation connects. Lets a
    /// service start while Redis is still down (its requests get 503 until it is up).
    /// Fails only on a malformed URL. Needs a Tokio runtime.
    pub fn connect_lazy(self) -> Result<RedisStore, StoreError> {
        let (client, config) = self.client()?;
        let manager = ConnectionManager::new_lazy_with_config(client, config).map_err(|err| {
            StoreError::unavailable(
                format!("cannot set up a Redis client for {}", self.redacted_url()),
                err,
            )
        })?;
        Ok(RedisStore::from_parts(
            manager,
            self.key_prefix,
            self.command_timeout,
        ))
    }

    fn client(&self) -> Result<(redis::Client, ConnectionManagerConfig), StoreError> {
        let client = redis::Client::open(self.url.as_str()).map_err(|err| {
            StoreError::unavailable(format!("invalid Redis URL {}", self.redacted_url()), err)
        })?;
        // Few, quick reconnection attempts: an operation waiting on a reconnection
        // is bounded by the command timeout anyway, and once Redis is back the next
        // operation should find it without sitting out a long backoff.
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.connect_timeout))
            .set_response_timeout(Some(self.command_timeout))
            .set_number_of_retries(2)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(500));
        Ok((client, config))
    }

    /// The URL without its password, for error messages.
    fn redacted_url(&self) -> String {
        match (self.url.find("://"), self.url.rfind('@')) {
            (Some(scheme_end), Some(at)) if at > scheme_end => {
                format!("{}://***@{}", &self.url[..scheme_end], &self.url[at + 1..])
            }
            _ => self.url.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_stay_out_of_messages() {
        let builder = RedisStoreBuilder::new("redis://user:secret@db:6379/0");
        assert_eq!(builder.redacted_url(), "redis://***@db:6379/0");
        let builder = RedisStoreBuilder::new("redis://db:6379");
        assert_eq!(builder.redacted_url(), "redis://db:6379");
    }

    #[test]
    fn defaults_suit_a_production_service() {
        let builder = RedisStoreBuilder::new("redis://db");
        assert_eq!(builder.key_prefix, "session:");
        assert!(builder.command_timeout <= Duration::from_secs(2));
        assert!(builder.connect_timeout <= Duration::from_secs(2));
    }

    #[test]
    fn a_malformed_url_is_refused() {
        let err = RedisStoreBuilder::new("not a url").client().unwrap_err();
        assert!(matches!(err, StoreError::Unavailable { .. }), "{err}");
    }
}
