//! moto's server (`moto_server`, installed by scripts/test.sh into the test
//! venv) on a free loopback port, stopped when the test is done with it.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running moto server; killed when dropped, however the test ends.
pub struct Moto {
    endpoint: String,
    child: Child,
}

impl Moto {
    /// Stock `moto_server` from the test venv.
    pub fn start() -> Moto {
        Moto::start_command(Command::new(venv_bin().join("moto_server")))
    }

    /// moto's server with its DynamoDB item operations serialized under one
    /// lock (`tests/py/moto_serialized.py`): stock moto evaluates conditions
    /// without a lock, so concurrent conditional puts of one key can both
    /// succeed there, never in DynamoDB. For tests that race on one item.
    pub fn start_serialized() -> Moto {
        let mut command = Command::new(venv_bin().join("python"));
        command.arg(concat!(env!("CARGO_MANIFEST_DIR"), "/py/moto_serialized.py"));
        Moto::start_command(command)
    }

    /// `command` as moto's server: it is given `-H 127.0.0.1 -p <port>` and
    /// must listen there within 30 s. For a launcher that sets moto up first,
    /// or `moto_server` with extra environment.
    pub fn start_command(mut command: Command) -> Moto {
        let bin = venv_bin();
        assert!(
            bin.join("moto_server").exists(),
            "moto_server is not in {}: run the tests with scripts/test.sh, which installs it",
            bin.display()
        );
        let port = free_port();
        let child = command
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto's server starts");
        let moto = Moto {
            endpoint: format!("http://127.0.0.1:{port}"),
            child,
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "moto's server listens within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nobody listens on when asked.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

/// The test venv's `bin` (`PYPWEXT_PYTHON`'s folder, or target/python-venv).
pub fn venv_bin() -> PathBuf {
    PathBuf::from(crate::python())
        .parent()
        .expect("the venv's bin")
        .to_path_buf()
}
