//! Thumbnails: made at import from the vault object, upright, cached in the vault, rebuilt
//! when missing or damaged, and collected with the objects they belong to.

use std::path::{Path, PathBuf};

use intake_core::case::{CaseAttributes, NewCase};
use intake_core::{DataFolder, ErrorKind};

fn corpus_file(name: &str) -> PathBuf {
    let folder = std::env::var_os("INTAKE_CORPUS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/exif-real"));
    let path = folder.join("files").join(name);
    assert!(path.is_file(), "{}: the corpus lives in ../shared/corpus/exif-real", path.display());
    path
}

fn open_with_case(home: &Path) -> (DataFolder, String) {
    let mut folder = DataFolder::open(home).unwrap();
    let case = folder
        .create_case(NewCase {
            merchant_name: "缩略图".into(),
            attributes: CaseAttributes { opens_payment: true, ..CaseAttributes::default() },
            visit_date: None,
            site: None,
        })
        .unwrap();
    (folder, case.id)
}

fn add(folder: &mut DataFolder, case_id: &str, material: &str, path: &Path) -> String {
    let outcomes = folder.add_files(case_id, material, &[path.to_path_buf()], |_| {}).unwrap();
    assert!(outcomes[0].error.is_none(), "{:?}", outcomes[0].error);
    outcomes[0].evidence.as_ref().unwrap().sha256.clone()
}

fn dimensions(jpeg: &[u8]) -> (u32, u32) {
    let image = image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg).expect("a thumbnail is a JPEG");
    (image.width(), image.height())
}

/// Mean absolute difference of two images of the same size, per channel (0..255).
fn difference(a: &image::RgbImage, b: &image::RgbImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let total: u64 = a.as_raw().iter().zip(b.as_raw()).map(|(x, y)| u64::from(x.abs_diff(*y))).sum();
    total as f64 / a.as_raw().len() as f64
}

fn scan_png(path: &Path, width: u32, height: u32) {
    let image = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    image.save_with_format(path, image::ImageFormat::Png).unwrap();
}

#[test]
fn thumbnails_are_made_at_import_upright_and_small() {
    let dir = tempfile::tempdir().unwrap();
    let (mut folder, case_id) = open_with_case(&dir.path().join("home"));
    // Both store their pixels sideways and say so in EXIF orientation 6 and 8 (rotate 90°
    // clockwise, counter-clockwise): the thumbnail must look like the photo turned that way,
    // and not like it turned the other way.
    for (name, orientation, wrong) in [
        ("sony-cybershot-orient6.jpg", image::metadata::Orientation::Rotate90, image::metadata::Orientation::Rotate270),
        ("orientation-8.jpg", image::metadata::Orientation::Rotate270, image::metadata::Orientation::Rotate90),
    ] {
        let source = corpus_file(name);
        let sha256 = add(&mut folder, &case_id, "interior_photo", &source);
        assert!(folder.vault().thumbnail_path(&sha256).is_file(), "{name}: no thumbnail cached at import");
        let thumbnail = image::load_from_memory(&folder.thumbnail(&sha256).unwrap().unwrap()).unwrap().to_rgb8();
        let (width, height) = thumbnail.dimensions();
        assert!(width.max(height) <= 400, "{name}: {width}x{height}");
        let turned = |how| {
            let mut original = image::open(&source).unwrap();
            original.apply_orientation(how);
            original.resize_exact(width, height, image::imageops::FilterType::Triangle).to_rgb8()
        };
        let (right, other) = (difference(&thumbnail, &turned(orientation)), difference(&thumbnail, &turned(wrong)));
        assert!(right < 12.0 && other > 2.0 * right, "{name}: differs {right:.1} from upright, {other:.1} from wrong");
    }
    // A PNG scan, larger than a thumbnail: scaled to 400 px on its longer side.
    let scan = dir.path().join("扫描件.png");
    scan_png(&scan, 1200, 900);
    let sha256 = add(&mut folder, &case_id, "business_license", &scan);
    assert_eq!(dimensions(&folder.thumbnail(&sha256).unwrap().unwrap()), (400, 300));
    // The original is never touched.
    assert!(folder.vault().verify(&sha256).unwrap());
}

/// Damages the cached thumbnail at a path, given its good bytes.
type Damage = fn(&Path, &[u8]);

#[test]
fn the_cache_is_served_and_a_missing_or_damaged_thumbnail_is_made_again() {
    let dir = tempfile::tempdir().unwrap();
    let (mut folder, case_id) = open_with_case(&dir.path().join("home"));
    let sha256 = add(&mut folder, &case_id, "interior_photo", &corpus_file("sony-cybershot-orient6.jpg"));
    let path = folder.vault().thumbnail_path(&sha256);
    let made_at_import = std::fs::read(&path).unwrap();
    assert_eq!(folder.thumbnail(&sha256).unwrap().unwrap(), made_at_import);

    // The cache is what is served: a (whole) thumbnail put there comes back as it is.
    let mut other = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut other, 90)
        .encode_image(&image::RgbImage::from_pixel(30, 20, image::Rgb([1, 2, 3])))
        .unwrap();
    let sealed_other = folder.vault().store_thumbnail(&sha256, &other).unwrap();
    assert_eq!(folder.thumbnail(&sha256).unwrap().unwrap(), sealed_other);

    // Truncated, one byte changed, emptied, deleted (a data folder from before thumbnails):
    // each time the thumbnail is made again from the object, the same bytes as at import, and
    // cached again.
    let damages: [(&str, Damage); 4] = [
        ("truncated", |path, good| std::fs::write(path, &good[..good.len() / 2]).unwrap()),
        ("one byte changed", |path, good| {
            let mut bad = good.to_vec();
            let middle = bad.len() / 2;
            bad[middle] ^= 0x01;
            std::fs::write(path, bad).unwrap();
        }),
        ("emptied", |path, _| std::fs::write(path, b"").unwrap()),
        ("deleted", |path, _| std::fs::remove_file(path).unwrap()),
    ];
    for (damage, apply) in damages {
        apply(&path, &made_at_import);
        assert_eq!(folder.thumbnail(&sha256).unwrap().unwrap(), made_at_import, "{damage}: not made again");
        assert_eq!(std::fs::read(&path).unwrap(), made_at_import, "{damage}: not cached again");
    }
}

#[test]
fn what_is_not_a_decodable_picture_has_no_thumbnail() {
    let dir = tempfile::tempdir().unwrap();
    let (mut folder, case_id) = open_with_case(&dir.path().join("home"));
    let heic = add(&mut folder, &case_id, "interior_photo", &corpus_file("apple-iphone-xr-gps-west-orient6.heic"));
    let text = dir.path().join("note.txt");
    std::fs::write(&text, "不是图片 not a picture").unwrap();
    let text = add(&mut folder, &case_id, "business_license", &text);
    for sha256 in [heic, text] {
        assert_eq!(folder.thumbnail(&sha256).unwrap(), None);
        assert!(!folder.vault().thumbnail_path(&sha256).exists());
    }
    let unknown = "0".repeat(64);
    assert_eq!(folder.thumbnail(&unknown).unwrap_err().kind(), ErrorKind::FileMissing);
    assert_eq!(folder.thumbnail("../../etc/passwd").unwrap_err().kind(), ErrorKind::InvalidInput);
}

#[test]
fn the_exclusive_open_removes_thumbnails_of_objects_no_case_refers_to() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let (mut folder, case_id) = open_with_case(&home);
    let kept = add(&mut folder, &case_id, "interior_photo", &corpus_file("orientation-8.jpg"));
    let orphan = "ab".repeat(32);
    let jpeg = std::fs::read(corpus_file("orientation-1.jpg")).unwrap();
    folder.vault().store_thumbnail(&orphan, &jpeg).unwrap();
    drop(folder);

    let (folder, report) = DataFolder::open_reporting_cleanup(&home).unwrap();
    assert!(report.ran);
    assert_eq!(report.unreferenced_thumbnails_removed, 1);
    assert!(!folder.vault().thumbnail_path(&orphan).exists());
    assert!(folder.vault().thumbnail_path(&kept).is_file());
}
