//! The viewer's bytes (`DataFolder::view_evidence_file`): a file of the case exactly as
//! imported, and nothing that is not one of that case's files.

use std::path::Path;

use intake_core::case::{CaseAttributes, NewCase};
use intake_core::{DataFolder, ErrorKind};

/// A case that opens payment products, with no visit date or premises; its id.
pub(crate) fn new_case(folder: &mut DataFolder, name: &str) -> String {
    folder
        .create_case(NewCase {
            merchant_name: name.into(),
            attributes: CaseAttributes { opens_payment: true, ..CaseAttributes::default() },
            visit_date: None,
            site: None,
        })
        .unwrap()
        .id
}

fn add(folder: &mut DataFolder, case_id: &str, path: &Path) -> i64 {
    let outcomes = folder.add_files(case_id, "storefront_photo", &[path.to_path_buf()], |_| {}).unwrap();
    assert!(outcomes[0].error.is_none(), "{:?}", outcomes[0].error);
    outcomes[0].evidence.as_ref().unwrap().id
}

#[test]
fn a_case_s_file_is_shown_byte_for_byte_and_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let mut folder = DataFolder::open(&dir.path().join("home")).unwrap();
    let ours = new_case(&mut folder, "看得见");
    let theirs = new_case(&mut folder, "别家");
    let photo = dir.path().join("门头.png");
    image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8, y as u8, 7])).save(&photo).unwrap();
    let other = dir.path().join("别家门头.png");
    image::RgbImage::from_fn(32, 32, |x, _| image::Rgb([x as u8, 0, 200])).save(&other).unwrap();
    let our_file = add(&mut folder, &ours, &photo);
    let their_file = add(&mut folder, &theirs, &other);

    let viewed = folder.view_evidence_file(&ours, our_file).unwrap();
    assert_eq!(viewed.bytes, std::fs::read(&photo).unwrap());
    assert_eq!(viewed.media_type, "image/png");

    let refused = folder.view_evidence_file(&ours, their_file).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::InvalidInput, "another case's file through this case: {refused}");
    let unknown = folder.view_evidence_file("no-such-case", our_file).unwrap_err();
    assert_eq!(unknown.kind(), ErrorKind::CaseNotFound);
}
