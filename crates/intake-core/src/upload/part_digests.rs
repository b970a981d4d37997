//! Each part's SHA-256 computed once, not twice.
//!
//! object_store signs each part with its SHA-256 (SigV4's payload hash) and sends the same
//! digest as `x-amz-checksum-sha256`; it gets that digest through its [`CryptoProvider`],
//! which hashes the part's bytes. The thread that reads the package has already computed
//! that very digest (it is recorded with the part once the server accepts it), so hashing
//! the part again cost a second pass over every byte sent, on the runtime thread that sends
//! them (13 % of the client's CPU in issue 19's profile).
//!
//! [`PartDigests`] is object_store's ring provider with one difference: a digest asked of
//! exactly the bytes of a part registered here ([`PartDigests::register`]: the same
//! allocation, the same length, in one piece) is answered with the digest the reader
//! computed. Anything else (the canonical request, a completion's body, a part not
//! registered) is hashed as before. Sound because an entry holds a reference to the part's
//! bytes: while it is registered, its allocation can be neither freed nor reused, and
//! `Bytes` are immutable, so a slice at that address with that length is those bytes.
//! The digest registered is the part's own SHA-256, so if it were ever wrong the server
//! would refuse the part (its signature and checksum would not match): a wrong digest can
//! fail an upload, never store other bytes.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use object_store::client::{CryptoProvider, DigestAlgorithm, DigestContext, HmacContext, Signer, SigningAlgorithm};
use ring::{digest, hmac};

/// The SHA-256 of the parts in flight, handed to object_store as its crypto provider
/// (module documentation). Clones share the registrations.
#[derive(Debug, Clone, Default)]
pub(crate) struct PartDigests {
    parts: Arc<Mutex<Vec<KnownPart>>>,
}

#[derive(Debug)]
struct KnownPart {
    /// Keeps the part's allocation alive (and so its address unique) while registered.
    bytes: Bytes,
    sha256: [u8; 32],
}

/// A part's registration; dropping it forgets the part (after its request, sent or not).
pub(crate) struct Registration {
    parts: Arc<Mutex<Vec<KnownPart>>>,
    bytes: Bytes,
}

impl PartDigests {
    /// Answers a digest of exactly `bytes` with `sha256` (which must be their SHA-256) until
    /// the registration is dropped. Empty parts are not registered (an empty `Bytes` has no
    /// allocation of its own to be recognised by).
    pub(crate) fn register(&self, bytes: &Bytes, sha256: [u8; 32]) -> Registration {
        if !bytes.is_empty() {
            lock(&self.parts).push(KnownPart { bytes: bytes.clone(), sha256 });
        }
        Registration { parts: Arc::clone(&self.parts), bytes: bytes.clone() }
    }

    fn known(&self, data: &[u8]) -> Option<(Bytes, [u8; 32])> {
        if data.is_empty() {
            return None;
        }
        lock(&self.parts)
            .iter()
            .find(|part| part.bytes.as_ptr() == data.as_ptr() && part.bytes.len() == data.len())
            .map(|part| (part.bytes.clone(), part.sha256))
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut parts = lock(&self.parts);
        if let Some(index) = parts
            .iter()
            .position(|part| part.bytes.as_ptr() == self.bytes.as_ptr() && part.bytes.len() == self.bytes.len())
        {
            parts.swap_remove(index);
        }
    }
}

/// The registrations stay consistent whatever panicked while holding the lock (each change
/// is one push or one removal).
fn lock(parts: &Mutex<Vec<KnownPart>>) -> MutexGuard<'_, Vec<KnownPart>> {
    parts.lock().unwrap_or_else(PoisonError::into_inner)
}

impl CryptoProvider for PartDigests {
    fn digest(&self, algorithm: DigestAlgorithm) -> object_store::Result<Box<dyn DigestContext>> {
        match algorithm {
            DigestAlgorithm::Sha256 => {
                Ok(Box::new(PartDigestContext { parts: self.clone(), state: State::Empty, out: [0; 32] }))
            }
            other => Err(not_supported(format!("digest {other:?}"))),
        }
    }

    fn hmac(&self, algorithm: DigestAlgorithm, secret: &[u8]) -> object_store::Result<Box<dyn HmacContext>> {
        match algorithm {
            DigestAlgorithm::Sha256 => Ok(Box::new(RingHmac {
                context: Some(hmac::Context::with_key(&hmac::Key::new(hmac::HMAC_SHA256, secret))),
                tag: None,
            })),
            other => Err(not_supported(format!("HMAC with {other:?}"))),
        }
    }

    /// Only Google Cloud's service-account keys are signed; S3 never asks.
    fn sign(&self, algorithm: SigningAlgorithm, _pem: &[u8]) -> object_store::Result<Box<dyn Signer>> {
        Err(not_supported(format!("signing with {algorithm:?}")))
    }
}

fn not_supported(what: String) -> object_store::Error {
    object_store::Error::NotSupported { source: format!("{what} is not needed for S3 uploads").into() }
}

enum State {
    /// Nothing hashed yet.
    Empty,
    /// One update so far, exactly a registered part: its digest is known.
    Known {
        bytes: Bytes,
        sha256: [u8; 32],
    },
    Hashing(digest::Context),
    Finished,
}

struct PartDigestContext {
    parts: PartDigests,
    state: State,
    out: [u8; 32],
}

impl DigestContext for PartDigestContext {
    fn update(&mut self, data: &[u8]) {
        self.state = match std::mem::replace(&mut self.state, State::Finished) {
            State::Empty => match self.parts.known(data) {
                Some((bytes, sha256)) => State::Known { bytes, sha256 },
                None => {
                    let mut context = digest::Context::new(&digest::SHA256);
                    context.update(data);
                    State::Hashing(context)
                }
            },
            // More than the part: hash all of it after all.
            State::Known { bytes, .. } => {
                let mut context = digest::Context::new(&digest::SHA256);
                context.update(&bytes);
                context.update(data);
                State::Hashing(context)
            }
            State::Hashing(mut context) => {
                context.update(data);
                State::Hashing(context)
            }
            State::Finished => panic!("object_store updated a digest after finishing it"),
        };
    }

    fn finish(&mut self) -> object_store::Result<&[u8]> {
        match std::mem::replace(&mut self.state, State::Finished) {
            State::Empty => self.out.copy_from_slice(digest::digest(&digest::SHA256, &[]).as_ref()),
            State::Known { sha256, .. } => self.out = sha256,
            State::Hashing(context) => self.out.copy_from_slice(context.finish().as_ref()),
            State::Finished => {}
        }
        Ok(&self.out)
    }
}

struct RingHmac {
    context: Option<hmac::Context>,
    tag: Option<hmac::Tag>,
}

impl HmacContext for RingHmac {
    fn update(&mut self, data: &[u8]) {
        if let Some(context) = self.context.as_mut() {
            context.update(data);
        }
    }

    fn finish(&mut self) -> object_store::Result<&[u8]> {
        if let Some(context) = self.context.take() {
            self.tag = Some(context.sign());
        }
        Ok(self.tag.as_ref().map_or(&[][..], |tag| tag.as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    fn sha256_through(provider: &PartDigests, pieces: &[&[u8]]) -> Vec<u8> {
        let mut context = provider.digest(DigestAlgorithm::Sha256).unwrap();
        for piece in pieces {
            context.update(piece);
        }
        context.finish().unwrap().to_vec()
    }

    #[test]
    fn a_registered_part_is_answered_from_its_registration_and_only_while_registered() {
        let provider = PartDigests::default();
        let part = Bytes::from(vec![7u8; 1 << 16]);
        let real = Sha256::digest(&part).to_vec();
        // A digest that is not the part's, to see which one is answered.
        let registered = [0xAB; 32];
        let registration = provider.register(&part, registered);
        assert_eq!(sha256_through(&provider, &[&part]), registered);
        // The same bytes elsewhere, a piece of the part, the part and more: hashed.
        let copy = part.to_vec();
        assert_eq!(sha256_through(&provider, &[&copy]), real);
        assert_eq!(sha256_through(&provider, &[&part[..100]]), Sha256::digest(&part[..100]).to_vec());
        let mut longer = part.to_vec();
        longer.push(1);
        assert_eq!(sha256_through(&provider, &[&part, &[1]]), Sha256::digest(&longer).to_vec());
        drop(registration);
        assert_eq!(sha256_through(&provider, &[&part]), real);
        assert_eq!(sha256_through(&provider, &[]), Sha256::digest(b"").to_vec());
    }

    #[test]
    fn hmac_is_hmac_sha256() {
        // RFC 4231, test case 2.
        let mut context = PartDigests::default().hmac(DigestAlgorithm::Sha256, b"Jefe").unwrap();
        context.update(b"what do ya want ");
        context.update(b"for nothing?");
        assert_eq!(
            crate::vault::hex(context.finish().unwrap()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
