//! A real `redis-server` (installed by scripts/test.sh; `PYPWEXT_REDIS_SERVER`
//! names it, else the one on `PATH`) on a free loopback port, in memory
//! only, stopped when the test is done with it.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::moto::free_port;

/// A running redis-server; killed when dropped, however the test ends.
pub struct RedisServer {
    url: String,
    child: Child,
}

impl RedisServer {
    /// Starts one and waits until it answers on its port (30 s at most).
    pub fn start() -> RedisServer {
        let binary = std::env::var("PYPWEXT_REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_owned());
        let port = free_port();
        let child = Command::new(&binary)
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| {
                panic!(
                    "{binary} does not start ({err}): run the tests with scripts/test.sh, which installs redis-server"
                )
            });
        let server = RedisServer {
            url: format!("redis://127.0.0.1:{port}/0"),
            child,
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "redis-server listens within 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// `redis://127.0.0.1:<port>/0`.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
