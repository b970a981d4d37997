//! Starting the app under tauri-driver and driving it: one [`AppSession`] per test, each
//! with its own data folder, its own tauri-driver on two free ports, and its own app process.

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

/// How long the app may take to show something: WebKit's first start under Xvfb on a busy
/// 2-core machine takes a few seconds.
pub const APPEAR_TIMEOUT: Duration = Duration::from_secs(30);

/// The window title the app must show.
pub const WINDOW_TITLE: &str = "商户入网资料采集";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the workspace root exists")
}

/// A built binary: `$override_var` if set, else `<target>/debug/<name>`. Absolute, because
/// tauri-driver fails on a relative application path.
fn built_binary(override_var: &str, name: &str) -> PathBuf {
    let path = match std::env::var_os(override_var) {
        Some(path) => PathBuf::from(path),
        None => {
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| workspace_root().join("target"));
            target.join("debug").join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
        }
    };
    let path = if path.is_absolute() { path } else { std::env::current_dir().unwrap().join(path) };
    assert!(
        path.is_file(),
        "{} is not built: run scripts/build-app.sh first (or set {override_var} to the binary)",
        path.display()
    );
    path
}

/// The desktop app, `merchant-intake`.
pub fn app_binary() -> PathBuf {
    built_binary("INTAKE_E2E_APP", "merchant-intake")
}

/// The `intake` CLI.
pub fn cli_binary() -> PathBuf {
    built_binary("INTAKE_E2E_CLI", "intake")
}

/// The passphrase of every data folder the tests make (the app refuses to work on one in
/// clear, so each is encrypted before the app sees it: see [`AppSession::start_with_env`]).
pub const PASSPHRASE: &str = "测试密码 e2e passphrase";

/// Where a data folder's wrapped key lives: present once the folder is encrypted.
fn is_encrypted(home: &Path) -> bool {
    home.join("keys").join("data-key.json").is_file()
}

/// Runs the CLI with `--json` output and returns its JSON document; panics with its stderr
/// if it fails. It gives the CLI [`PASSPHRASE`], so a data folder it creates is created
/// encrypted and an encrypted one opens.
pub fn run_cli_json(args: &[&str]) -> Value {
    run_cli_json_with(args, Some(PASSPHRASE))
}

/// [`run_cli_json`] with this passphrase, or none (a folder the CLI creates then stays in
/// clear, as an older version left it).
pub fn run_cli_json_with(args: &[&str], passphrase: Option<&str>) -> Value {
    let mut command = Command::new(cli_binary());
    command.args(args).arg("--json").env_remove("INTAKE_PASSPHRASE").env_remove("INTAKE_HOME");
    if let Some(passphrase) = passphrase {
        command.env("INTAKE_PASSPHRASE", passphrase);
    }
    let output = command.output().expect("the CLI starts");
    assert!(
        output.status.success(),
        "intake {} failed ({}): {}",
        args.join(" "),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the CLI prints one JSON document")
}

/// The real photos of `../shared/corpus/exif-real` (or `INTAKE_CORPUS_DIR`).
pub fn corpus_file(name: &str) -> PathBuf {
    let dir = std::env::var_os("INTAKE_CORPUS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/exif-real"));
    let path = dir.join("files").join(name);
    assert!(path.is_file(), "{} is missing: set INTAKE_CORPUS_DIR to the exif-real corpus", path.display());
    path
}

/// Opens a case with the CLI in `home` and returns its id.
pub fn create_case_with_cli(home: &Path, merchant_name: &str) -> String {
    let home = home.to_str().expect("temp paths are UTF-8");
    let case = run_cli_json(&["--home", home, "case", "new", "--merchant-name", merchant_name, "--opens-payment"]);
    case["id"].as_str().expect("`case new --json` gives the case's id").to_string()
}

/// A case made with the CLI with a visit date and the premises' position (WGS-84); its id.
pub fn create_case_at_site_with_cli(home: &Path, merchant_name: &str, visit_date: &str, site: (&str, &str)) -> String {
    let home = home.to_str().expect("temp paths are UTF-8");
    let case = run_cli_json(&[
        "--home",
        home,
        "case",
        "new",
        "--merchant-name",
        merchant_name,
        "--opens-payment",
        "--visit-date",
        visit_date,
        "--site-lat",
        site.0,
        "--site-lon",
        site.1,
    ]);
    case["id"].as_str().expect("`case new --json` gives the case's id").to_string()
}

/// Adds files to a material of a case with the CLI (`add --json`); its answer.
pub fn add_with_cli(home: &Path, case_id: &str, material: &str, files: &[&Path]) -> serde_json::Value {
    let home = home.to_str().expect("temp paths are UTF-8");
    let mut args = vec!["--home", home, "add", "--case", case_id, "--material", material];
    args.extend(files.iter().map(|file| file.to_str().expect("test paths are UTF-8")));
    run_cli_json(&args)
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> =
        std::env::var_os("PATH").map(|path| std::env::split_paths(&path).collect()).unwrap_or_default();
    // Where `cargo install` puts it, for a shell that has not added it to PATH.
    if let Some(home) =
        std::env::var_os("CARGO_HOME").or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo").into()))
    {
        dirs.push(Path::new(&home).join("bin"));
    }
    dirs.into_iter()
        .map(|dir| dir.join(format!("{program}{}", std::env::consts::EXE_SUFFIX)))
        .find(|candidate| candidate.is_file())
}

fn tauri_driver_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(path);
    }
    find_on_path("tauri-driver").unwrap_or_else(|| {
        panic!(
            "tauri-driver is not installed: run `cargo install tauri-driver --locked` \
             (scripts/test-e2e.sh does it), or set TAURI_DRIVER to its path"
        )
    })
}

/// Two distinct ports nobody listens on now (both are held until both are chosen). tauri-driver
/// exits without serving if its port is taken meanwhile, so the caller checks that it came up
/// and retries with other ports.
fn two_free_ports() -> (u16, u16) {
    let first = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let second = TcpListener::bind("127.0.0.1:0").expect("a free port");
    (first.local_addr().unwrap().port(), second.local_addr().unwrap().port())
}

/// A running tauri-driver, stopped with SIGTERM on drop: it forwards the signal to
/// WebKitWebDriver, which SIGKILL would leave orphaned.
struct TauriDriver {
    child: Child,
    port: u16,
    native_port: u16,
    log: PathBuf,
}

impl TauriDriver {
    /// Starts tauri-driver with `env` added to its environment, which WebKitWebDriver and the
    /// app inherit.
    fn start(log_dir: &Path, env: &[(String, String)]) -> TauriDriver {
        let binary = tauri_driver_binary();
        let mut last_log = String::new();
        for attempt in 0..3 {
            let (port, native_port) = two_free_ports();
            let log = log_dir.join(format!("tauri-driver-{attempt}.log"));
            let log_file = fs::File::create(&log).expect("the driver's log file can be written");
            let child = Command::new(&binary)
                .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
                .envs(env.iter().map(|(key, value)| (key.as_str(), value.as_str())))
                .stdin(Stdio::null())
                .stdout(log_file.try_clone().expect("the log file handle can be cloned"))
                .stderr(log_file)
                .spawn()
                .unwrap_or_else(|err| panic!("{} cannot be started: {err}", binary.display()));
            let mut driver = TauriDriver { child, port, native_port, log };
            if driver.wait_until_ready(Duration::from_secs(20)) {
                return driver;
            }
            last_log = driver.log_text();
        }
        panic!("tauri-driver did not start serving after 3 tries; its last log:\n{last_log}");
    }

    /// Waits until tauri-driver listens and WebKitWebDriver answers `GET /status` with 200;
    /// false if the driver exited or time ran out.
    ///
    /// WebKitWebDriver is asked directly, not through tauri-driver: a probe through
    /// tauri-driver leaves it a pooled connection to WebKitWebDriver that is sometimes already
    /// closed when the new-session request is sent over it, and that request then fails
    /// ("client error (SendRequest)"), in about one session of three here.
    fn wait_until_ready(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() && status_is_ok(self.native_port) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log_text(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM, then wait (up to 10 s) for it to exit; true if it did.
    fn terminate(&mut self) -> bool {
        if let Ok(Some(_)) = self.child.try_wait() {
            return true;
        }
        send_sigterm(self.child.id());
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        if !self.terminate() {
            // Last resort, so a stuck driver does not outlive the test run.
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn send_sigterm(pid: u32) {
    // `kill` from the system rather than a libc binding: this crate runs on Linux only
    // (tauri-driver drives WebKitGTK here).
    let _ = Command::new("kill").args(["-TERM", &pid.to_string()]).status();
}

fn status_is_ok(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    response.starts_with(b"HTTP/1.1 200") || response.starts_with(b"HTTP/1.0 200")
}

/// An X display of one session's own: Xvfb at the managers' laptop size (1366×768), so that
/// the tests, which run at the same time, never cover each other's windows. The screenshots
/// are read from the window on the screen (see [`AppSession::save_screenshot`]), where a
/// window under another would read black. Stopped when dropped (the app then loses its display
/// and ends, if it had not).
struct OwnDisplay {
    xvfb: Child,
    /// `:N`, for DISPLAY.
    name: String,
}

impl OwnDisplay {
    fn start() -> OwnDisplay {
        // -displayfd 1: Xvfb picks a free display number itself and writes it to its standard
        // output once it accepts connections.
        let mut xvfb = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", "1366x768x24", "-nolisten", "tcp"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| panic!("Xvfb cannot be started ({err}): install the Debian package xvfb"));
        let mut number = String::new();
        let stdout = xvfb.stdout.take().expect("Xvfb's standard output is piped");
        let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut number);
        let number = number.trim();
        if number.is_empty() || !number.bytes().all(|byte| byte.is_ascii_digit()) {
            let _ = xvfb.kill();
            let _ = xvfb.wait();
            panic!("Xvfb started but never said its display number (it wrote {number:?})");
        }
        OwnDisplay { name: format!(":{number}"), xvfb }
    }
}

impl Drop for OwnDisplay {
    fn drop(&mut self) {
        let _ = self.xvfb.kill();
        let _ = self.xvfb.wait();
    }
}

/// The app running under WebDriver, with a data folder of the test's choosing.
pub struct AppSession {
    pub client: Client,
    driver: TauriDriver,
    /// Declared after the driver, so dropped after it: the app's display outlives the app.
    display: OwnDisplay,
    /// A string found only in this app's command line, to find its process.
    app_marker: String,
    test_name: String,
}

impl AppSession {
    /// Starts tauri-driver and the app with `--home <home>`, unlocked (see
    /// [`AppSession::start_with_env`]).
    pub async fn start(test_name: &str, home: &Path, work_dir: &Path) -> AppSession {
        Self::start_with_env(test_name, home, work_dir, &[]).await
    }

    /// Like [`AppSession::start`], the app's environment holding `env` too (e.g. the
    /// `INTAKE_TEST_DIALOG_ANSWER` test seam, which stands in for the native file dialog).
    ///
    /// The one place where the tests meet the app's rule that no folder is worked on in clear:
    /// a data folder that does not exist yet is made encrypted under [`PASSPHRASE`] first
    /// (`intake passphrase set`), and an encrypted one is unlocked through the window's lock
    /// screen, as the manager does, before the test goes on. A folder the test made otherwise
    /// (in clear, or a file where the folder should be) is left as it is.
    pub async fn start_with_env(test_name: &str, home: &Path, work_dir: &Path, env: &[(String, String)]) -> AppSession {
        if !home.exists() {
            run_cli_json(&["--home", home.to_str().expect("temp paths are UTF-8"), "passphrase", "set"]);
        }
        let session = Self::start_as_is(test_name, home, work_dir, env).await;
        if is_encrypted(home) {
            session.unlock_with(PASSPHRASE).await;
            session.wait_until_gone("[data-testid='lock-screen']", "the lock screen, after the right passphrase").await;
        }
        session
    }

    /// Types `passphrase` into the lock screen and presses 解锁.
    pub async fn unlock_with(&self, passphrase: &str) {
        let field = self.wait_for("[data-testid='unlock-passphrase']", "the lock screen's passphrase field").await;
        field.clear().await.expect("the passphrase field can be cleared");
        field.send_keys(passphrase).await.expect("the passphrase can be typed");
        // Enabled once the typed passphrase has reached React's state.
        click(self, "[data-testid='unlock']", "the unlock button").await;
    }

    /// Starts the app over `home` as it is on disk: nothing made, nothing unlocked (the tests of
    /// the 设置密码 and lock screens).
    pub async fn start_as_is(test_name: &str, home: &Path, work_dir: &Path, env: &[(String, String)]) -> AppSession {
        let display = OwnDisplay::start();
        let app = app_binary();
        let home = home.to_str().expect("temp paths are UTF-8").to_string();
        let capabilities = json!({
            "tauri:options": { "application": app, "args": ["--home", home] }
        });
        let Value::Object(capabilities) = capabilities else { unreachable!() };
        // The web view keeps its storage (the UI's language choice in localStorage, caches)
        // under the XDG folders, not in the app's data folder: each test gets its own, so no
        // test sees what an earlier test or run chose.
        let mut env = env.to_vec();
        let xdg = [("XDG_DATA_HOME", "xdg-data"), ("XDG_CACHE_HOME", "xdg-cache"), ("XDG_CONFIG_HOME", "xdg-config")];
        for (variable, folder) in xdg {
            let dir = work_dir.join(folder);
            fs::create_dir_all(&dir).expect("the test's XDG folders can be made");
            env.push((variable.to_string(), dir.to_str().expect("temp paths are UTF-8").to_string()));
        }
        env.push(("DISPLAY".to_string(), display.name.clone()));
        let driver = TauriDriver::start(work_dir, &env);
        match ClientBuilder::new(HttpConnector::new()).capabilities(capabilities).connect(&driver.url()).await {
            Ok(client) => AppSession { client, driver, display, app_marker: home, test_name: test_name.to_string() },
            Err(err) => {
                // tauri-driver logs why only after it has dropped our connection.
                tokio::time::sleep(Duration::from_millis(500)).await;
                panic!("no WebDriver session with the app ({err}); tauri-driver's log:\n{}", driver.log_text())
            }
        }
    }

    /// Waits for the element matching `css`; on timeout saves a screenshot and fails,
    /// saying what was expected.
    pub async fn wait_for(&self, css: &str, what: &str) -> Element {
        match self.client.wait().at_most(APPEAR_TIMEOUT).for_element(Locator::Css(css)).await {
            Ok(element) => element,
            Err(err) => {
                let shot = self.save_screenshot("failure").await;
                let body = self.client.find(Locator::Css("body")).await;
                let text = match body {
                    Ok(body) => body.text().await.unwrap_or_default(),
                    Err(_) => String::new(),
                };
                panic!(
                    "{what}: no element matches `{css}` after {APPEAR_TIMEOUT:?} ({err}).\n\
                     The window shows:\n{text}\nScreenshot: {shot}"
                )
            }
        }
    }

    /// Waits until no element matches `css`; on timeout saves a screenshot and fails.
    pub async fn wait_until_gone(&self, css: &str, what: &str) {
        let deadline = std::time::Instant::now() + APPEAR_TIMEOUT;
        loop {
            let left = self.client.find_all(Locator::Css(css)).await.map(|found| found.len()).unwrap_or(usize::MAX);
            if left == 0 {
                return;
            }
            if std::time::Instant::now() >= deadline {
                let shot = self.save_screenshot("failure").await;
                panic!("{what}: `{css}` still matches after {APPEAR_TIMEOUT:?}. Screenshot: {shot}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves what the app's window shows as `tests/e2e/screenshots/<test>-<label>.png`: its X11
    /// window read with ImageMagick's `import`, what a user sees. Not WebDriver's screenshot:
    /// WebKitWebDriver takes it through WebKit's snapshot, which never answers when the page is
    /// painted without accelerated compositing, as the app paints it on Linux (src-tauri/src/main.rs).
    pub async fn save_screenshot(&self, label: &str) -> String {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots");
        let path = dir.join(format!("{}-{label}.png", self.test_name));
        let Some(window) = self.app_pid().and_then(|pid| x11_shown_window(&self.display.name, pid)) else {
            return "(none: the app has no window shown)".to_string();
        };
        fs::create_dir_all(&dir).expect("the screenshot folder can be created");
        let mut target = std::ffi::OsString::from("png:");
        target.push(&path);
        // What was just put in the page is on the screen once two frames have been painted
        // (an error here, e.g. a page gone, leaves the capture to show what there is).
        let _ = self
            .client
            .execute_async(
                "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            )
            .await;
        // A window not painted yet reads as one colour, a PNG of a few hundred bytes: read again
        // for up to 2 s (a real screen of the app is tens of kilobytes).
        for attempt in 0..20 {
            match Command::new("import")
                .args(["-silent", "-window", &window])
                .arg(&target)
                .env("DISPLAY", &self.display.name)
                .output()
            {
                Ok(output) if output.status.success() => {
                    let blank = fs::metadata(&path).map_or(true, |meta| meta.len() < 2048);
                    if !blank || attempt == 19 {
                        return path.display().to_string();
                    }
                }
                Ok(output) => {
                    return format!(
                        "(none: import {}: {})",
                        output.status,
                        String::from_utf8_lossy(&output.stderr).trim()
                    );
                }
                Err(err) => {
                    return format!("(none: import cannot be run ({err}): install the Debian package imagemagick)");
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        unreachable!("the loop returns on its last attempt")
    }

    /// The titles of the app's top-level X11 windows: the native window title, which
    /// WebDriver's "title" (the document's `<title>`) does not show.
    pub fn x11_window_titles(&self) -> Vec<String> {
        let Some(pid) = self.app_pid() else { return Vec::new() };
        x11_windows(&self.display.name, pid).into_iter().filter_map(|(_, name)| name).collect()
    }

    /// The process id of this session's app, found by its `--home` argument.
    pub fn app_pid(&self) -> Option<u32> {
        app_processes(&self.app_marker).into_iter().next()
    }

    /// Ends the session, which closes the app, then stops tauri-driver with SIGTERM. Fails if
    /// the app is still running 15 s after the session ended, or the driver 10 s after SIGTERM.
    pub async fn close(mut self) {
        self.client.clone().close().await.expect("the WebDriver session closes");
        // Wait for the app before stopping the driver: WebKitWebDriver ends the app after the
        // session is deleted, and tauri-driver kills WebKitWebDriver on SIGTERM, which would
        // leave an app that was still closing behind.
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let running = app_processes(&self.app_marker);
            if running.is_empty() {
                break;
            }
            if Instant::now() > deadline {
                let described: Vec<String> = running.iter().map(|pid| describe_process(*pid)).collect();
                panic!("the app is still running 15 s after its session was closed: {}", described.join("; "));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(self.driver.terminate(), "tauri-driver did not exit within 10 s of SIGTERM");
    }
}

fn describe_process(pid: u32) -> String {
    let cmdline = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    format!("pid {pid} [{}] {}", stat.trim(), String::from_utf8_lossy(&cmdline).replace('\0', " "))
}

/// Live processes whose command line contains `marker` (Linux `/proc`).
fn app_processes(marker: &str) -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let cmdline = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // A zombie has exited already: it only waits for its parent to collect it.
            let zombie = stat.rsplit_once(')').is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'));
            !zombie && String::from_utf8_lossy(&cmdline).split('\0').any(|arg| arg == marker)
        })
        .collect()
}

/// The top-level X11 windows on `display` owned by process `pid`, each with its id and its
/// title, read with `xwininfo` and `xprop` (package x11-utils).
fn x11_windows(display: &str, pid: u32) -> Vec<(String, Option<String>)> {
    let tree = Command::new("xwininfo")
        .args(["-root", "-children"])
        .env("DISPLAY", display)
        .output()
        .unwrap_or_else(|err| panic!("xwininfo cannot be run ({err}): install the Debian package x11-utils"));
    let tree = String::from_utf8_lossy(&tree.stdout).into_owned();
    let window_ids = tree
        .split_whitespace()
        .filter(|word| word.starts_with("0x") && u64::from_str_radix(&word[2..], 16).is_ok())
        .map(str::to_string)
        .collect::<Vec<_>>();
    let mut windows = Vec::new();
    for id in window_ids {
        let output = Command::new("xprop")
            .args(["-id", &id, "-notype", "_NET_WM_PID", "_NET_WM_NAME"])
            .env("LC_ALL", "C.UTF-8")
            .env("DISPLAY", display)
            .output()
            .unwrap_or_else(|err| panic!("xprop cannot be run ({err}): install the Debian package x11-utils"));
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        let window_pid = text
            .lines()
            .find_map(|line| line.strip_prefix("_NET_WM_PID = "))
            .and_then(|value| value.trim().parse::<u32>().ok());
        let name = text
            .lines()
            .find_map(|line| line.strip_prefix("_NET_WM_NAME = "))
            .map(|value| value.trim().trim_matches('"').to_string());
        if window_pid == Some(pid) {
            windows.push((id, name));
        }
    }
    windows
}

/// The id of the X11 window on `display` of process `pid` that is mapped and viewable (the
/// app's window; GTK also owns an unmapped leader window).
fn x11_shown_window(display: &str, pid: u32) -> Option<String> {
    x11_windows(display, pid).into_iter().map(|(id, _)| id).find(|id| {
        Command::new("xwininfo")
            .args(["-id", id])
            .env("DISPLAY", display)
            .output()
            .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).contains("IsViewable"))
    })
}

/// Waits for an element and clicks it; panics naming it when it never comes or cannot be clicked.
/// Clicks the element matching `css` once it is there and enabled, as a person would: a click
/// on a disabled button does nothing, and a button that waits for data (the outbox's 上传 until
/// the list has loaded) is disabled for a moment after its screen opens.
pub async fn click(session: &AppSession, css: &str, what: &str) -> Element {
    let element = session.wait_for(css, what).await;
    let deadline = Instant::now() + APPEAR_TIMEOUT;
    while !element.is_enabled().await.unwrap_or(false) {
        if Instant::now() > deadline {
            let shot = session.save_screenshot("failure").await;
            panic!("{what}: {css} is still disabled after {APPEAR_TIMEOUT:?}.\nScreenshot: {shot}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    element.clone().click().await.unwrap_or_else(|err| panic!("{what}: {css} cannot be clicked ({err})"));
    element
}

/// Waits until `script` (returning a boolean) is true, as long as an element may take to
/// appear; fails with a screenshot otherwise.
pub async fn wait_until(session: &AppSession, script: &str, what: &str) {
    let deadline = Instant::now() + APPEAR_TIMEOUT;
    while session.client.execute(script, vec![]).await.ok() != Some(json!(true)) {
        if Instant::now() > deadline {
            let shot = session.save_screenshot("failure").await;
            panic!("{what}: still not true after {APPEAR_TIMEOUT:?}: {script}\nScreenshot: {shot}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Scrolls `css` to the middle of the window and waits for the next two frames, so that the
/// next screenshot shows it (WebKit's screenshot is of the last painted frame, which right
/// after a screen change can still be the previous screen).
pub async fn scroll_to(session: &AppSession, css: &str) {
    let element = session.wait_for(css, css).await;
    session
        .client
        .execute_async(
            "const [element, done] = arguments;
             element.scrollIntoView({ block: 'center' });
             requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            vec![serde_json::to_value(&element).unwrap()],
        )
        .await
        .expect("scrolled");
}

/// Replaces the text of an input React owns, by keyboard.
pub async fn retype(session: &AppSession, css: &str, value: &str) {
    let element = session.wait_for(css, css).await;
    element.clear().await.unwrap_or_else(|err| panic!("{css} cannot be cleared ({err})"));
    element.send_keys(value).await.unwrap_or_else(|err| panic!("{css} takes no keys ({err})"));
}

/// The screen the end-to-end tests run on (scripts/test-e2e.sh): a 1366×768 laptop.
pub const SCREEN: (i64, i64) = (1366, 768);

/// Fails unless the screen is [`SCREEN`] and the app's window lies within its available area
/// while filling most of it (the configured 1200×800 would fall off its bottom).
pub async fn assert_window_fits_the_screen(session: &AppSession) {
    let geometry = session
        .client
        .execute(
            "return [screen.width, screen.height, screen.availWidth, screen.availHeight,
                     window.outerWidth, window.outerHeight, window.innerWidth, window.innerHeight];",
            vec![],
        )
        .await
        .expect("the geometry script runs");
    let numbers: Vec<i64> = serde_json::from_value(geometry.clone()).expect("numbers");
    let [width, height, avail_width, avail_height, outer_width, outer_height, _, inner_height] = numbers[..] else {
        panic!("unexpected geometry {geometry}")
    };
    assert_eq!((width, height), SCREEN, "the tests run on a 1366×768 screen (scripts/test-e2e.sh): {geometry}");
    assert!(
        outer_width <= avail_width && outer_height <= avail_height,
        "the window must fit the screen's work area: {geometry}"
    );
    assert!(inner_height >= avail_height - 80, "the window fills the work area's height: {geometry}");
}

/// Fails unless `intake verify` passes `package`, trusting the key of the (encrypted) data
/// folder at `home`, as the manager's own check does.
pub fn assert_package_verifies(home: &Path, package: &Path) {
    let verify = Command::new(cli_binary())
        .arg("--home")
        .arg(home)
        .arg("verify")
        .arg(package)
        .arg("--json")
        .env("INTAKE_PASSPHRASE", PASSPHRASE)
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "intake verify {}: {}\n{}",
        package.display(),
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
}

/// The environment that makes the app's file dialogs answer from `answer_file` (the
/// `INTAKE_TEST_DIALOG_ANSWER` test seam), for [`AppSession::start_with_env`].
pub fn dialog_answer_env(answer_file: &Path) -> [(String, String); 1] {
    std::fs::write(answer_file, "").expect("the dialog answer file can be written");
    [("INTAKE_TEST_DIALOG_ANSWER".to_string(), answer_file.display().to_string())]
}

/// After an export in the window (queued sealed in the outbox, said so): 另存为… writes a plain
/// copy where the "dialog" (`answer_file`, the session's `INTAKE_TEST_DIALOG_ANSWER`) says,
/// and the window says where and that it is not encrypted. Returns the copy's path.
pub async fn save_package_copy(session: &AppSession, answer_file: &Path, target: &Path) -> PathBuf {
    let queued = session.wait_for("[data-testid='export-queued']", "the package, queued in the outbox").await;
    assert_eq!(
        queued.attr("data-encrypted").await.unwrap().as_deref(),
        Some("true"),
        "the app's folder is encrypted, and so is the queued package"
    );
    std::fs::write(answer_file, target.display().to_string()).expect("the dialog answer file can be written");
    click(session, "[data-testid='save-export-copy']", "另存为…").await;
    let shown = session.wait_for("[data-testid='export-copy-path']", "where the copy went").await.text().await.unwrap();
    assert_eq!(PathBuf::from(shown.trim()), target);
    let warning =
        session.wait_for("[data-testid='export-copy-unencrypted']", "the copy's warning").await.text().await.unwrap();
    assert!(warning.contains("未加密"), "{warning:?}");
    assert!(target.is_file(), "{} exists", target.display());
    target.to_path_buf()
}
