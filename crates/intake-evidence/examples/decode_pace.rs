//! How long libjpeg-turbo takes to decode the same JPEGs in each way the import could use it
//! (issue 19 item 2), one thread, in process, mean per file over a second pass (the first
//! warms the caches):
//! - at 1/4 in colour (what the import does: its checks need about 1,000 px);
//! - at 1/4 in grey, at 1/8 in colour and at 1/8 in grey (the reference's decode,
//!   `djpeg -scale 1/8 -grayscale`);
//! - the DCT coefficients alone, with no inverse DCT (TurboJPEG's lossless transform with a
//!   custom filter and no output), summing each luma block's low-frequency AC energy: the least
//!   a sharpness measure read from the coefficients would cost.
//!
//!   cargo run --release -p intake-evidence --example decode_pace -- DIR [COUNT]
mod jpeg_folder;

use std::time::Instant;

use turbojpeg_sys as tj;

/// One way of decoding; returns something of the result, so that nothing is optimised away.
type Decode = fn(&[u8]) -> usize;

fn main() {
    let mut arguments = std::env::args().skip(1);
    let folder = arguments.next().expect("usage: decode_pace DIR [COUNT]");
    let count: usize = arguments.next().map_or(40, |count| count.parse().expect("COUNT is a number"));
    let mut paths = jpeg_folder::jpegs_in(folder.as_ref());
    paths.truncate(count);
    let files: Vec<Vec<u8>> = paths.iter().map(|path| std::fs::read(path).expect("readable")).collect();
    assert!(!files.is_empty(), "no .jpg in {folder}");
    let ways: [(&str, Decode); 5] = [
        ("1/4, colour (the import)", |file| decoded(file, 4, turbojpeg::PixelFormat::RGB)),
        ("1/4, grey", |file| decoded(file, 4, turbojpeg::PixelFormat::GRAY)),
        ("1/8, colour", |file| decoded(file, 8, turbojpeg::PixelFormat::RGB)),
        ("1/8, grey (the reference's decode)", |file| decoded(file, 8, turbojpeg::PixelFormat::GRAY)),
        ("coefficients only, luma AC energy", |file| coefficient_energy(file) as usize),
    ];
    println!("{} JPEGs of {folder}, one thread", files.len());
    for pass in 0..2 {
        for (name, decode) in &ways {
            let start = Instant::now();
            let checksum: usize = files.iter().map(|file| decode(file)).fold(0, usize::wrapping_add);
            if pass == 1 {
                let each = start.elapsed().as_secs_f64() * 1000.0 / files.len() as f64;
                println!("{name:<36} {each:6.1} ms per file   (checksum {checksum})");
            }
        }
    }
}

/// A scaled decode; returns the first pixel, so that nothing is optimised away.
fn decoded(file: &[u8], denominator: usize, format: turbojpeg::PixelFormat) -> usize {
    let mut decompressor = turbojpeg::Decompressor::new().expect("TurboJPEG starts");
    let header = decompressor.read_header(file).expect("a JPEG header");
    let scale = turbojpeg::ScalingFactor::new(1, denominator);
    let scaled = header.scaled(scale);
    decompressor.set_scaling_factor(scale).expect("a supported scale");
    let channels = format.size();
    let mut image = turbojpeg::Image {
        pixels: vec![0u8; scaled.width * scaled.height * channels],
        width: scaled.width,
        pitch: scaled.width * channels,
        height: scaled.height,
        format,
    };
    decompressor.decompress(file, image.as_deref_mut()).expect("decodes");
    usize::from(image.pixels[0])
}

/// The sum over the luma blocks of the squared AC coefficients of the 4x4 lowest frequencies
/// (quantised, as TurboJPEG hands them over), read without any inverse DCT.
fn coefficient_energy(file: &[u8]) -> u64 {
    // SAFETY: a handle made here and destroyed below; `tj3Transform` reads `file` within its
    // length, writes nothing (TJXOPT_NOOUTPUT) and calls `add_energy` with `data` pointing at
    // `energy`, which outlives the call.
    unsafe {
        let handle = tj::tj3Init(tj::TJINIT_TJINIT_TRANSFORM as libc::c_int);
        assert!(!handle.is_null(), "TurboJPEG starts");
        let mut energy: u64 = 0;
        let mut transform: tj::tjtransform = std::mem::zeroed();
        transform.op = tj::TJXOP_TJXOP_NONE as libc::c_int;
        transform.options = (tj::TJXOPT_NOOUTPUT | tj::TJXOPT_COPYNONE) as libc::c_int;
        transform.data = (&mut energy as *mut u64).cast();
        transform.customFilter = Some(add_energy);
        let mut output: *mut u8 = std::ptr::null_mut();
        let mut output_size: tj::size_t = 0;
        let status = tj::tj3Transform(
            handle,
            file.as_ptr(),
            file.len() as tj::size_t,
            1,
            &mut output,
            &mut output_size,
            &transform,
        );
        tj::tj3Destroy(handle);
        assert_eq!(status, 0, "the coefficients are read");
        energy
    }
}

/// TurboJPEG's custom filter: called for each row of blocks of each component.
unsafe extern "C" fn add_energy(
    coefficients: *mut libc::c_short,
    array_region: tj::tjregion,
    _plane_region: tj::tjregion,
    component: libc::c_int,
    _transform_index: libc::c_int,
    transform: *mut tj::tjtransform,
) -> libc::c_int {
    if component != 0 {
        return 0;
    }
    // SAFETY: TurboJPEG passes a row of `array_region.w / 8` blocks of 64 coefficients, and the
    // transform whose `data` is the `u64` set above.
    unsafe {
        let energy = &mut *((*transform).data as *mut u64);
        let blocks = usize::try_from(array_region.w / 8).unwrap_or(0);
        for block in std::slice::from_raw_parts(coefficients, blocks * 64).chunks_exact(64) {
            for v in 0..4 {
                for u in 0..4 {
                    if u + v > 0 {
                        let value = i64::from(block[v * 8 + u]);
                        *energy += (value * value) as u64;
                    }
                }
            }
        }
    }
    0
}
