//! A throwaway redis-server per test: started on a free loopback port, stopped on drop.
//!
//! Where `redis-server` is not on the PATH, [`RedisServer::start`] prints that the test
//! is skipped and returns `None`; with `SESSION_REQUIRE_REDIS=1` (set by `.ci/run`)
//! that is a failure instead.

#![allow(dead_code, unreachable_pub)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use session_redis::RedisStore;

/// A redis-server child process, killed on drop.
#[derive(Debug)]
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
}

fn redis_server_on_path() -> bool {
    Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

impl RedisServer {
    /// Starts a server, or `None` (after saying so) when redis-server is missing.
    pub fn start() -> Option<Self> {
        if !redis_server_on_path() {
            if std::env::var("SESSION_REQUIRE_REDIS").as_deref() == Ok("1") {
                panic!("redis-server is not on PATH and SESSION_REQUIRE_REDIS=1");
            }
            // Straight to stderr, past the test harness's output capture, so the skip
            // shows in a normal `cargo test` run.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: redis-server not on PATH (set SESSION_REQUIRE_REDIS=1 to fail)"
            );
            return None;
        }
        let mut server = RedisServer {
            child: None,
            port: free_port(),
        };
        server.restart();
        Some(server)
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:{port}`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port (killing it first if it runs) and
    /// waits until it answers PING. Its data is gone: it persists nothing.
    pub fn restart(&mut self) {
        self.kill();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let mut child = Command::new("redis-server")
                .args(["--port", &self.port.to_string()])
                .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
                .args(["--dir", &std::env::temp_dir().to_string_lossy()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("redis-server starts");
            if wait_for_ping(self.port, Duration::from_secs(5))
                && matches!(child.try_wait(), Ok(None))
            {
                self.child = Some(child);
                return;
            }
            // The port may not be free again yet (or was taken): try once more.
            let _ = child.kill();
            let _ = child.wait();
            assert!(
                Instant::now() < deadline,
                "redis-server did not answer PING on port {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Freezes the server (SIGSTOP): it keeps its connections but answers nothing.
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    /// Thaws a server frozen by [`RedisServer::pause`].
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let pid = self.child.as_ref().expect("server running").id();
        let status = Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill {signal} {pid}");
    }

    /// A store on this server, with a short command timeout so outage tests are quick.
    pub async fn store(&self) -> RedisStore {
        RedisStore::builder(self.url())
            .with_command_timeout(Duration::from_millis(500))
            .connect()
            .await
            .expect("connect to the test redis-server")
    }

    /// A plain connection to inspect the server (TTLs, stats) the way an operator would.
    pub async fn inspect(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(self.url())
            .expect("valid url")
            .get_multiplexed_async_connection()
            .await
            .expect("connect to the test redis-server")
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

fn wait_for_ping(port: u16, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
            let mut answer = [0u8; 7];
            if stream.write_all(b"PING\r\n").is_ok()
                && stream.read_exact(&mut answer).is_ok()
                && &answer == b"+PONG\r\n"
            {
                return true;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}
