//! Hex digests: the spelling of every SHA-256 the program writes (file names in the vault,
//! manifests, the audit chain, key fingerprints).

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(text, "{byte:02x}");
    }
    text
}

/// `count` random bytes as hex, from the operating system's generator.
pub fn random_hex(count: usize) -> String {
    let mut bytes = vec![0u8; count];
    getrandom::fill(&mut bytes).expect("the operating system's random generator is available");
    hex(&bytes)
}
