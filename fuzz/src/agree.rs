//! The `verify_agree` target's input: a device key, an envelope and a signature over it,
//! either as raw bytes or built from curve points, so that the fuzzer reaches the keys
//! and signatures where ed25519 verifiers are known to differ (points of small order,
//! non-canonical encodings, non-canonical scalars) instead of only random bytes, which
//! both sides refuse.
//!
//! # Byte layout
//!
//! Byte 0 picks the mode: odd is **raw**, even is **built**.
//!
//! * Raw: key `[1..33]`, signature `[33..97]`, then the message.
//! * Built: byte 1 describes the key (bits 0-2: which of the eight torsion points is
//!   added to `a·B`; bit 3: `a = 0`, a key of small order; bits 4-5: how it is spelled,
//!   see [`Spelling`]); byte 2 describes `R` the same way (bits 0-2 torsion, bits 4-5
//!   spelling); byte 3 picks `s` (see [`SChoice`]); then `a` `[4..36]`, `r` `[36..68]`,
//!   a raw `s` `[68..100]`, then the message.
//!
//! The message becomes the receipt id of a consent statement (lossy UTF-8), and the
//! signed bytes are the envelope a staff device signs for that new record
//! (`SyncEnvelope::of_new_record`): what `POST /sync` checks, and what the receipt's
//! client signature covers.

use std::sync::OnceLock;

use curve25519_dalek::{constants::EIGHT_TORSION, EdwardsPoint, Scalar};
use sha2::{Digest, Sha512};
use shared::{
    consent::{b64, sha256_tagged, CollectingDevice, ConsentStatement, ReceiptBody},
    sync::SyncEnvelope,
};

/// How a point is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spelling {
    /// The canonical encoding.
    Canonical,
    /// `y + p` instead of `y`, where `y < 19` leaves room (the points with `y` 0 or 1).
    YPlusP,
    /// The sign bit set on a point whose `x` is 0 (the identity and the point of order 2).
    NegativeZero,
}

/// How `s` is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SChoice {
    /// `r + k·a`, what an honest signer computes.
    Honest,
    /// Zero: with `R` and the key of small order, a cofactored verifier accepts it.
    Zero,
    /// The honest `s` plus the group order: the same scalar, not canonically written.
    HonestPlusOrder,
    /// The raw 32 bytes of the input.
    Raw,
}

/// One point of a built case: `scalar·B + T[torsion]`, with `scalar` zero when `small`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PointSpec {
    pub torsion: u8,
    pub small: bool,
    pub spelling: Spelling,
}

/// A decoded `verify_agree` input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgreeCase {
    Raw {
        key: [u8; 32],
        signature: [u8; 64],
        message: Vec<u8>,
    },
    Built {
        key: PointSpec,
        r: PointSpec,
        s: SChoice,
        secret: [u8; 32],
        nonce: [u8; 32],
        raw_s: [u8; 32],
        message: Vec<u8>,
    },
}

/// What a case comes to: the key bytes, the signature bytes, the envelope they sign,
/// and the receipt body the server would countersign for the record.
pub struct Triple {
    pub key: [u8; 32],
    pub signature: [u8; 64],
    pub envelope: SyncEnvelope,
    /// With the key and signature as its client key and signature, and the device.
    pub receipt: ReceiptBody,
}

const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

fn spec_of(byte: u8) -> PointSpec {
    PointSpec {
        torsion: byte & 7,
        small: byte & 8 != 0,
        spelling: match (byte >> 4) & 3 {
            1 => Spelling::YPlusP,
            2 => Spelling::NegativeZero,
            _ => Spelling::Canonical,
        },
    }
}

fn byte_of(spec: PointSpec) -> u8 {
    let spelling = match spec.spelling {
        Spelling::Canonical => 0,
        Spelling::YPlusP => 1,
        Spelling::NegativeZero => 2,
    };
    spec.torsion & 7 | u8::from(spec.small) << 3 | spelling << 4
}

fn array<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0; N];
    out.copy_from_slice(&bytes[..N]);
    out
}

impl AgreeCase {
    /// Reads a case; `None` when the input is too short for its mode.
    #[must_use]
    pub fn parse(data: &[u8]) -> Option<Self> {
        let (&mode, rest) = data.split_first()?;
        if mode & 1 == 1 {
            if rest.len() < 96 {
                return None;
            }
            return Some(Self::Raw {
                key: array(rest),
                signature: array(&rest[32..]),
                message: rest[96..].to_vec(),
            });
        }
        if rest.len() < 99 {
            return None;
        }
        Some(Self::Built {
            key: spec_of(rest[0]),
            r: spec_of(rest[1]),
            s: match rest[2] & 3 {
                0 => SChoice::Honest,
                1 => SChoice::Zero,
                2 => SChoice::HonestPlusOrder,
                _ => SChoice::Raw,
            },
            secret: array(&rest[3..]),
            nonce: array(&rest[35..]),
            raw_s: array(&rest[67..]),
            message: rest[99..].to_vec(),
        })
    }

    /// The bytes [`Self::parse`] reads back as this case (for the seed corpus).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Self::Raw {
                key,
                signature,
                message,
            } => [&[1u8][..], key, signature, message].concat(),
            Self::Built {
                key,
                r,
                s,
                secret,
                nonce,
                raw_s,
                message,
            } => {
                let s = match s {
                    SChoice::Honest => 0,
                    SChoice::Zero => 1,
                    SChoice::HonestPlusOrder => 2,
                    SChoice::Raw => 3,
                };
                let head = [0, byte_of(*key), byte_of(*r), s];
                [&head[..], secret, nonce, raw_s, message].concat()
            }
        }
    }

    /// Whether the case is an honest signature: `a·B` and `r·B` canonically written
    /// and `s = r + k·a` (a known-good signature, unless `a` is zero).
    #[must_use]
    pub fn is_honest(&self) -> bool {
        let plain = PointSpec {
            torsion: 0,
            small: false,
            spelling: Spelling::Canonical,
        };
        matches!(self, Self::Built { key, r, s: SChoice::Honest, .. } if *key == plain && *r == plain)
    }

    /// The key, signature, signed envelope and receipt body of the case.
    #[must_use]
    pub fn triple(&self) -> Triple {
        match self {
            Self::Raw {
                key,
                signature,
                message,
            } => {
                let (envelope, statement) = envelope(message);
                Triple {
                    key: *key,
                    signature: *signature,
                    envelope,
                    receipt: receipt(statement, key, signature),
                }
            }
            Self::Built {
                key,
                r,
                s,
                secret,
                nonce,
                raw_s,
                message,
            } => {
                let (envelope, statement) = envelope(message);
                let a = scalar(*key, secret);
                let nonce = scalar(*r, nonce);
                let key = spell(point(*key, a), key.spelling);
                let r_bytes = spell(point(*r, nonce), r.spelling);
                let mut h = Sha512::new();
                h.update(r_bytes);
                h.update(key);
                h.update(envelope.signing_bytes());
                let k = Scalar::from_hash(h);
                let honest = nonce + k * a;
                let s = match s {
                    SChoice::Honest => honest.to_bytes(),
                    SChoice::Zero => [0; 32],
                    SChoice::HonestPlusOrder => add_order(honest.to_bytes()),
                    SChoice::Raw => *raw_s,
                };
                let mut signature = [0; 64];
                signature[..32].copy_from_slice(&r_bytes);
                signature[32..].copy_from_slice(&s);
                Triple {
                    key,
                    signature,
                    envelope,
                    receipt: receipt(statement, &key, &signature),
                }
            }
        }
    }
}

/// The device that signs every case, as its receipt names it.
fn device() -> CollectingDevice {
    CollectingDevice {
        id: crate::DEVICE_ID.to_owned(),
        seq: 1,
    }
}

/// The demo statement whose receipt id carries the fuzzed message, and the envelope of
/// the new record it is the consent of.
fn envelope(message: &[u8]) -> (SyncEnvelope, ConsentStatement) {
    static TEMPLATE: OnceLock<ConsentStatement> = OnceLock::new();
    let mut statement = TEMPLATE
        .get_or_init(|| crate::seeds::statement("", &serde_json::json!({})).0)
        .clone();
    statement.receipt_id = String::from_utf8_lossy(message).into_owned();
    let hash = sha256_tagged(&statement.signing_bytes());
    (
        SyncEnvelope::of_new_record(&statement, &device(), hash),
        statement,
    )
}

/// The receipt body of the record, with the case's key and signature.
fn receipt(statement: ConsentStatement, key: &[u8; 32], signature: &[u8; 64]) -> ReceiptBody {
    ReceiptBody {
        statement,
        client_public_key: b64(key),
        client_signature: b64(signature),
        device: Some(device()),
        received_at_ms: 1_780_000_060_000,
        server_key_id: crate::SERVER_KEY_ID.to_owned(),
    }
}

fn scalar(spec: PointSpec, bytes: &[u8; 32]) -> Scalar {
    if spec.small {
        Scalar::ZERO
    } else {
        Scalar::from_bytes_mod_order(*bytes)
    }
}

fn point(spec: PointSpec, scalar: Scalar) -> EdwardsPoint {
    EdwardsPoint::mul_base(&scalar) + EIGHT_TORSION[usize::from(spec.torsion & 7)]
}

/// The point's encoding, spelled as asked where the point allows it (else canonical).
fn spell(point: EdwardsPoint, spelling: Spelling) -> [u8; 32] {
    let mut bytes = point.compress().to_bytes();
    let y_is_small = bytes[1..31].iter().all(|&b| b == 0) && bytes[31] & 0x7f == 0;
    match spelling {
        Spelling::YPlusP if y_is_small && bytes[0] < 19 => {
            let (y, sign) = (bytes[0], bytes[31] & 0x80);
            bytes = [0xff; 32];
            bytes[0] = 0xed + y;
            bytes[31] = 0x7f | sign;
        }
        // `x` is 0 on the identity and on the point of order 2: those doubling to it.
        Spelling::NegativeZero if point + point == EdwardsPoint::default() => {
            bytes[31] |= 0x80;
        }
        // Canonical, or a point that has no other spelling of that kind.
        _ => {}
    }
    bytes
}

/// `s + L` as 32 little-endian bytes (no overflow: `s < L < 2^253`).
fn add_order(s: [u8; 32]) -> [u8; 32] {
    let mut out = [0; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(s[i]) + u16::from(L[i]) + carry;
        out[i] = (sum & 0xff) as u8;
        carry = sum >> 8;
    }
    out
}
