//! A small harness: run the real `intake` binary against a temporary data folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `Command::output` and `spawn`, started again when Windows refuses to start the process.
///
/// Under Wine (how CI runs these tests for Windows), `CreateProcess` now and then fails with
/// `ERROR_INTERNAL_ERROR` (1359) when many test threads start processes at once: seen once in
/// CI on a test that passed in every other run. Nothing was started then, so starting again
/// repeats no command; any other error, and any run that started, is returned as it is.
pub trait OutputOnceStarted {
    fn output_once_started(&mut self) -> std::io::Result<Output>;
    fn spawn_once_started(&mut self) -> std::io::Result<std::process::Child>;
}

fn once_started<T>(command: &mut Command, start: fn(&mut Command) -> std::io::Result<T>) -> std::io::Result<T> {
    const ERROR_INTERNAL_ERROR: i32 = 1359;
    let mut attempt = 1;
    loop {
        match start(command) {
            Err(err) if cfg!(windows) && err.raw_os_error() == Some(ERROR_INTERNAL_ERROR) && attempt < 4 => {
                eprintln!("{:?} did not start ({err}); starting it again", command.get_program());
                std::thread::sleep(std::time::Duration::from_millis(200 * attempt));
                attempt += 1;
            }
            result => return result,
        }
    }
}

impl OutputOnceStarted for Command {
    fn output_once_started(&mut self) -> std::io::Result<Output> {
        once_started(self, Command::output)
    }

    fn spawn_once_started(&mut self) -> std::io::Result<std::process::Child> {
        once_started(self, Command::spawn)
    }
}

/// The `intake` binary cargo built for these tests.
pub fn intake_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_intake"))
}

/// A temporary data folder and a scratch folder for input files.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

/// What one run printed.
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout as JSON; panics with the output when it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|err| panic!("stdout is not JSON ({err}):\n{}\nstderr:\n{}", self.stdout, self.stderr))
    }
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            status: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox { dir: tempfile::tempdir().unwrap() }
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// Writes an input file and returns its path.
    pub fn file(&self, name: &str, content: &[u8]) -> PathBuf {
        let path = self.dir.path().join("input").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        path
    }

    /// A command for `intake --home <home> ARGS`.
    pub fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut command = Command::new(intake_binary());
        command
            .arg("--home")
            .arg(self.home())
            .args(args)
            .env_remove("INTAKE_HOME")
            .env_remove("INTAKE_PASSPHRASE")
            .env_remove("INTAKE_NEW_PASSPHRASE");
        command
    }

    pub fn run<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.command(args).output_once_started().unwrap().into()
    }

    /// Opens a case with the given extra flags and returns its id.
    pub fn new_case(&self, extra: &[&str]) -> String {
        let mut args = vec!["case", "new", "--json"];
        args.extend_from_slice(extra);
        let run = self.run(&args);
        assert_eq!(run.status, 0, "case new failed: {}", run.stderr);
        run.json()["id"].as_str().unwrap().to_string()
    }
}

/// Lower-case hex SHA-256 of a file.
pub fn sha256_of(path: &Path) -> String {
    use sha2::Digest;
    let bytes = std::fs::read(path).unwrap();
    sha2::Sha256::digest(&bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Small bytes of the type a file name's extension says, different for every name: a PDF, an
/// MP4 of one picture track and no frames, or a 64x48 picture (JPEG, else PNG). For tests
/// whose files only stand for a material: a text file there is `unreadable`.
pub fn placeholder(name: &str) -> Vec<u8> {
    use image::ImageEncoder;
    let extension = Path::new(name).extension().and_then(|ext| ext.to_str()).unwrap_or_default().to_lowercase();
    match extension.as_str() {
        "pdf" => format!("%PDF-1.4\n% {name}\n%%EOF\n").into_bytes(),
        "mp4" | "mov" => tiny_movie(name),
        _ => {
            let seed = name.bytes().fold(7u8, |seed, byte| seed.wrapping_mul(31).wrapping_add(byte));
            let pixels: Vec<u8> =
                (0..64u32 * 48 * 3).map(|index| (index as u8).wrapping_mul(seed | 1).wrapping_add(seed)).collect();
            let mut out = Vec::new();
            if matches!(extension.as_str(), "jpg" | "jpeg") {
                image::codecs::jpeg::JpegEncoder::new(&mut out)
                    .write_image(&pixels, 64, 48, image::ExtendedColorType::Rgb8)
                    .unwrap();
            } else {
                image::codecs::png::PngEncoder::new(&mut out)
                    .write_image(&pixels, 64, 48, image::ExtendedColorType::Rgb8)
                    .unwrap();
            }
            out
        }
    }
}

/// The MP4 of `tests/fixtures/one-track.mp4` (one 1280x720 picture track, no frames) with
/// `note` in a `free` box after it, so that every note gives other bytes.
fn tiny_movie(note: &str) -> Vec<u8> {
    let movie = include_bytes!("../../../../tests/fixtures/one-track.mp4");
    let free = [&(8 + note.len() as u32).to_be_bytes()[..], b"free", note.as_bytes()].concat();
    [&movie[..], &free].concat()
}
