// Verifies the receipt test vector with Node's own ed25519 (OpenSSL), independently of
// the Rust code: the signed bytes are taken from the file as documented, and a one-byte
// change must make each signature fail.
import { readFileSync } from "node:fs";
import { createHash, createPublicKey, verify } from "node:crypto";

const v = JSON.parse(readFileSync(process.argv[2], "utf8"));
const key = (b64url) =>
  createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: b64url }, format: "jwk" });
const sig = (b64url) => Buffer.from(b64url, "base64url");
const check = (bytes, pub, s) => verify(null, bytes, key(pub), sig(s));

const statement = Buffer.from(v.statement_bytes, "utf8");
const receipt = Buffer.from(v.receipt_bytes, "utf8");

// Rebuild both byte strings from the receipt's fields as the encoding documents it
// (compact JSON, object keys sorted), so the bytes are reproducible, not just copied.
const canonical = (x) =>
  Array.isArray(x) ? `[${x.map(canonical).join(",")}]`
  : x !== null && typeof x === "object"
    ? `{${Object.keys(x).sort().map((k) => `${JSON.stringify(k)}:${canonical(x[k])}`).join(",")}}`
    : JSON.stringify(x);
const body = v.receipt.body;
if ("consentry-consent-statement-v1\n" + canonical(body.statement) !== v.statement_bytes)
  throw new Error("statement bytes do not follow the documented encoding");
if ("consentry-consent-receipt-v1\n" + canonical(body) !== v.receipt_bytes)
  throw new Error("receipt bytes do not follow the documented encoding");

const flip = (buf) => { const c = Buffer.from(buf); c[c.length - 2] ^= 1; return c; };
console.log(`statement: ${check(statement, v.client_public_key, v.client_signature) ? "valid" : "invalid"}`);
console.log(`receipt: ${check(receipt, v.server_public_key, v.server_signature) ? "valid" : "invalid"}`);
console.log(`tampered statement: ${check(flip(statement), v.client_public_key, v.client_signature) ? "valid" : "invalid"}`);
console.log(`tampered receipt: ${check(flip(receipt), v.server_public_key, v.server_signature) ? "valid" : "invalid"}`);

// A receipt countersigned in a batch: the server signed the root of an RFC 9162 Merkle
// tree (leaf = SHA-256(0x00 || receipt bytes), node = SHA-256(0x01 || left || right)),
// prefixed by "consentry-receipt-batch-v1\n" and the tree size (4 bytes, big-endian).
const sha = (...parts) => { const h = createHash("sha256"); parts.forEach((p) => h.update(p)); return h.digest(); };
const rootOf = (bytes, proof) => {
  let fn = proof.index, sn = proof.size - 1, r = sha(Buffer.from([0]), bytes);
  for (const s of proof.path) {
    const p = Buffer.from(s, "base64url");
    if (sn === 0) return null;
    if ((fn & 1) === 1 || fn === sn) {
      r = sha(Buffer.from([1]), p, r);
      while ((fn & 1) === 0 && fn !== 0) { fn >>= 1; sn >>= 1; }
    } else {
      r = sha(Buffer.from([1]), r, p);
    }
    fn >>= 1; sn >>= 1;
  }
  return sn === 0 ? r : null;
};
const batched = v.batch_receipt;
const batchBytes = Buffer.from(v.batch_receipt_bytes, "utf8");
if ("consentry-consent-receipt-v1\n" + canonical(batched.body) !== v.batch_receipt_bytes)
  throw new Error("batch receipt bytes do not follow the documented encoding");
const signedRoot = (bytes) => {
  const root = rootOf(bytes, batched.batch);
  if (root === null) return Buffer.alloc(0);
  const size = Buffer.alloc(4);
  size.writeUInt32BE(batched.batch.size);
  return Buffer.concat([Buffer.from("consentry-receipt-batch-v1\n"), size, root]);
};
const batchValid = (bytes) => check(signedRoot(bytes), v.server_public_key, batched.server_signature)
  && check(statement, batched.body.client_public_key, batched.body.client_signature);
console.log(`batch receipt: ${batchValid(batchBytes) ? "valid" : "invalid"}`);
console.log(`tampered batch receipt: ${batchValid(flip(batchBytes)) ? "valid" : "invalid"}`);

// A consent a staff device collected: the device signed the record's sync envelope
// ("consentry-sync-record-v1\n" + canonical JSON of uuid, device_id, seq, form_id,
// form_version, form_version_hash, payload_hash = the statement's record_hash, and
// statement_hash = "sha256:" + hex SHA-256 of the statement bytes), rebuilt here from the
// receipt alone.
const dev = v.device_receipt;
const devBytes = Buffer.from(v.device_receipt_bytes, "utf8");
if ("consentry-consent-receipt-v1\n" + canonical(dev.body) !== v.device_receipt_bytes)
  throw new Error("device receipt bytes do not follow the documented encoding");
const envelopeOf = (body) => {
  const s = body.statement;
  const statementBytes = "consentry-consent-statement-v1\n" + canonical(s);
  return Buffer.from("consentry-sync-record-v1\n" + canonical({
    uuid: s.receipt_id, device_id: body.device.id, seq: body.device.seq,
    form_id: s.form_id, form_version: s.form_version, form_version_hash: s.form_version_hash,
    payload_hash: s.record_hash,
    statement_hash: "sha256:" + createHash("sha256").update(statementBytes, "utf8").digest("hex"),
  }), "utf8");
};
if (envelopeOf(dev.body).toString("utf8") !== v.envelope_bytes)
  throw new Error("envelope bytes do not follow the documented encoding");
const devValid = (body, bytes) => check(bytes, v.server_public_key, dev.server_signature)
  && check(envelopeOf(body), body.client_public_key, body.client_signature);
console.log(`device receipt: ${devValid(dev.body, devBytes) ? "valid" : "invalid"}`);
console.log(`tampered device receipt: ${devValid(dev.body, flip(devBytes)) ? "valid" : "invalid"}`);
const moved = { ...dev.body, device: { ...dev.body.device, seq: dev.body.device.seq + 1 } };
console.log(`other device sequence: ${check(envelopeOf(moved), moved.client_public_key, moved.client_signature) ? "valid" : "invalid"}`);
