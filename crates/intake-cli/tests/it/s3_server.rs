//! Real S3-compatible servers for the upload tests, started and stopped by the tests.
//!
//! Which server: `INTAKE_TEST_S3_SERVER=s3s-fs` (the default, what `.ci/run` uses) or
//! `garage` (`scripts/test-garage.sh`). The binaries come from `PATH` (`scripts/install-deps.sh`
//! installs s3s-fs; `scripts/test-garage.sh` installs Garage). Each server listens on a free
//! loopback port with its data in a temp folder, and is killed when dropped, so no test leaves
//! a process behind. A server can be killed and started again on the same port and data.
//!
//! Also here: a TCP proxy that counts the bytes the client sends (to prove a resume sends at
//! most the part in flight again), can slow them down (so a test can kill something mid-upload)
//! and can flip one byte (to prove a damaged upload is never called done).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub const ACCESS_KEY: &str = "GK0123456789abcdef01234567";
pub const SECRET_KEY: &str = "4f7c1b2a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b";
pub const BUCKET: &str = "intake-packages";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerKind {
    S3sFs,
    Garage,
}

impl ServerKind {
    pub fn from_environment() -> ServerKind {
        match std::env::var("INTAKE_TEST_S3_SERVER").as_deref() {
            Ok("garage") => ServerKind::Garage,
            Ok("s3s-fs") | Err(_) => ServerKind::S3sFs,
            Ok(other) => panic!("INTAKE_TEST_S3_SERVER={other}: expected s3s-fs or garage"),
        }
    }

    /// The signing region the server expects.
    pub fn region(self) -> &'static str {
        match self {
            ServerKind::S3sFs => "us-east-1",
            ServerKind::Garage => "garage",
        }
    }
}

pub struct S3Server {
    pub kind: ServerKind,
    pub port: u16,
    rpc_port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn binary(name: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths).map(|dir| dir.join(name)).find(|candidate| candidate.is_file())
    });
    found.unwrap_or_else(|| {
        panic!("{name} is not on PATH: run scripts/install-deps.sh (s3s-fs) or scripts/test-garage.sh (garage)")
    })
}

impl S3Server {
    /// Starts a server of the kind the environment names, with the bucket and the key.
    pub fn start() -> S3Server {
        let kind = ServerKind::from_environment();
        let mut server =
            S3Server { kind, port: free_port(), rpc_port: free_port(), dir: tempfile::tempdir().unwrap(), child: None };
        match kind {
            ServerKind::S3sFs => {
                std::fs::create_dir_all(server.dir.path().join("root").join(BUCKET)).unwrap();
                server.spawn();
            }
            ServerKind::Garage => {
                server.write_garage_config();
                server.spawn();
                server.set_up_garage();
            }
        }
        server
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn spawn(&mut self) {
        let log =
            std::fs::OpenOptions::new().create(true).append(true).open(self.dir.path().join("server.log")).unwrap();
        let mut command = match self.kind {
            ServerKind::S3sFs => {
                let mut command = Command::new(binary("s3s-fs"));
                command
                    .args(["--host", "127.0.0.1", "--port", &self.port.to_string()])
                    .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
                    .arg(self.dir.path().join("root"));
                command
            }
            ServerKind::Garage => {
                let mut command = Command::new(binary("garage"));
                command.arg("-c").arg(self.garage_config()).arg("server");
                command
            }
        };
        command.stdin(Stdio::null()).stdout(log.try_clone().unwrap()).stderr(log);
        self.child = Some(command.spawn().unwrap());
        wait_for_port(self.port, Duration::from_secs(60));
    }

    /// Kills the server at once (SIGKILL: no clean shutdown).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port with the same data.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
        if self.kind == ServerKind::Garage {
            // Ready to serve once the node sees its layout again.
            self.wait_for_garage_health();
        }
    }

    /// The file s3s-fs keeps an object's bytes in (Garage keeps chunks: no such file).
    pub fn object_file(&self, key: &str) -> Option<PathBuf> {
        match self.kind {
            ServerKind::S3sFs => Some(self.dir.path().join("root").join(BUCKET).join(key)),
            ServerKind::Garage => None,
        }
    }

    /// The files s3s-fs keeps the parts of unfinished multipart uploads in
    /// (`.upload_id-UUID.part-N` in its root), whose names end with `.part-{number}`.
    pub fn stored_part_files(&self, number: u32) -> Vec<PathBuf> {
        let suffix = format!(".part-{number}");
        match std::fs::read_dir(self.dir.path().join("root")) {
            Ok(entries) => entries
                .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                .filter(|path| {
                    let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
                    name.starts_with(".upload_id-") && name.ends_with(&suffix)
                })
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    fn garage_config(&self) -> PathBuf {
        self.dir.path().join("garage.toml")
    }

    fn write_garage_config(&self) {
        let dir = self.dir.path().display();
        let config = format!(
            r#"metadata_dir = "{dir}/meta"
data_dir = "{dir}/data"
db_engine = "sqlite"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:{rpc}"
rpc_public_addr = "127.0.0.1:{rpc}"
rpc_secret = "{secret}"

[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:{port}"
root_domain = ".s3.garage.localhost"
"#,
            rpc = self.rpc_port,
            port = self.port,
            secret = "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c",
        );
        std::fs::write(self.garage_config(), config).unwrap();
    }

    fn garage(&self, args: &[&str]) -> String {
        let output = Command::new(binary("garage")).arg("-c").arg(self.garage_config()).args(args).output().unwrap();
        assert!(
            output.status.success(),
            "garage {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// The single-node setup of the notes: layout, bucket, a key with known secret.
    fn set_up_garage(&self) {
        let node = self.garage(&["node", "id", "-q"]);
        let node = node.trim().split('@').next().unwrap().to_string();
        self.garage(&["layout", "assign", "-z", "dc1", "-c", "1G", &node]);
        self.garage(&["layout", "apply", "--version", "1"]);
        self.garage(&["bucket", "create", BUCKET]);
        self.garage(&["key", "import", "--yes", "-n", "intake-test", ACCESS_KEY, SECRET_KEY]);
        self.garage(&["bucket", "allow", "--read", "--write", "--owner", BUCKET, "--key", ACCESS_KEY]);
        self.wait_for_garage_health();
    }

    fn wait_for_garage_health(&self) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            let status = Command::new("curl")
                .args(["-s", "-o", "/dev/null", "-w", "%{http_code}"])
                .arg(format!("{}/{BUCKET}/", self.endpoint()))
                .output()
                .unwrap();
            // Anonymous listing is refused (403) once the node serves requests.
            let code = String::from_utf8_lossy(&status.stdout).to_string();
            if code != "000" && code != "503" && code != "500" {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("garage did not become ready:\n{}", self.log());
    }

    /// The object's bytes, fetched with curl's own SigV4 signing (a client independent of
    /// the one under test).
    pub fn download(&self, key: &str, into: &Path) -> bool {
        let status = Command::new("curl")
            .args(["-sS", "--fail", "-o"])
            .arg(into)
            .args(["--aws-sigv4", &format!("aws:amz:{}:s3", self.kind.region())])
            .args(["--user", &format!("{ACCESS_KEY}:{SECRET_KEY}")])
            // S3 wants the payload's hash signed; curl 7.88 does not add it itself.
            .args(["-H", "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"])
            .arg(format!("{}/{BUCKET}/{key}", self.endpoint()))
            .status()
            .unwrap();
        status.success()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn wait_for_port(port: u16, limit: Duration) {
    let started = Instant::now();
    while started.elapsed() < limit {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nothing listens on port {port} after {limit:?}");
}

/// A TCP proxy in front of a server.
pub struct Proxy {
    pub port: u16,
    /// Bytes the client sent towards the server.
    pub sent_up: Arc<AtomicU64>,
    /// Bytes the server sent back to the client (answers, and objects read back).
    pub sent_down: Arc<AtomicU64>,
    /// Upper bound on the client's upload rate while set, in bytes per second (0: none).
    pub rate_limit: Arc<AtomicU64>,
    /// When non-zero: the upstream byte at this offset (counted from the proxy's start) is
    /// flipped once.
    pub corrupt_at: Arc<AtomicU64>,
    /// While set, the server's answers are held back (the requests still reach it): the
    /// client has sent a part, the server has stored it, and the client does not know yet.
    pub hold_answers: Arc<AtomicBool>,
    /// Connections open now, and the most open at once (parts in flight each use one).
    open: Arc<AtomicU64>,
    most_open: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    pub fn start(upstream_port: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let proxy = Proxy {
            port,
            sent_up: Arc::new(AtomicU64::new(0)),
            sent_down: Arc::new(AtomicU64::new(0)),
            rate_limit: Arc::new(AtomicU64::new(0)),
            corrupt_at: Arc::new(AtomicU64::new(0)),
            hold_answers: Arc::new(AtomicBool::new(false)),
            open: Arc::new(AtomicU64::new(0)),
            most_open: Arc::new(AtomicU64::new(0)),
            stop: Arc::new(AtomicBool::new(false)),
        };
        let (sent_up, rate_limit, corrupt_at, stop) =
            (proxy.sent_up.clone(), proxy.rate_limit.clone(), proxy.corrupt_at.clone(), proxy.stop.clone());
        let (hold_answers, open, most_open) = (proxy.hold_answers.clone(), proxy.open.clone(), proxy.most_open.clone());
        let sent_down = proxy.sent_down.clone();
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                let client = match listener.accept() {
                    Ok((client, _)) => client,
                    Err(_) => {
                        std::thread::sleep(Duration::from_millis(10));
                        continue;
                    }
                };
                client.set_nonblocking(false).unwrap();
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream_port)) else {
                    // The server is down: the client sees the connection closed.
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                };
                let (client_read, server_write) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let (sent_up, rate_limit, corrupt_at) = (sent_up.clone(), rate_limit.clone(), corrupt_at.clone());
                let now_open = open.fetch_add(1, Ordering::SeqCst) + 1;
                most_open.fetch_max(now_open, Ordering::SeqCst);
                let (hold_answers, open, sent_down) = (hold_answers.clone(), open.clone(), sent_down.clone());
                std::thread::spawn(move || pump_up(client_read, server_write, &sent_up, &rate_limit, &corrupt_at));
                std::thread::spawn(move || {
                    pump_down(server, client, &hold_answers, &sent_down);
                    open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        proxy
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn sent_up(&self) -> u64 {
        self.sent_up.load(Ordering::SeqCst)
    }

    /// The most connections that were open at once.
    pub fn most_open(&self) -> u64 {
        self.most_open.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn pump_up(mut from: TcpStream, mut to: TcpStream, sent: &AtomicU64, rate_limit: &AtomicU64, corrupt_at: &AtomicU64) {
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = match from.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        let start = sent.fetch_add(read as u64, Ordering::SeqCst);
        let target = corrupt_at.load(Ordering::SeqCst);
        if target != 0 && (start..start + read as u64).contains(&target) {
            buffer[(target - start) as usize] ^= 0x01;
            corrupt_at.store(0, Ordering::SeqCst);
        }
        if to.write_all(&buffer[..read]).is_err() {
            break;
        }
        let rate = rate_limit.load(Ordering::SeqCst);
        if rate > 0 {
            std::thread::sleep(Duration::from_secs_f64(read as f64 / rate as f64));
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

fn pump_down(mut from: TcpStream, mut to: TcpStream, hold: &AtomicBool, sent: &AtomicU64) {
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = match from.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        sent.fetch_add(read as u64, Ordering::SeqCst);
        while hold.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(10));
        }
        if to.write_all(&buffer[..read]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}
