//! SM2-with-SM3 signatures (GM/T 0003, GM/T 0004) as a package carries them: checking one,
//! and the constants the signer (the installation's key pair, `intake_core::signing`) uses.
//! OpenSSL 3 checks the same signatures with
//!
//! ```text
//! openssl dgst -sm3 -verify sm2-public-key.pem -sigopt distid:1234567812345678 \
//!     -signature tagmanifest-sha256.txt.sig tagmanifest-sha256.txt
//! ```
//!
//! The RustCrypto `sm2` crate does the arithmetic (its README says it has not been audited).

use sha2::{Digest, Sha256};
use sm2::PublicKey;
use sm2::dsa::signature::Verifier;
use sm2::dsa::{Signature, VerifyingKey};
use sm2::pkcs8::{DecodePublicKey, EncodePublicKey};

use crate::error::{Error, ErrorKind, Result};

/// The SM2 distinguishing ID used for every signature (GM/T 0009 default).
pub const DISTINGUISHING_ID: &str = "1234567812345678";

/// Why a signature does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureProblem {
    /// The public key is not an SM2 SubjectPublicKeyInfo PEM.
    BadPublicKey(String),
    /// The signature is not a DER SM2 signature.
    BadSignatureEncoding(String),
    /// Well-formed, but made with another key or over other bytes.
    Mismatch,
}

impl std::fmt::Display for SignatureProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignatureProblem::BadPublicKey(reason) => {
                write!(f, "the public key is not an SM2 public key in PEM ({reason})")
            }
            SignatureProblem::BadSignatureEncoding(reason) => {
                write!(f, "the signature is not a DER SM2 signature ({reason})")
            }
            SignatureProblem::Mismatch => {
                f.write_str("the signature does not match the signed file and the public key")
            }
        }
    }
}

/// The public key of a SubjectPublicKeyInfo PEM and its fingerprint.
pub fn parse_public_key_pem(pem: &str) -> std::result::Result<(PublicKey, String), SignatureProblem> {
    let public_key =
        PublicKey::from_public_key_pem(pem).map_err(|err| SignatureProblem::BadPublicKey(err.to_string()))?;
    let fingerprint =
        fingerprint_of(&public_key).map_err(|err| SignatureProblem::BadPublicKey(err.message().to_string()))?;
    Ok((public_key, fingerprint))
}

/// Checks an SM2-with-SM3 DER signature over `message` with the distinguishing ID.
pub fn verify_signature(
    public_key: &PublicKey,
    message: &[u8],
    signature_der: &[u8],
) -> std::result::Result<(), SignatureProblem> {
    let verifying_key = VerifyingKey::new(DISTINGUISHING_ID, *public_key)
        .map_err(|_| SignatureProblem::BadPublicKey("unusable point".into()))?;
    let signature =
        Signature::from_der(signature_der).map_err(|err| SignatureProblem::BadSignatureEncoding(err.to_string()))?;
    verifying_key.verify(message, &signature).map_err(|_| SignatureProblem::Mismatch)
}

/// The fingerprint of a public key: SHA-256 of its DER SubjectPublicKeyInfo, lower-case hex.
pub fn fingerprint_of(public_key: &PublicKey) -> Result<String> {
    let der = public_key
        .to_public_key_der()
        .map_err(|err| Error::new(ErrorKind::Io, format!("cannot encode the SM2 public key: {err}")))?;
    Ok(intake_domain::digest::hex(&Sha256::digest(der.as_bytes())))
}
