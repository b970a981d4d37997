//! Whether a JPEG uses libjpeg's standard quantisation tables (what a chat app or an editor
//! writes when it re-compresses a photo): the `forwarded_copy` rule's evidence.

/// The IJG (libjpeg) quality 1..=100 whose scaled standard tables equal this file's luminance
/// table (and chrominance table, if there is one). libjpeg, libjpeg-turbo and the encoders
/// of most chat apps and editors write exactly these; cameras mostly write their own.
pub fn standard_jpeg_quality(tables: &[(u8, [u16; 64])]) -> Option<u8> {
    let luminance = tables.iter().find(|(id, _)| *id == 0).map(|(_, table)| table)?;
    let chrominance = tables.iter().find(|(id, _)| *id == 1).map(|(_, table)| table);
    (1..=100u8).rev().find(|&quality| {
        scaled_table(&IJG_LUMINANCE, quality) == *luminance
            && chrominance.is_none_or(|table| scaled_table(&IJG_CHROMINANCE, quality) == *table)
    })
}

/// libjpeg's `jpeg_quality_scaling` and `jpeg_add_quant_table` with `force_baseline`.
fn scaled_table(base: &[u16; 64], quality: u8) -> [u16; 64] {
    let quality = u32::from(quality.clamp(1, 100));
    let scale = if quality < 50 { 5000 / quality } else { 200 - quality * 2 };
    base.map(|value| ((u32::from(value) * scale + 50) / 100).clamp(1, 255) as u16)
}

/// The example tables of ITU-T T.81 Annex K, natural order, which libjpeg scales.
const IJG_LUMINANCE: [u16; 64] = [
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51,
    87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101,
    72, 92, 95, 98, 112, 100, 103, 99,
];
const IJG_CHROMINANCE: [u16; 64] = [
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ijg_quality_is_recognised_exactly() {
        for quality in [10u8, 50, 75, 85, 95, 100] {
            let tables = vec![(0, scaled_table(&IJG_LUMINANCE, quality)), (1, scaled_table(&IJG_CHROMINANCE, quality))];
            assert_eq!(standard_jpeg_quality(&tables), Some(quality));
        }
        let mut camera = scaled_table(&IJG_LUMINANCE, 92);
        camera[5] += 1;
        assert_eq!(standard_jpeg_quality(&[(0, camera)]), None);
        assert_eq!(standard_jpeg_quality(&[]), None);
    }
}
