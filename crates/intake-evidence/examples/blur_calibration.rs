//! Measures the sharpness (`blurry`'s measure) of real photos and of the same photos blurred,
//! to set `DEFAULT_MIN_LAPLACIAN_VARIANCE` between the two. For each JPEG in the folder given:
//! the photo as it is, and the photo after a Gaussian blur of sigma 1.5 px at 1,024 px (the
//! blur a reviewer sees as soft on a screen; at full size, 1.5 px for every 1,024 px of its
//! longer side), saved again as a JPEG of quality 90, both through the import's own decode.
//!   cargo run --release -p intake-evidence --example blur_calibration -- DIR
use intake_evidence::image_checks::analyse_pixels;
use intake_evidence::media::MediaKind;

const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

fn main() {
    let folder = std::env::args().nth(1).expect("usage: blur_calibration DIR");
    let mut paths: Vec<_> = std::fs::read_dir(&folder)
        .expect("a folder")
        .map(|entry| entry.expect("a readable folder").path())
        .filter(|path| path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("jpg")))
        .collect();
    paths.sort();
    println!("{:<48} {:>10} {:>10} {:>10}", "photo", "size", "sharp", "blurred");
    for path in paths {
        let bytes = std::fs::read(&path).expect("readable");
        let Ok(sharp) = analyse_pixels(&bytes, MediaKind::Jpeg, MAX_DECODE_BYTES) else { continue };
        let Ok(full) = image::load_from_memory(&bytes) else { continue };
        let long_side = full.width().max(full.height());
        let blurred = image::imageops::blur(&full.to_rgb8(), 1.5 * long_side as f32 / 1024.0);
        let mut encoded = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut encoded, 90).encode_image(&blurred).expect("encodes");
        let soft = analyse_pixels(&encoded, MediaKind::Jpeg, MAX_DECODE_BYTES).expect("decodes");
        println!(
            "{:<48} {:>10} {:>10.0} {:>10.0}",
            path.file_name().unwrap().to_string_lossy(),
            format!("{}x{}", sharp.analysed_width, sharp.analysed_height),
            sharp.laplacian_variance,
            soft.laplacian_variance
        );
    }
}
