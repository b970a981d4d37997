//! Thumbnails: a small upright JPEG of each picture, made at import and kept in the vault.
//!
//! A thumbnail is made from the image the pixel checks decode anyway (one decode per file, see
//! [`decode_reduced`](super::image_checks::decode_reduced)), so import pays only for the resize and the encode. It is
//! derived data: the core's `cached_thumbnail` rebuilds one that is missing (data folders from before
//! thumbnails existed) or damaged, from the vault object, by the same steps as at import, so
//! a rebuilt thumbnail has the same bytes. HEIC/AVIF (no decoder here), videos, documents
//! and files the checks cannot decode get none.

use std::borrow::Cow;

use image::{DynamicImage, RgbImage};

use super::FileInspection;

/// The longer side of a thumbnail, in pixels: sharp in a grid of cards on a laptop screen and
/// in the printed report, about 20-40 KB each.
pub const THUMBNAIL_LONG_SIDE: u32 = 400;

const JPEG_QUALITY: u8 = 80;

/// The JPEG thumbnail of an image decoded by [`decode_reduced`](super::image_checks::decode_reduced), turned upright
/// by its EXIF orientation. Images smaller than a thumbnail keep their size.
pub fn thumbnail_jpeg(reduced: &DynamicImage, orientation: Option<u16>) -> Option<Vec<u8>> {
    let colour = match reduced {
        DynamicImage::ImageRgb8(rgb) => Cow::Borrowed(rgb),
        other => Cow::Owned(other.to_rgb8()),
    };
    let mut thumbnail = DynamicImage::ImageRgb8(shrunk(&colour)?);
    if let Some(orientation) =
        orientation.and_then(|value| u8::try_from(value).ok()).and_then(image::metadata::Orientation::from_exif)
    {
        thumbnail.apply_orientation(orientation);
    }
    encoded(&thumbnail.into_rgb8())
}

/// The thumbnail as a JPEG, by libjpeg-turbo (the library that decodes the photos): its SIMD
/// encoder takes a fifth of the time of `image`'s, whose encode was 4 % of an import's time.
/// `image`'s encoder stays the fallback should libjpeg-turbo refuse.
fn encoded(thumbnail: &RgbImage) -> Option<Vec<u8>> {
    let turbo = || -> Option<Vec<u8>> {
        let mut compressor = turbojpeg::Compressor::new().ok()?;
        compressor.set_quality(i32::from(JPEG_QUALITY)).ok()?;
        compressor.set_subsamp(turbojpeg::Subsamp::Sub2x2).ok()?;
        let (width, height) = (usize::try_from(thumbnail.width()).ok()?, usize::try_from(thumbnail.height()).ok()?);
        let image = turbojpeg::Image {
            pixels: thumbnail.as_raw().as_slice(),
            width,
            pitch: width * 3,
            height,
            format: turbojpeg::PixelFormat::RGB,
        };
        compressor.compress_to_vec(image).ok()
    };
    turbo().or_else(|| {
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY).encode_image(thumbnail).ok()?;
        Some(jpeg)
    })
}

/// The 8-bit RGB image scaled to fit in [`THUMBNAIL_LONG_SIDE`] (aspect kept, at least one
/// pixel a side); smaller images keep their size. Catmull-Rom convolution, whose support
/// widens with the reduction, so nothing aliases.
fn shrunk(colour: &RgbImage) -> Option<RgbImage> {
    let (width, height) = colour.dimensions();
    let long_side = width.max(height);
    if long_side <= THUMBNAIL_LONG_SIDE {
        return Some(colour.clone());
    }
    let fit = |side: u32| {
        let (side, wanted, long_side) = (u64::from(side), u64::from(THUMBNAIL_LONG_SIDE), u64::from(long_side));
        let scaled = (side * wanted + long_side / 2) / long_side;
        u32::try_from(scaled.max(1)).unwrap_or(THUMBNAIL_LONG_SIDE)
    };
    let mut target = RgbImage::new(fit(width), fit(height));
    let options = fast_image_resize::ResizeOptions::new()
        .resize_alg(fast_image_resize::ResizeAlg::Convolution(fast_image_resize::FilterType::CatmullRom));
    fast_image_resize::Resizer::new().resize(colour, &mut target, &options).ok()?;
    Some(target)
}

/// The thumbnail of what a file's inspection decoded; `None` when the inspection found the
/// file unreadable or decoded no pixels.
pub fn thumbnail_of_inspection(inspection: &FileInspection, reduced: Option<&DynamicImage>) -> Option<Vec<u8>> {
    if inspection.error.is_some() {
        return None;
    }
    thumbnail_jpeg(reduced?, inspection.orientation)
}
