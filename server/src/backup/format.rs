//! The backup file: a clear header that says what the file holds, then the database's
//! snapshot encrypted and authenticated in chunks.
//!
//! ```text
//! "CONSENTRY-BACKUP\n"  u32 header length  header (JSON)
//! chunk*: u32 length, XChaCha20-Poly1305(file key, nonce = prefix ‖ u64 index,
//!                     aad = SHA-256(magic ‖ length ‖ header) ‖ last?) of ≤ 1 MiB
//! ```
//!
//! The file key is random per backup and wrapped by the master key (the `KeyWrapper`
//! seam, so a KMS can hold it); the master key itself is never in the file. The header
//! is bound into every chunk, each chunk's index into its nonce and the last chunk is
//! marked, so a changed header, a chunk altered, moved, dropped or the file cut short
//! is refused (the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár).

use std::io::{Read, Write};

use base64::{engine::general_purpose::STANDARD, Engine as _};
use chacha20poly1305::{
    aead::{Aead, KeyInit, Payload},
    XChaCha20Poly1305, XNonce,
};
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use shared::api::{backups::BackupCounts, system::DatabaseKind};

use crate::crypto::{DataKey, KeyWrapper, WrappedKey};

const MAGIC: &[u8] = b"CONSENTRY-BACKUP\n";
/// Plaintext bytes per chunk.
const CHUNK: usize = 1 << 20;
/// A header is a few hundred bytes; anything far larger is not one of ours.
const MAX_HEADER: u32 = 64 * 1024;
const TAG: usize = 16;

/// What the file holds, in clear (no personal data: counts, hashes and key ids).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// The layout's version (1).
    pub format: u32,
    /// The backup's id (also bound into the wrapping of its key).
    pub id: String,
    pub created_at_ms: i64,
    pub database: DatabaseKind,
    /// What the plaintext is: `sqlite` (a database file) or `pg_dump` (a pg_dump
    /// archive in its custom format).
    pub content: String,
    /// The newest audit entry inside, and its hash.
    pub audit_seq: i64,
    pub audit_head: String,
    pub counts: BackupCounts,
    /// The server version that made it.
    pub server_version: String,
    /// The master key the file key is wrapped under, and the wrapped file key.
    pub master_key_id: String,
    pub wrapped_key: String,
    /// The first 16 bytes of every chunk's nonce (hex).
    pub nonce_prefix: String,
}

/// Why a backup file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("not a Consentry backup file")]
    NotABackup,
    #[error("the backup was made under master key {0}, which this server does not hold")]
    WrongKey(String),
    #[error("the backup file is damaged or was altered (chunk {0} does not authenticate)")]
    Tampered(u64),
    #[error("the backup file is cut short")]
    Truncated,
    #[error("reading or writing the backup: {0}")]
    Io(#[from] std::io::Error),
}

/// Encrypts everything `plain` yields into `out` under a new file key wrapped by
/// `master`; `header`'s key fields are filled in here. Returns the header as written.
pub fn seal(
    mut header: Header,
    master: &dyn KeyWrapper,
    plain: &mut impl Read,
    out: &mut impl Write,
) -> Result<Header, FormatError> {
    let key = DataKey::generate();
    let wrapped = key.wrap(master, &wrap_context(&header.id));
    header.format = 1;
    header.master_key_id = wrapped.master_key_id;
    header.wrapped_key = STANDARD.encode(&wrapped.bytes);
    let mut prefix = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut prefix);
    header.nonce_prefix = hex::encode(prefix);
    let header_bytes = serde_json::to_vec(&header).map_err(std::io::Error::other)?;
    let header_len = u32::try_from(header_bytes.len()).map_err(std::io::Error::other)?;
    out.write_all(MAGIC)?;
    out.write_all(&header_len.to_be_bytes())?;
    out.write_all(&header_bytes)?;
    let bound = binding(&header_bytes);
    let cipher = XChaCha20Poly1305::new(key.as_bytes().into());
    let mut buf = vec![0u8; CHUNK];
    let mut next = vec![0u8; CHUNK];
    let mut filled = fill(plain, &mut buf)?;
    let mut index = 0u64;
    loop {
        // Read ahead one chunk to know whether this one is the last.
        let ahead = if filled == CHUNK {
            fill(plain, &mut next)?
        } else {
            0
        };
        let last = ahead == 0;
        let sealed = cipher
            .encrypt(
                &nonce(&prefix, index),
                Payload {
                    msg: &buf[..filled],
                    aad: &aad(&bound, last),
                },
            )
            .map_err(|_| std::io::Error::other("a chunk could not be encrypted"))?;
        let len = u32::try_from(sealed.len()).map_err(std::io::Error::other)?;
        out.write_all(&len.to_be_bytes())?;
        out.write_all(&sealed)?;
        if last {
            break;
        }
        std::mem::swap(&mut buf, &mut next);
        filled = ahead;
        index += 1;
    }
    out.flush()?;
    Ok(header)
}

/// Reads the clear header of a backup file (nothing is decrypted or checked).
pub fn read_header(input: &mut impl Read) -> Result<(Header, Vec<u8>), FormatError> {
    let mut magic = [0u8; MAGIC.len()];
    input
        .read_exact(&mut magic)
        .map_err(|_| FormatError::NotABackup)?;
    if magic != MAGIC {
        return Err(FormatError::NotABackup);
    }
    let mut len = [0u8; 4];
    input
        .read_exact(&mut len)
        .map_err(|_| FormatError::NotABackup)?;
    let len = u32::from_be_bytes(len);
    if len > MAX_HEADER {
        return Err(FormatError::NotABackup);
    }
    let mut bytes = vec![0u8; len as usize];
    input
        .read_exact(&mut bytes)
        .map_err(|_| FormatError::NotABackup)?;
    let header: Header = serde_json::from_slice(&bytes).map_err(|_| FormatError::NotABackup)?;
    if header.format != 1 {
        return Err(FormatError::NotABackup);
    }
    Ok((header, bytes))
}

/// Decrypts a backup into `out`, checking every chunk; returns its header. On an error
/// `out` holds a prefix of the plaintext at most, which the caller must discard.
pub fn open(
    master: &dyn KeyWrapper,
    input: &mut impl Read,
    out: &mut impl Write,
) -> Result<Header, FormatError> {
    let (header, header_bytes) = read_header(input)?;
    let wrapped = WrappedKey {
        master_key_id: header.master_key_id.clone(),
        bytes: STANDARD
            .decode(&header.wrapped_key)
            .map_err(|_| FormatError::NotABackup)?,
    };
    let key = wrapped
        .unwrap(master, &wrap_context(&header.id))
        .map_err(|_| FormatError::WrongKey(header.master_key_id.clone()))?;
    let prefix: [u8; 16] = hex::decode(&header.nonce_prefix)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(FormatError::NotABackup)?;
    let bound = binding(&header_bytes);
    let cipher = XChaCha20Poly1305::new(key.as_bytes().into());
    let mut index = 0u64;
    let mut sealed = Vec::with_capacity(CHUNK + TAG);
    loop {
        let mut len = [0u8; 4];
        input
            .read_exact(&mut len)
            .map_err(|_| FormatError::Truncated)?;
        let len = u32::from_be_bytes(len) as usize;
        if !(TAG..=CHUNK + TAG).contains(&len) {
            return Err(FormatError::Tampered(index));
        }
        sealed.resize(len, 0);
        input
            .read_exact(&mut sealed)
            .map_err(|_| FormatError::Truncated)?;
        // A chunk opens either as the last one or as one with more to follow.
        let try_open = |last: bool| {
            cipher
                .decrypt(
                    &nonce(&prefix, index),
                    Payload {
                        msg: &sealed,
                        aad: &aad(&bound, last),
                    },
                )
                .ok()
        };
        let (plain, last) = match try_open(false) {
            Some(p) => (p, false),
            None => (try_open(true).ok_or(FormatError::Tampered(index))?, true),
        };
        out.write_all(&plain)?;
        if last {
            // Nothing may follow the last chunk.
            let mut extra = [0u8; 1];
            if input.read(&mut extra)? != 0 {
                return Err(FormatError::Tampered(index + 1));
            }
            break;
        }
        index += 1;
    }
    out.flush()?;
    Ok(header)
}

fn wrap_context(id: &str) -> String {
    format!("backup:{id}")
}

fn binding(header_bytes: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(MAGIC);
    h.update(
        u32::try_from(header_bytes.len())
            .unwrap_or(u32::MAX)
            .to_be_bytes(),
    );
    h.update(header_bytes);
    h.finalize().into()
}

fn aad(bound: &[u8; 32], last: bool) -> [u8; 33] {
    let mut a = [0u8; 33];
    a[..32].copy_from_slice(bound);
    a[32] = u8::from(last);
    a
}

fn nonce(prefix: &[u8; 16], index: u64) -> XNonce {
    let mut n = [0u8; 24];
    n[..16].copy_from_slice(prefix);
    n[16..].copy_from_slice(&index.to_be_bytes());
    XNonce::from(n)
}

/// Reads until `buf` is full or the input ends; returns how much was read.
fn fill(input: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::crypto::LocalMasterKey;

    fn header() -> Header {
        Header {
            format: 0,
            id: "b1".to_owned(),
            created_at_ms: 1,
            database: DatabaseKind::Sqlite,
            content: "sqlite".to_owned(),
            audit_seq: 7,
            audit_head: "ab".repeat(32),
            counts: BackupCounts::default(),
            server_version: "0.1.0".to_owned(),
            master_key_id: String::new(),
            wrapped_key: String::new(),
            nonce_prefix: String::new(),
        }
    }

    fn sealed(master: &LocalMasterKey, plain: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        seal(header(), master, &mut &plain[..], &mut out).unwrap();
        out
    }

    fn opened(master: &LocalMasterKey, file: &[u8]) -> Result<Vec<u8>, FormatError> {
        let mut out = Vec::new();
        open(master, &mut &file[..], &mut out).map(|_| out)
    }

    #[test]
    fn round_trips_empty_small_and_many_chunks() {
        let master = LocalMasterKey::generate();
        for size in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17] {
            let plain: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            let file = sealed(&master, &plain);
            assert!(!file
                .windows(16)
                .any(|w| plain.len() > 64 && w == &plain[40..56]));
            assert_eq!(opened(&master, &file).unwrap(), plain, "{size}");
        }
    }

    #[test]
    fn refuses_altered_cut_extended_or_foreign_files() {
        let master = LocalMasterKey::generate();
        let plain = vec![5u8; 2 * CHUNK + 10];
        let file = sealed(&master, &plain);
        // A byte of the body flipped (in the second chunk).
        let mut bad = file.clone();
        let at = bad.len() - 100;
        bad[at] ^= 1;
        assert!(matches!(
            opened(&master, &bad),
            Err(FormatError::Tampered(1))
        ));
        // The header changed (another audit head claimed), its length kept.
        let claim = b"\"audit_seq\":7";
        let at = file.windows(claim.len()).position(|w| w == claim).unwrap();
        let mut bad = file.clone();
        bad[at + claim.len() - 1] = b'9';
        assert!(matches!(
            opened(&master, &bad),
            Err(FormatError::Tampered(0))
        ));
        // Cut after a whole chunk: the last chunk is missing.
        let (_, header_bytes) = read_header(&mut &file[..]).unwrap();
        let first_chunk_end = MAGIC.len() + 4 + header_bytes.len() + 4 + CHUNK + TAG;
        assert!(matches!(
            opened(&master, &file[..first_chunk_end]),
            Err(FormatError::Truncated)
        ));
        assert!(matches!(
            opened(&master, &file[..file.len() - 1]),
            Err(FormatError::Truncated)
        ));
        // Something appended.
        let mut longer = file.clone();
        longer.push(0);
        assert!(matches!(
            opened(&master, &longer),
            Err(FormatError::Tampered(3))
        ));
        // Another master key.
        assert!(matches!(
            opened(&LocalMasterKey::generate(), &file),
            Err(FormatError::WrongKey(_))
        ));
        assert!(matches!(
            opened(&master, b"SQLite format 3\0"),
            Err(FormatError::NotABackup)
        ));
    }
}
