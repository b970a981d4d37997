//! Locking ends the worker threads' use of the key too (issue 15, item 6): a handle told to
//! stop (`stop_when`, raised by the app when it locks) stops its import between two files and
//! its export between two pieces, answering `passphrase_required`, records nothing half-done
//! and leaves no temp file; a handle told nothing goes on.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use intake_core::data_folder::FileStatus;
use intake_core::package::{ExportOptions, ExportPhase};
use intake_core::{DataFolder, ErrorKind};

use crate::package::{Fixture, scan};

#[test]
fn an_import_stops_after_the_file_during_which_the_folder_was_locked() {
    let fixture = Fixture::empty_case();
    let files: Vec<_> = (0..4)
        .map(|seed| {
            let path = fixture.dir.path().join(format!("scan-{seed}.png"));
            std::fs::write(&path, scan(seed + 40)).unwrap();
            path
        })
        .collect();
    let mut handle = fixture.folder.reopen().unwrap();
    let signal = Arc::new(AtomicBool::new(false));
    handle.stop_when(signal.clone());
    let mut seen = 0;
    let outcomes = handle
        .add_files(&fixture.case_id, "risk_rating_form", &files, |_| {
            seen += 1;
            // The app locks while the first file is being recorded.
            signal.store(true, Ordering::SeqCst);
        })
        .unwrap();
    assert_eq!(seen, files.len(), "every file is reported");
    assert_eq!(outcomes[0].status, FileStatus::Added);
    for outcome in &outcomes[1..] {
        assert_eq!(outcome.status, FileStatus::Failed, "{outcome:?}");
        assert_eq!(outcome.error.as_ref().unwrap().code, intake_core::ErrorKind::PassphraseRequired);
    }
    assert!(handle.stop_requested());
    drop(handle);
    assert_eq!(fixture.folder.case_evidence(&fixture.case_id).unwrap().len(), 1, "nothing else was recorded");
}

#[test]
fn an_export_stops_when_the_folder_is_locked_and_queues_nothing() {
    let fixture = Fixture::complete_case();
    let mut handle = fixture.folder.reopen().unwrap();
    let signal = Arc::new(AtomicBool::new(false));
    handle.stop_when(signal.clone());
    let options = ExportOptions::default();
    let err = handle
        .export_to_outbox_with_progress(&fixture.case_id, &options, &mut |progress| {
            if progress.phase == ExportPhase::Writing {
                signal.store(true, Ordering::SeqCst);
            }
        })
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PassphraseRequired, "{err:?}");
    drop(handle);
    assert!(fixture.folder.outbox().unwrap().is_empty(), "nothing queued");
    let tmp = fixture.folder.root().join("vault").join("tmp");
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0, "no temp file left");
    assert_eq!(std::fs::read_dir(fixture.folder.root().join("vault").join("outbox")).unwrap().count(), 0);

    // A handle whose signal was never raised exports as ever.
    let mut calm = DataFolder::reopen(&fixture.folder).unwrap();
    calm.stop_when(Arc::new(AtomicBool::new(false)));
    calm.export_to_outbox(&fixture.case_id, &options).unwrap();
}
