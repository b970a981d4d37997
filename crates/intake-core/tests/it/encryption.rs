//! Encryption at rest: a folder encrypted in place keeps every case and file (and packs the
//! same package, byte for byte: same settings, same signing key, now sealed); it opens with
//! its passphrase only (a wrong one reads nothing); settings and the private key are sealed
//! and an altered one is refused; files planted in clear in an encrypted folder are refused
//! (`planted_plaintext`), never sealed; changing the passphrase touches no file but the key file; the vault's files are
//! encrypted on disk, read back by seeking, and any alteration (a flipped byte, a cut, chunks
//! swapped) is `vault_corrupt`, never shown as valid.

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use intake_core::encrypted_file::{CHUNK_BYTES, HEADER_BYTES, MAGIC};
use intake_core::encryption::EncryptionState;
use intake_core::keys::Passphrase;
use intake_core::package::ExportOptions;
use intake_core::{DataFolder, ErrorKind};

use crate::package::Fixture;

const PASSPHRASE: &str = "门头照片 correct horse";
const SEALED_CHUNK: u64 = CHUNK_BYTES as u64 + 16;

fn passphrase(text: &str) -> Passphrase {
    Passphrase::new(text.to_string())
}

/// Every file under `folder` with its bytes.
fn snapshot(folder: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.insert(path.strip_prefix(folder).unwrap().to_path_buf(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// A complete case, exported once before encryption; the folder is closed.
struct Encrypted {
    fixture_dir: tempfile::TempDir,
    home: PathBuf,
    case_id: String,
    plain_package: Vec<u8>,
}

fn encrypted_complete_case() -> Encrypted {
    let fixture = Fixture::complete_case();
    let plain_package = std::fs::read(fixture_export(&fixture, "plain.zip")).unwrap();
    let Fixture { dir, folder, case_id, .. } = fixture;
    let home = folder.root().to_path_buf();
    drop(folder);
    let report = DataFolder::encrypt(&home, &passphrase(PASSPHRASE)).unwrap();
    assert!(report.files_encrypted > 0);
    assert!(!report.resumed);
    Encrypted { fixture_dir: dir, home, case_id, plain_package }
}

fn fixture_export(fixture: &Fixture, name: &str) -> PathBuf {
    let out = fixture.dir.path().join(name);
    fixture
        .folder
        .export_case(&fixture.case_id, &out, &ExportOptions { allow_incomplete: false, ..ExportOptions::default() })
        .unwrap();
    out
}

#[test]
fn a_folder_encrypted_in_place_keeps_everything_and_packs_the_same_package() {
    let encrypted = encrypted_complete_case();
    let home = &encrypted.home;
    assert_eq!(DataFolder::encryption_state(home), EncryptionState::Encrypted);

    // On disk: every vault file starts with the format's header, the store is no SQLite file.
    let files = snapshot(&home.join("vault"));
    assert!(files.len() > 10, "objects and thumbnails: {}", files.len());
    for (path, bytes) in &files {
        assert_eq!(&bytes[..MAGIC.len()], MAGIC, "{} is not encrypted", path.display());
    }
    let store = std::fs::read(home.join("intake.sqlite3")).unwrap();
    assert!(!store.starts_with(b"SQLite format 3"), "the database is not encrypted");
    // The settings (branch, manager) and the signing key made before are sealed, not left.
    assert!(std::fs::read(home.join("settings.json")).unwrap().starts_with(MAGIC), "settings.json in clear");
    assert!(!home.join(intake_core::signing::PRIVATE_KEY_FILE).exists(), "the private key is still in clear");
    let sealed_key = std::fs::read(home.join(intake_core::signing::SEALED_PRIVATE_KEY_FILE)).unwrap();
    assert!(sealed_key.starts_with(MAGIC) && !sealed_key.windows(11).any(|window| window == b"PRIVATE KEY"));
    assert!(
        rusqlite::Connection::open(home.join("intake.sqlite3"))
            .unwrap()
            .query_row("SELECT count(*) FROM cases", [], |row| row.get::<_, i64>(0))
            .is_err()
    );

    // Without the passphrase: refused, with its own code.
    let err = DataFolder::open(home).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::PassphraseRequired, "{}", err.message());

    // With it: the same case, every file whole, the same package byte for byte.
    let folder = DataFolder::unlock(home, &passphrase(PASSPHRASE)).unwrap();
    assert!(folder.is_encrypted());
    let evidence = folder.case_evidence(&encrypted.case_id).unwrap();
    assert!(!evidence.is_empty());
    for record in &evidence {
        assert!(folder.vault().verify(&record.sha256).unwrap(), "{} no longer hashes to its name", record.sha256);
        assert!(folder.thumbnail(&record.sha256).is_ok());
    }
    let out = encrypted.fixture_dir.path().join("encrypted.zip");
    folder
        .export_case(&encrypted.case_id, &out, &ExportOptions { allow_incomplete: false, ..ExportOptions::default() })
        .unwrap();
    assert!(std::fs::read(&out).unwrap() == encrypted.plain_package, "the package changed with encryption");

    // A second handle (the app's worker threads) opens with the same key.
    let again = folder.reopen().unwrap();
    assert_eq!(again.case_evidence(&encrypted.case_id).unwrap(), evidence);

    // Encrypting twice is refused, the folder untouched.
    drop((folder, again));
    let err = DataFolder::encrypt(home, &passphrase(PASSPHRASE)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[test]
fn a_wrong_passphrase_reads_nothing_and_says_so() {
    let encrypted = encrypted_complete_case();
    let home = &encrypted.home;
    let before = snapshot(home);
    let err = DataFolder::unlock(home, &passphrase("门头照片 correct horsf")).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::WrongPassphrase);
    assert_eq!(err.code(), "wrong_passphrase");
    assert!(err.message().contains("密码不正确") && err.message().contains("wrong passphrase"), "{}", err.message());
    assert!(!err.message().contains("correct horse"), "the message repeats the passphrase");
    // Nothing opened, so nothing written: no WAL, no lock taken over, the same bytes.
    assert_eq!(snapshot(home), before);
}

#[test]
fn changing_the_passphrase_rewraps_the_key_and_leaves_every_file_as_it_was() {
    let encrypted = encrypted_complete_case();
    let home = &encrypted.home;
    let before = snapshot(home);
    let new = "经营内景照片 battery staple";

    let err = DataFolder::change_passphrase(home, &passphrase("not it at all"), &passphrase(new)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WrongPassphrase);
    let err = DataFolder::change_passphrase(home, &passphrase(PASSPHRASE), &passphrase("short")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WeakPassphrase, "a too short passphrase is refused");

    DataFolder::change_passphrase(home, &passphrase(PASSPHRASE), &passphrase(new)).unwrap();
    let after = snapshot(home);
    let changed: Vec<&PathBuf> =
        after.iter().filter(|(path, bytes)| before.get(*path) != Some(*bytes)).map(|(path, _)| path).collect();
    assert_eq!(changed, vec![Path::new("keys/data-key.json")], "only the key file may change");

    assert_eq!(DataFolder::unlock(home, &passphrase(PASSPHRASE)).err().unwrap().kind(), ErrorKind::WrongPassphrase);
    let folder = DataFolder::unlock(home, &passphrase(new)).unwrap();
    for record in folder.case_evidence(&encrypted.case_id).unwrap() {
        assert!(folder.vault().verify(&record.sha256).unwrap());
    }
}

/// A stored file of several chunks in a new encrypted folder, and the bytes it holds.
fn encrypted_folder_with_file(dir: &Path) -> (PathBuf, String, Vec<u8>) {
    let home = dir.join("home");
    DataFolder::encrypt(&home, &passphrase(PASSPHRASE)).unwrap();
    let mut folder = DataFolder::unlock(&home, &passphrase(PASSPHRASE)).unwrap();
    let case = folder
        .create_case(intake_core::case::NewCase {
            merchant_name: "沪上小面馆".into(),
            attributes: intake_core::case::CaseAttributes { opens_payment: true, ..Default::default() },
            visit_date: None,
            site: None,
        })
        .unwrap();
    // 3.5 chunks of bytes that differ everywhere, so a misplaced chunk would show.
    let content: Vec<u8> = (0..CHUNK_BYTES * 7 / 2).map(|at| (at * 7 + at / 251) as u8).collect();
    let source = dir.join("lease.bin");
    std::fs::write(&source, &content).unwrap();
    folder
        .change_settings(intake_core::settings::SettingsChange {
            branch: Some("上海分公司".into()),
            manager_name: Some("张三".into()),
            ..Default::default()
        })
        .unwrap();
    let outcome = folder.add_files(&case.id, "supporting_evidence", &[source], |_| {}).unwrap().remove(0);
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    let sha256 = outcome.evidence.unwrap().sha256;
    (home, sha256, content)
}

fn read_all(folder: &DataFolder, sha256: &str) -> intake_core::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let mut object = folder.vault().open_object(sha256)?;
    object.read_to_end(&mut bytes).map_err(|err| intake_core::Error::reading(object.path(), &err))?;
    Ok(bytes)
}

#[test]
fn vault_files_are_encrypted_and_read_back_by_seeking() {
    let dir = tempfile::tempdir().unwrap();
    let (home, sha256, content) = encrypted_folder_with_file(dir.path());
    let folder = DataFolder::unlock(&home, &passphrase(PASSPHRASE)).unwrap();
    let on_disk = std::fs::read(folder.vault().object_path(&sha256)).unwrap();
    assert_eq!(on_disk.len() as u64, HEADER_BYTES + content.len() as u64 + 4 * 16, "3.5 chunks: 4 tags");
    assert!(on_disk.windows(32).all(|window| !content.windows(32).take(4096).any(|plain| plain == window)));
    assert_eq!(read_all(&folder, &sha256).unwrap(), content);

    let mut object = folder.vault().open_object(&sha256).unwrap();
    assert_eq!(object.len(), content.len() as u64);
    for start in [0u64, 1, CHUNK_BYTES as u64 - 3, CHUNK_BYTES as u64 * 3 + 5, content.len() as u64 - 10] {
        object.seek(SeekFrom::Start(start)).unwrap();
        let mut piece = vec![0u8; 20];
        let wanted = &content[start as usize..(start as usize + 20).min(content.len())];
        let mut got = Vec::new();
        (&mut object).take(20).read_to_end(&mut got).unwrap();
        piece.truncate(got.len());
        assert_eq!(got, wanted, "20 bytes at {start}");
    }
    assert_eq!(object.seek(SeekFrom::End(-4)).unwrap(), content.len() as u64 - 4);
}

#[test]
fn an_altered_cut_or_reordered_vault_file_is_vault_corrupt_never_valid() {
    let dir = tempfile::tempdir().unwrap();
    let (home, sha256, content) = encrypted_folder_with_file(dir.path());
    let folder = DataFolder::unlock(&home, &passphrase(PASSPHRASE)).unwrap();
    let path = folder.vault().object_path(&sha256);
    let original = std::fs::read(&path).unwrap();
    let chunk = |index: u64| (HEADER_BYTES + index * SEALED_CHUNK) as usize;

    let mut flipped = original.clone();
    flipped[chunk(2) + 100] ^= 0x01;
    let mut swapped = original.clone();
    swapped[chunk(0)..chunk(2)]
        .copy_from_slice(&[&original[chunk(1)..chunk(2)], &original[chunk(0)..chunk(1)]].concat());
    let mut header_altered = original.clone();
    header_altered[MAGIC.len() + 3] ^= 0x80;
    let damages: Vec<(&str, Vec<u8>)> = vec![
        ("a flipped byte", flipped),
        ("two chunks swapped", swapped),
        ("cut at a chunk boundary", original[..chunk(3)].to_vec()),
        ("cut inside a chunk", original[..chunk(3) - 7].to_vec()),
        ("cut to the header", original[..HEADER_BYTES as usize].to_vec()),
        ("the header altered", header_altered),
    ];
    for (what, bytes) in damages {
        std::fs::write(&path, &bytes).unwrap();
        let err = read_all(&folder, &sha256).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::VaultCorrupt, "{what}: {}", err.message());
        assert!(err.message().contains(&sha256), "{what}: the message names the file: {}", err.message());
        assert!(!folder.vault().verify(&sha256).unwrap(), "{what}: verify calls it valid");
        let out = dir.path().join("x.zip");
        let export = folder.export_case(
            &folder.list_cases().unwrap()[0].id,
            &out,
            &ExportOptions {
                allow_incomplete: true,
                incomplete_reason: Some("测试".into()),
                ..ExportOptions::default()
            },
        );
        assert_eq!(export.err().map(|err| err.kind()), Some(ErrorKind::VaultCorrupt), "{what}: exported");
        assert!(!out.exists(), "{what}: a package was left");
    }
    std::fs::write(&path, &original).unwrap();
    assert_eq!(read_all(&folder, &sha256).unwrap(), content, "the undamaged file reads again");
}

#[test]
fn encrypting_reports_its_progress_file_by_file() {
    let fixture = Fixture::complete_case();
    let home = fixture.folder.root().to_path_buf();
    let Fixture { dir: _dir, folder, .. } = fixture;
    let vault_files = snapshot(&home.join("vault")).keys().filter(|path| !path.starts_with("tmp")).count();
    drop(folder);
    let mut steps = Vec::new();
    DataFolder::encrypt_reporting(&home, &passphrase(PASSPHRASE), |step| steps.push(step)).unwrap();
    assert_eq!(steps.len(), vault_files + 1, "one step per vault file and one for the database");
    assert!(steps.iter().all(|step| step.total as usize == vault_files + 1), "{steps:?}");
    assert!(steps.windows(2).all(|pair| pair[0].done < pair[1].done), "{steps:?}");
    assert_eq!(steps.last().unwrap().done, steps.last().unwrap().total);
}

/// The evil maid: files in clear planted into an encrypted folder (a settings file sending
/// packages elsewhere, a signing key of the attacker's) are refused naming the file, never
/// sealed as the folder's own, neither by opening it nor by "finishing" its encryption.
#[test]
fn files_planted_in_clear_in_an_encrypted_folder_are_refused_and_never_sealed() {
    let fixture = Fixture::complete_case();
    let home = fixture.folder.root().to_path_buf();
    let fingerprint = fixture.folder.installation_key().unwrap().fingerprint().to_string();
    let Fixture { dir: _dir, folder, .. } = fixture;
    drop(folder);
    DataFolder::encrypt(&home, &passphrase(PASSPHRASE)).unwrap();

    // The attacker's settings, in clear, over the sealed ones.
    let sealed_settings = std::fs::read(home.join("settings.json")).unwrap();
    let planted_settings = br#"{"branch":"x","manager_name":"x","idle_lock_seconds":0,"upload":{"endpoint":"https://evil.example","bucket":"loot"}}"#;
    std::fs::write(home.join("settings.json"), planted_settings).unwrap();
    assert_eq!(
        DataFolder::encryption_state(&home),
        EncryptionState::Encrypted,
        "not taken for an unfinished encryption"
    );
    let refused = DataFolder::unlock(&home, &passphrase(PASSPHRASE)).err().unwrap();
    assert_eq!(refused.kind(), ErrorKind::PlantedPlaintext, "{}", refused.message());
    assert!(refused.message().contains("settings.json"), "{}", refused.message());
    let not_sealed = DataFolder::encrypt(&home, &passphrase(PASSPHRASE)).unwrap_err();
    assert_eq!(not_sealed.kind(), ErrorKind::PlantedPlaintext, "{}", not_sealed.message());
    assert_eq!(std::fs::read(home.join("settings.json")).unwrap(), planted_settings, "the planted file was sealed");
    std::fs::write(home.join("settings.json"), &sealed_settings).unwrap();

    // A signing key of the attacker's, in clear, beside the sealed one (or instead of it).
    let attacker = tempfile::tempdir().unwrap();
    intake_core::signing::InstallationKey::load_or_create(attacker.path()).unwrap();
    let attacker_pem = std::fs::read(attacker.path().join(intake_core::signing::PRIVATE_KEY_FILE)).unwrap();
    std::fs::write(home.join(intake_core::signing::PRIVATE_KEY_FILE), &attacker_pem).unwrap();
    let refused = DataFolder::unlock(&home, &passphrase(PASSPHRASE)).err().unwrap();
    assert_eq!(refused.kind(), ErrorKind::PlantedPlaintext, "{}", refused.message());
    assert!(refused.message().contains("sm2-private-key.pem"), "{}", refused.message());
    assert!(DataFolder::encrypt(&home, &passphrase(PASSPHRASE)).is_err());
    assert_eq!(std::fs::read(home.join(intake_core::signing::PRIVATE_KEY_FILE)).unwrap(), attacker_pem);
    std::fs::remove_file(home.join(intake_core::signing::PRIVATE_KEY_FILE)).unwrap();

    // Removed, the folder opens with its own settings and key.
    let folder = DataFolder::unlock(&home, &passphrase(PASSPHRASE)).unwrap();
    assert_eq!(folder.installation_key().unwrap().fingerprint(), fingerprint);
    assert_eq!(folder.settings().unwrap().manager_name, "张三");

    // A vault object replaced by bytes in clear: never read as the folder's own.
    let evidence = folder.case_evidence(&folder.list_cases().unwrap()[0].id).unwrap();
    let sha256 = evidence[0].sha256.clone();
    let object = folder.vault().object_path(&sha256);
    std::fs::write(&object, b"plain bytes planted where a sealed object belongs").unwrap();
    let refused = folder.vault().open_object(&sha256).err().unwrap();
    assert_eq!(refused.kind(), ErrorKind::PlantedPlaintext, "{}", refused.message());
    assert!(refused.message().contains(&sha256), "{}", refused.message());
}

/// A first encryption interrupted, then resumed: it converts only what its sealed record
/// lists, with the same bytes; a file planted meanwhile is refused, named, left as it is.
#[test]
fn a_resumed_encryption_converts_only_what_it_recorded() {
    let fixture = Fixture::complete_case();
    let home = fixture.folder.root().to_path_buf();
    let Fixture { dir: _dir, folder, .. } = fixture;
    let some_object = folder.vault().object_paths().unwrap()[0].clone();
    drop(folder);
    // Interrupted right after the record and the pending key were written: the state a crash
    // in step 2 leaves, with nothing converted yet.
    DataFolder::encrypt(&home, &passphrase(PASSPHRASE)).unwrap();
    let key_file = home.join("keys/data-key.json");
    let pending = home.join("keys/data-key.pending.json");
    assert!(!home.join(intake_core::planted::CONVERSION_RECORD_FILE).exists(), "the record goes with the encryption");

    // A pending key without its record (planted, or from another folder) is not resumed.
    std::fs::rename(&key_file, &pending).unwrap();
    let refused = DataFolder::encrypt(&home, &passphrase(PASSPHRASE)).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::PlantedPlaintext, "{}", refused.message());
    assert!(refused.message().contains("data-key.pending.json"), "{}", refused.message());
    std::fs::rename(&pending, &key_file).unwrap();

    // Both key files at once never happens: the pending one is planted.
    std::fs::copy(&key_file, &pending).unwrap();
    let refused = DataFolder::unlock(&home, &passphrase(PASSPHRASE)).err().unwrap();
    assert_eq!(refused.kind(), ErrorKind::PlantedPlaintext, "{}", refused.message());
    std::fs::remove_file(&pending).unwrap();
    assert!(some_object.exists());
}

#[test]
fn sealed_settings_and_key_altered_on_disk_are_refused_never_read() {
    let dir = tempfile::tempdir().unwrap();
    let (home, _, _) = encrypted_folder_with_file(dir.path());
    let folder = DataFolder::unlock(&home, &passphrase(PASSPHRASE)).unwrap();
    let fingerprint = folder.public_key_info().unwrap().fingerprint_sha256;
    assert!(folder.public_key_info().unwrap().private_key_file.ends_with("sm2-private-key.enc"));
    // Outside the unlocked folder the key is not made again in clear.
    let refused = intake_core::signing::InstallationKey::load_or_create(&home).err().unwrap();
    assert_eq!(refused.kind(), ErrorKind::PassphraseRequired);
    assert!(!home.join(intake_core::signing::PRIVATE_KEY_FILE).exists());

    for file in ["settings.json", intake_core::signing::SEALED_PRIVATE_KEY_FILE] {
        let path = home.join(file);
        let original = std::fs::read(&path).unwrap();
        let mut altered = original.clone();
        let last = altered.len() - 20;
        altered[last] ^= 0x01;
        std::fs::write(&path, &altered).unwrap();
        let err = if file == "settings.json" {
            folder.settings().unwrap_err()
        } else {
            folder.installation_key().err().unwrap()
        };
        assert_eq!(err.kind(), ErrorKind::VaultCorrupt, "{file}: {}", err.message());
        assert!(err.message().contains(file.rsplit('/').next().unwrap()), "{file}: names the file: {}", err.message());
        std::fs::write(&path, &original).unwrap();
    }
    assert_eq!(folder.public_key_info().unwrap().fingerprint_sha256, fingerprint);
    assert_eq!(folder.settings().unwrap().manager_name, "张三");
}
