// Verifies the receipt test vector with Node's own ed25519 (OpenSSL), independently of
// the Rust code: the signed bytes are taken from the file as documented, and a one-byte
// change must make each signature fail.
import { readFileSync } from "node:fs";
import { createPublicKey, verify } from "node:crypto";

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
