// Checks tests/vectors/keyed-hashes-v2.json with Node's own HMAC-SHA-256: a format-2
// statement's subject, signature and record hashes, from the customer's hash key.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";

const v = JSON.parse(readFileSync(process.argv[2], "utf8"));
const key = Buffer.from(v.hash_key, "base64url");
const keyed = (domain, message) =>
  "hmac-sha256:" + createHmac("sha256", key).update(domain).update(message).digest("hex");
const say = (name, ok) => console.log(`${name}: ${ok ? "valid" : "invalid"}`);

say("subject", keyed("consentry-subject-v2\n", v.subject) === v.subject_hash);
say(
  "signature",
  keyed("consentry-signature-typed-v2\n", v.typed_signature) === v.signature_hash,
);
say("record", keyed("consentry-record-v2\n", v.record_bytes) === v.record_hash);
say("other subject", keyed("consentry-subject-v2\n", "+8613800138001") === v.subject_hash);
