//! The one rule by which every ed25519 signature here is checked, and the keys a staff
//! device may register.
//!
//! # The rule
//!
//! [`verify_signature`] is RFC 8032's cofactorless check as ed25519-dalek's `verify`
//! runs it: `s` below the group order, and `[s]B - [k]A` encoded exactly as the
//! signature's `R`. It is what anyone checking a receipt runs (Node's `crypto`, OpenSSL,
//! this crate in the browser and in `consentry verify`), so the server checks device
//! signatures by it too, one at a time, rather than by a batch equation. ed25519-zebra's
//! batch check (ZIP-215's cofactored equation) also accepts an `R` with a component of
//! small order and `R` or `A` written non-canonically; a signature the server accepted
//! that way was stored and countersigned into a receipt that never verifies (issue #18).
//!
//! # Device keys
//!
//! A [`DeviceKey`] is a canonically written point of prime order. `is_weak` only refuses
//! keys of small order; a key of mixed order (`a·B + T`, `T` of small order) passes it,
//! and signatures made honestly with `a` then verify by the rule above for some messages
//! and not for others (those where `[k]T` is not the identity). Registration refuses
//! such keys, and so does `POST /sync` for a key stored before it did. Receipts keep the
//! plain key parse ([`super::public_key`]) that third-party verifiers share, so that the
//! server never accepts a record whose receipt those verifiers refuse.

use curve25519_dalek::edwards::CompressedEdwardsY;
use ed25519_dalek::{Signature, SignatureError, Verifier as _, VerifyingKey};

use super::receipt::{decode_fixed, ReceiptError};

/// Checks `signature` over `message` under `key`: RFC 8032's cofactorless check, the one
/// rule of this project (see the module documentation).
pub fn verify_signature(
    key: &VerifyingKey,
    message: &[u8],
    signature: &Signature,
) -> Result<(), SignatureError> {
    key.verify(message, signature)
}

/// A staff device's public key as registration accepts it: 32 bytes of base64url that
/// are the canonical encoding of a point of prime order (no component of small order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceKey(VerifyingKey);

impl DeviceKey {
    /// Parses a device key (base64url); [`ReceiptError::Key`] when the point is of small
    /// or mixed order or not canonically written.
    pub fn parse(text: &str) -> Result<Self, ReceiptError> {
        const WHAT: &str = "device key";
        let bytes = decode_fixed::<32>(text, WHAT)?;
        let point = CompressedEdwardsY(bytes)
            .decompress()
            .ok_or(ReceiptError::Key(WHAT))?;
        // Every non-canonical encoding that decodes is of a point of small or mixed
        // order, so the torsion checks refuse them too; comparing the bytes says so
        // without relying on that, and keeps one spelling per key.
        if point.compress().to_bytes() != bytes
            || point.is_small_order()
            || !point.is_torsion_free()
        {
            return Err(ReceiptError::Key(WHAT));
        }
        Ok(Self(VerifyingKey::from(point)))
    }

    /// The key, for [`verify_signature`].
    #[must_use]
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.0
    }

    /// Checks the device's signature over `message` by [`verify_signature`].
    pub fn verify(&self, message: &[u8], signature: &Signature) -> Result<(), ReceiptError> {
        verify_signature(&self.0, message, signature).map_err(|_| ReceiptError::ClientSignature)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use curve25519_dalek::{constants::EIGHT_TORSION, EdwardsPoint, Scalar};
    use ed25519_dalek::SigningKey;
    use sha2::{Digest as _, Sha512};

    use super::*;
    use crate::{
        consent::{b64, public_key, sha256_tagged, CollectingDevice, ReceiptBody},
        sync::SyncEnvelope,
    };

    /// The envelope of the `verify_agree` fuzz target (`fuzz/src/agree.rs`), whose `uuid`
    /// carries the fuzzed message.
    fn fuzz_envelope(uuid: &str) -> SyncEnvelope {
        SyncEnvelope {
            uuid: uuid.to_owned(),
            device_id: "8d1c6b5e-3f2a-4e0b-9c7d-1a2b3c4d5e6f".into(),
            seq: 1,
            form_id: "0b6e1f0a-8a55-4b8e-9c1e-2d3c4b5a6978".into(),
            form_version: 1,
            form_version_hash: "sha256:00".into(),
            payload_hash: "sha256:01".into(),
            statement_hash: "sha256:02".into(),
            base_version: None,
        }
    }

    /// What an honest signer computes with secret scalar `a` and nonce `r` (as bytes,
    /// reduced), when a point of small order is added to the key and to `R`:
    /// `A = a·B + T[key_torsion]`, `R = r·B + T[r_torsion]`, `s = r + k·a` with
    /// `k = SHA-512(R || A || message)`. The key bytes and the signature.
    fn forge(
        secret: [u8; 32],
        nonce: [u8; 32],
        key_torsion: usize,
        r_torsion: usize,
        message: &[u8],
    ) -> ([u8; 32], Signature) {
        let a = Scalar::from_bytes_mod_order(secret);
        let r = Scalar::from_bytes_mod_order(nonce);
        let key = (EdwardsPoint::mul_base(&a) + EIGHT_TORSION[key_torsion])
            .compress()
            .to_bytes();
        let big_r = (EdwardsPoint::mul_base(&r) + EIGHT_TORSION[r_torsion])
            .compress()
            .to_bytes();
        let k = Scalar::from_bytes_mod_order_wide(
            &Sha512::new()
                .chain_update(big_r)
                .chain_update(key)
                .chain_update(message)
                .finalize()
                .into(),
        );
        let mut signature = [0; 64];
        signature[..32].copy_from_slice(&big_r);
        signature[32..].copy_from_slice(&(r + k * a).to_bytes());
        (key, Signature::from_bytes(&signature))
    }

    fn bytes<const N: usize>(hex_text: &str) -> [u8; N] {
        hex::decode(hex_text).unwrap().try_into().unwrap()
    }

    /// Inputs `cargo fuzz` found where ed25519-zebra's batch check (what `POST /sync`
    /// ran) accepted and this rule refuses, each an honest `s` under a key the server
    /// registered (`is_weak` false): key, signature and the envelope's `uuid`.
    const CRASHES: [(&str, &str, &str, &str); 3] = [
        (
            "R = r·B + T, T of order 4 (crash-37330758)",
            "aee0675bd7b44217a686575c8a54f5460dd830e1e9cc5a98da1b5d92eecbc099",
            "52aefc159dbe9c433418a357a0ed8a95804fc702e1bef18fbc1c3bf127cda4fd\
             0c25706c720111f96b20e78df236f69b27d4d4f339e9ca45dea49d87bc065503",
            "8a0f-1d3b5c7e9f2a",
        ),
        (
            "A = a·B + T, T of order 8 (crash-bace4a0d)",
            "21432e9355301d6d3ba7fc12a3f07b01b65c712d7462eb9e3dd54d15fa28e3dc",
            "8065c7e4db417d1c0355015088bb0c95cf59e9afbaeb8c8277d3d5cb355ac6fd\
             3631f7659ee51c108ae12c33161d81b72d5f18dbe08f9569fe037f7ab2fa0606",
            "",
        ),
        (
            "R the identity written with the sign bit set (crash-8c8285d5)",
            "4858705c95a7e00266431c769c5561b765417c0ba00c85934f4bdd7865a78821",
            "0100000000000000000000000000000000000000000000000000000000000080\
             196deb66da3a2eb0f430ad6c3d5d4c61b989d911d34903df13a738cd675cf503",
            "b2d-",
        ),
    ];

    #[test]
    fn signatures_the_sync_batch_check_accepted_are_refused() {
        for (what, key, signature, uuid) in CRASHES {
            let key: [u8; 32] = bytes(key);
            let signature = Signature::from_bytes(&bytes(signature));
            let envelope = fuzz_envelope(uuid);
            let plain = VerifyingKey::from_bytes(&key).unwrap();
            assert!(!plain.is_weak(), "{what}");
            assert!(
                verify_signature(&plain, &envelope.signing_bytes(), &signature).is_err(),
                "{what}"
            );
            assert!(
                envelope
                    .verify(&b64(&key), &b64(&signature.to_bytes()))
                    .is_err(),
                "{what}"
            );
        }
    }

    #[test]
    fn the_crash_vectors_are_honest_signatures_with_a_point_of_small_order_added() {
        let nonce = {
            let mut n = [248; 32];
            n[16..].copy_from_slice(&[
                34, 34, 34, 32, 34, 34, 34, 34, 34, 34, 130, 34, 0, 0, 122, 0,
            ]);
            n
        };
        let message = fuzz_envelope(CRASHES[0].3).signing_bytes();
        let (key, signature) = forge([248; 32], nonce, 0, 2, &message);
        assert_eq!(hex::encode(key), CRASHES[0].1);
        assert_eq!(signature.to_bytes(), bytes::<64>(CRASHES[0].2));

        let secret = [
            0, 0, 0, 0, 0, 17, 255, 255, 255, 17, 17, 17, 136, 255, 255, 255, 255, 17, 17, 17, 17,
            17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17,
        ];
        let nonce = [
            17, 17, 17, 34, 34, 34, 34, 34, 34, 34, 32, 1, 141, 74, 190, 7, 79, 239, 148, 129, 14,
            254, 206, 119, 253, 80, 196, 168, 156, 91, 86, 250,
        ];
        let message = fuzz_envelope(CRASHES[1].3).signing_bytes();
        let (key, signature) = forge(secret, nonce, 1, 0, &message);
        assert_eq!(hex::encode(key), CRASHES[1].1);
        assert_eq!(signature.to_bytes(), bytes::<64>(CRASHES[1].2));
    }

    /// A receipt of a record a device collected, its envelope signed by `sign`.
    fn device_receipt(sign: impl Fn(&[u8]) -> ([u8; 32], Signature)) -> ReceiptBody {
        let statement = crate::consent::statement::sample();
        let device = CollectingDevice {
            id: "8d1c6b5e-3f2a-4e0b-9c7d-1a2b3c4d5e6f".into(),
            seq: 3,
        };
        let envelope = SyncEnvelope::of_new_record(
            &statement,
            &device,
            sha256_tagged(&statement.signing_bytes()),
        );
        let (key, signature) = sign(&envelope.signing_bytes());
        ReceiptBody {
            statement,
            client_public_key: b64(&key),
            client_signature: b64(&signature.to_bytes()),
            device: Some(device),
            received_at_ms: 2,
            server_key_id: "k1".into(),
        }
    }

    /// What `POST /sync` decides for the receipt's device signature: the key parsed as a
    /// device key, the envelope checked by the rule.
    fn server_accepts(body: &ReceiptBody) -> bool {
        let device = body.device.as_ref().unwrap();
        let envelope = SyncEnvelope::of_new_record(
            &body.statement,
            device,
            sha256_tagged(&body.statement.signing_bytes()),
        );
        envelope
            .verify(&body.client_public_key, &body.client_signature)
            .is_ok()
    }

    #[test]
    fn the_sync_and_the_receipt_verifier_agree_on_torsion_forgeries() {
        let (secret, nonce) = ([0x11; 32], [0x22; 32]);
        // An honest signature: both accept.
        let honest = device_receipt(|m| forge(secret, nonce, 0, 0, m));
        let good = SigningKey::from_bytes(&[0xde; 32]);
        let dalek = device_receipt(|m| {
            (
                good.verifying_key().to_bytes(),
                ed25519_dalek::Signer::sign(&good, m),
            )
        });
        for body in [&honest, &dalek] {
            assert!(server_accepts(body));
            assert_eq!(body.verify_client_signature(), Ok(()));
        }
        // `R` with a point of order 8 added, under the honest key: both refuse.
        let torsion_r = device_receipt(|m| forge(secret, nonce, 0, 1, m));
        assert!(!server_accepts(&torsion_r));
        assert_eq!(
            torsion_r.verify_client_signature(),
            Err(ReceiptError::ClientSignature)
        );
        // A key of mixed order: refused as a device key whatever it signs, by the
        // server and by the receipt verifier alike.
        let mixed = device_receipt(|m| forge(secret, nonce, 1, 0, m));
        assert!(!server_accepts(&mixed));
        assert_eq!(
            mixed.verify_client_signature(),
            Err(ReceiptError::Key("browser's or device's public key"))
        );
        let mixed_key = public_key(&mixed.client_public_key, "key").unwrap();
        assert!(!mixed_key.is_weak());
        assert_eq!(
            DeviceKey::parse(&mixed.client_public_key),
            Err(ReceiptError::Key("device key"))
        );
    }

    #[test]
    fn a_mixed_order_key_is_refused_even_where_the_rule_accepts_its_signature() {
        // With `T` of order 2, `[k]T` is the identity for every even `k`: there the
        // rule accepts an honest signature under `a·B + T`, and only the key check
        // stands between such a key and a receipt that verifies by chance (and that
        // verifiers following other rules would refuse).
        let found = (0u8..32).find_map(|i| {
            let body = device_receipt(|m| forge([0x33; 32], [i; 32], 4, 0, m));
            let key = public_key(&body.client_public_key, "key").unwrap();
            let device = body.device.as_ref().unwrap();
            let envelope = SyncEnvelope::of_new_record(
                &body.statement,
                device,
                sha256_tagged(&body.statement.signing_bytes()),
            );
            let signature = super::super::signature(&body.client_signature, "s").unwrap();
            verify_signature(&key, &envelope.signing_bytes(), &signature)
                .is_ok()
                .then_some(body)
        });
        let body = found.unwrap();
        assert!(!server_accepts(&body));
        assert_eq!(
            body.verify_client_signature(),
            Err(ReceiptError::Key("browser's or device's public key"))
        );
    }

    #[test]
    fn device_keys_are_points_of_prime_order_written_canonically() {
        let good = SigningKey::from_bytes(&[0xde; 32]).verifying_key();
        assert_eq!(
            DeviceKey::parse(&b64(good.as_bytes()))
                .unwrap()
                .verifying_key(),
            &good
        );
        let point = good.to_edwards();
        let mut refused: Vec<[u8; 32]> = EIGHT_TORSION
            .iter()
            .flat_map(|t| [t.compress().to_bytes(), (point + t).compress().to_bytes()])
            .filter(|b| b != good.as_bytes())
            .collect();
        // Non-canonical spellings: the identity as `y = 1 + p` and with the sign bit
        // set (`x` is 0), and `y = 18 + p`, a point of mixed order.
        let mut y_plus_p = [0xff; 32];
        y_plus_p[0] = 0xee;
        y_plus_p[31] = 0x7f;
        let mut negative_zero = [0; 32];
        negative_zero[0] = 1;
        negative_zero[31] = 0x80;
        refused.extend([y_plus_p, negative_zero, [0xff; 32]]);
        for bytes in refused {
            assert!(
                DeviceKey::parse(&b64(&bytes)).is_err(),
                "{}",
                hex::encode(bytes)
            );
        }
        assert_eq!(
            DeviceKey::parse("AAAA"),
            Err(ReceiptError::Encoding("device key"))
        );
    }
}
