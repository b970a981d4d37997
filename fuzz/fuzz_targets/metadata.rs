//! Any bytes through what `intake inspect` reads from a file: the media sniffing, the
//! container structures, the EXIF and movie metadata (from memory and from a seekable source)
//! and the JPEG tables. Nothing may panic,
//! hang or allocate without bound. (The pixel decoders are the image crates' own fuzzing.)
#![no_main]

use intake_evidence::{containers, media, metadata};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = media::MediaKind::sniff(data);
    let _ = media::media_type_of(data);
    let read = metadata::read_metadata(data);
    if let Some(found) = read.reading.found() {
        let _ = found.gps.position();
        let _ = found.gps.altitude_m();
    }
    // The from-disk path of large videos reads through a seekable source instead.
    let kind = media::MediaKind::sniff(data);
    if kind.is_video() {
        let _ = metadata::read_movie_metadata(kind, std::io::Cursor::new(data));
    }
    let _ = containers::jpeg_quantisation_tables(data);
    let _ = containers::jpeg_has_end_marker(data);
    let _ = containers::heif_primary_size(data);
    let _ = containers::png_size(data);
    let _ = containers::webp_exif_payload(data);
    let mut copy = data.to_vec();
    let _ = containers::retype_ifd_pointers(&mut copy);
});
