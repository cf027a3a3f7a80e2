//! Receipts countersigned together: one server signature over the root of a Merkle tree
//! whose leaves are the receipts' signing bytes, and in each receipt the audit path that
//! leads from its leaf to that root. A staff device's sync batch gets its receipts this
//! way: an ed25519 signature is a tenth of the server's work per record, and a batch of
//! [`BATCH_RECEIPTS`] shares one. Each receipt still verifies on its own, offline.
//!
//! The tree is RFC 9162's (Certificate Transparency 2.0, §2.1): a leaf hash is
//! `SHA-256(0x00 || receipt signing bytes)`, an inner node `SHA-256(0x01 || left ||
//! right)`, and a tree of `n > 1` leaves splits after the largest power of two below
//! `n`. The server signs `b"consentry-receipt-batch-v1\n" || size (4 bytes, big-endian)
//! || root (32 bytes)`.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::receipt::{b64, ReceiptError};

/// The domain line in front of a batch root the server signs.
pub const BATCH_DOMAIN: &[u8] = b"consentry-receipt-batch-v1\n";
/// How many receipts the server countersigns with one signature (a path of 5 hashes).
pub const BATCH_RECEIPTS: usize = 32;
/// The longest audit path a verifier accepts (a tree of 2^32 leaves).
const MAX_PATH: usize = 32;

/// Where a receipt sits among receipts countersigned together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchProof {
    /// The receipt's position among the `size` receipts, from 0.
    pub index: u32,
    /// How many receipts share the signature.
    pub size: u32,
    /// The sibling hashes from the leaf up to the root, each base64url SHA-256.
    pub path: Vec<String>,
}

type Hash = [u8; 32];

/// The leaf hash of a receipt's signing bytes.
#[must_use]
pub fn leaf_hash(receipt_bytes: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(receipt_bytes);
    h.finalize().into()
}

fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The bytes the server signs for a tree of `size` leaves with this root.
#[must_use]
pub fn root_signing_bytes(size: u32, root: &Hash) -> Vec<u8> {
    let mut out = Vec::with_capacity(BATCH_DOMAIN.len() + 36);
    out.extend_from_slice(BATCH_DOMAIN);
    out.extend_from_slice(&size.to_be_bytes());
    out.extend_from_slice(root);
    out
}

/// The root of the tree over `leaves` (at least one), pushing onto each leaf's path
/// the siblings met on the way up.
fn build(leaves: &[Hash], paths: &mut [Vec<Hash>]) -> Hash {
    if leaves.len() <= 1 {
        return leaves.first().copied().unwrap_or_default();
    }
    let split = leaves.len().next_power_of_two() / 2;
    let (left, right) = leaves.split_at(split);
    let (left_paths, right_paths) = paths.split_at_mut(split);
    let l = build(left, left_paths);
    let r = build(right, right_paths);
    left_paths.iter_mut().for_each(|p| p.push(r));
    right_paths.iter_mut().for_each(|p| p.push(l));
    node_hash(&l, &r)
}

/// The root over the leaf hashes and each leaf's proof.
///
/// # Panics
/// Never for fewer than 2^32 leaves (sync batches hold at most a few thousand).
#[must_use]
pub fn tree(leaves: &[Hash]) -> (Hash, Vec<BatchProof>) {
    let mut paths = vec![Vec::new(); leaves.len()];
    let root = build(leaves, &mut paths);
    let size = u32::try_from(leaves.len()).unwrap_or(u32::MAX);
    let proofs = paths
        .into_iter()
        .enumerate()
        .map(|(i, path)| BatchProof {
            index: u32::try_from(i).unwrap_or(u32::MAX),
            size,
            path: path.iter().map(|h| b64(h)).collect(),
        })
        .collect();
    (root, proofs)
}

impl BatchProof {
    /// The root this proof leads to from `leaf` (RFC 9162 §2.1.3.2), or why the proof is
    /// malformed.
    pub fn root(&self, leaf: Hash) -> Result<Hash, ReceiptError> {
        let bad = ReceiptError::BatchProof;
        if self.index >= self.size || self.path.len() > MAX_PATH {
            return Err(bad);
        }
        let (mut f, mut s) = (self.index, self.size - 1);
        let mut r = leaf;
        for text in &self.path {
            let sibling = super::receipt::decode_fixed::<32>(text, "batch proof")?;
            if s == 0 {
                return Err(bad);
            }
            if f & 1 == 1 || f == s {
                r = node_hash(&sibling, &r);
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            } else {
                r = node_hash(&r, &sibling);
            }
            f >>= 1;
            s >>= 1;
        }
        if s != 0 {
            return Err(bad);
        }
        Ok(r)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    /// RFC 9162's MTH, written the slow way the RFC states it.
    fn reference_root(leaves: &[Hash]) -> Hash {
        if leaves.len() == 1 {
            return leaves[0];
        }
        let k = leaves.len().next_power_of_two() / 2;
        node_hash(&reference_root(&leaves[..k]), &reference_root(&leaves[k..]))
    }

    #[test]
    fn every_leaf_of_every_size_leads_to_the_root() {
        for n in 1..=70 {
            let leaves = leaves(n);
            let (root, proofs) = tree(&leaves);
            assert_eq!(root, reference_root(&leaves), "size {n}");
            for (leaf, proof) in leaves.iter().zip(&proofs) {
                assert_eq!(proof.root(*leaf).unwrap(), root, "size {n} {proof:?}");
            }
        }
    }

    #[test]
    fn a_wrong_leaf_index_size_or_path_does_not_lead_to_the_root() {
        let leaves = leaves(13);
        let (root, proofs) = tree(&leaves);
        let proof = &proofs[6];
        assert_ne!(proof.root(leaves[5]).unwrap(), root);
        // (A size that gives the path the same shape leads to the same root: the size
        // is bound by the server's signature over both.)
        for index in [5, 7, 12] {
            let p = BatchProof {
                index,
                ..proof.clone()
            };
            assert_ne!(p.root(leaves[6]).ok(), Some(root), "index {index}");
        }
        let mut p = proof.clone();
        p.path.swap(0, 1);
        assert_ne!(p.root(leaves[6]).ok(), Some(root));
        let mut p = proof.clone();
        p.path.pop();
        assert_ne!(p.root(leaves[6]).ok(), Some(root));
        let p = BatchProof {
            index: 13,
            size: 13,
            path: proof.path.clone(),
        };
        assert_eq!(p.root(leaves[6]), Err(ReceiptError::BatchProof));
        let mut p = proof.clone();
        p.path[0].push('A');
        assert!(p.root(leaves[6]).is_err());
    }

    #[test]
    fn a_lone_leaf_is_its_own_root() {
        let leaves = leaves(1);
        let (root, proofs) = tree(&leaves);
        assert_eq!(root, leaves[0]);
        assert!(proofs[0].path.is_empty());
    }
}
