//! Measures the sharpness (`blurry`'s measure) of real photos and of the same photos blurred,
//! to set `DEFAULT_MIN_LAPLACIAN_VARIANCE` between the two. For each JPEG in the folder given:
//! the photo as it is, and the photo after a Gaussian blur of sigma 1.5 px at 1,024 px (the
//! blur a reviewer sees as soft on a screen; at full size, 1.5 px for every 1,024 px of its
//! longer side), saved again as a JPEG of quality 90, both through the import's own decode.
//!
//! Beside the import's measure, two that a decode at 1/8 would give (issue 19 item 2: the only
//! decode as cheap as the `djpeg -scale 1/8 -grayscale` reference keeps just each block's DC
//! coefficient, about 500 px for a 12 MP photo). Neither is used by the import; they are here
//! so that what the import would lose by moving to 1/8 can be measured again on any photos:
//! - `1/8 lap`: the import's own measure ([`measure`]) on the 1/8 decode, in libjpeg-turbo's
//!   grey (a build analysing at 512 px also shrinks a larger decode to 512 px and weighs the
//!   colours its own way, so its figures differ a little);
//! - `1/8 ratio`: each 32-px tile's Laplacian variance divided by its mean squared gradient,
//!   averaged over the sharpest tenth of tiles: it does not grow with contrast (a candidate,
//!   not a finished measure).
//!
//!   cargo run --release -p intake-evidence --example blur_calibration -- DIR
mod jpeg_folder;

use image::GrayImage;
use intake_evidence::image_checks::{analyse_pixels, measure};
use intake_evidence::media::MediaKind;

const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// Photos whose analysis image is smaller are left out: the blur is then the slightest at the
/// analysis scale, and they are not what the import's thresholds are set on.
const MIN_ANALYSED_SIDE: u32 = 600;

fn main() {
    let folder = std::env::args().nth(1).expect("usage: blur_calibration DIR");
    let paths = jpeg_folder::jpegs_in(folder.as_ref());
    println!(
        "{:<44} {:>10} {:>8} {:>8} | {:>8} {:>8} {:>8} | {:>9} {:>9}",
        "photo", "analysed", "sharp", "blurred", "1/8 size", "1/8 lap", "blurred", "1/8 ratio", "blurred"
    );
    for path in paths {
        let bytes = std::fs::read(&path).expect("readable");
        let Ok(sharp) = analyse_pixels(&bytes, MediaKind::Jpeg, MAX_DECODE_BYTES) else { continue };
        if sharp.analysed_width.max(sharp.analysed_height) < MIN_ANALYSED_SIDE {
            continue;
        }
        let Ok(full) = image::load_from_memory(&bytes) else { continue };
        let long_side = full.width().max(full.height());
        let blurred = image::imageops::blur(&full.to_rgb8(), 1.5 * long_side as f32 / 1024.0);
        let mut encoded = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut encoded, 90).encode_image(&blurred).expect("encodes");
        let soft = analyse_pixels(&encoded, MediaKind::Jpeg, MAX_DECODE_BYTES).expect("decodes");
        let (Some(eighth), Some(soft_eighth)) = (decoded_at_one_eighth(&bytes), decoded_at_one_eighth(&encoded)) else {
            continue;
        };
        println!(
            "{:<44} {:>10} {:>8.0} {:>8.0} | {:>8} {:>8.0} {:>8.0} | {:>9.2} {:>9.2}",
            path.file_name().unwrap().to_string_lossy(),
            format!("{}x{}", sharp.analysed_width, sharp.analysed_height),
            sharp.laplacian_variance,
            soft.laplacian_variance,
            format!("{}x{}", eighth.width(), eighth.height()),
            measure(&eighth).laplacian_variance,
            measure(&soft_eighth).laplacian_variance,
            laplacian_over_gradient(&eighth),
            laplacian_over_gradient(&soft_eighth),
        );
    }
}

/// The photo in grey at the smallest DCT scale whose longer side keeps at least half of the
/// import's 768 px minimum (1/8 for a 12 MP photo), by libjpeg-turbo as the import decodes.
fn decoded_at_one_eighth(file: &[u8]) -> Option<GrayImage> {
    let mut decompressor = turbojpeg::Decompressor::new().ok()?;
    let header = decompressor.read_header(file).ok()?;
    let long_side = header.width.max(header.height);
    let denominator = [8, 4, 2].into_iter().find(|&denominator| long_side.div_ceil(denominator) >= 384).unwrap_or(1);
    let scale = turbojpeg::ScalingFactor::new(1, denominator);
    let scaled = header.scaled(scale);
    decompressor.set_scaling_factor(scale).ok()?;
    let mut image = turbojpeg::Image {
        pixels: vec![0; scaled.width * scaled.height],
        width: scaled.width,
        pitch: scaled.width,
        height: scaled.height,
        format: turbojpeg::PixelFormat::GRAY,
    };
    decompressor.decompress(file, image.as_deref_mut()).ok()?;
    GrayImage::from_raw(u32::try_from(scaled.width).ok()?, u32::try_from(scaled.height).ok()?, image.pixels)
}

/// The tile side at 1/8: the same share of a 12 MP photo as the import's 64 px tiles at 1/4.
const TILE: usize = 32;

/// The candidate measure: each tile's Laplacian variance over its mean squared gradient,
/// averaged over the sharpest tenth of tiles, as the import averages its own.
fn laplacian_over_gradient(grey: &GrayImage) -> f64 {
    let (width, height) = (grey.width() as usize, grey.height() as usize);
    let pixel = |x: usize, y: usize| f64::from(grey.as_raw()[y * width + x]);
    let mut tiles = Vec::new();
    for top in (0..height).step_by(TILE) {
        for left in (0..width).step_by(TILE) {
            let (mut sum, mut squares, mut gradient, mut count) = (0.0, 0.0, 0.0, 0.0);
            for y in top.max(1)..(top + TILE).min(height - 1) {
                for x in left.max(1)..(left + TILE).min(width - 1) {
                    let laplacian =
                        4.0 * pixel(x, y) - pixel(x - 1, y) - pixel(x + 1, y) - pixel(x, y - 1) - pixel(x, y + 1);
                    let (across, down) = (pixel(x + 1, y) - pixel(x - 1, y), pixel(x, y + 1) - pixel(x, y - 1));
                    sum += laplacian;
                    squares += laplacian * laplacian;
                    gradient += across * across + down * down;
                    count += 1.0;
                }
            }
            if count < (TILE * TILE / 4) as f64 {
                continue;
            }
            let variance = (squares / count - (sum / count).powi(2)).max(0.0);
            // A tile with next to no gradient (flat, or faint noise after the 8x8 averaging)
            // says nothing about focus.
            tiles.push(if gradient / count > 4.0 { variance / (gradient / count) } else { 0.0 });
        }
    }
    if tiles.is_empty() {
        return 0.0;
    }
    tiles.sort_by(|a, b| b.total_cmp(a));
    let sharpest = (tiles.len() / 10).max(1);
    tiles[..sharpest].iter().sum::<f64>() / sharpest as f64
}
