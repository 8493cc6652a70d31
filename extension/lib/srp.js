// Amazon Cognito's variant of SRP-6a (the USER_SRP_AUTH flow), the client's end: the password never leaves the
// browser; Cognito is sent A and then a signature only a holder of the password can make. The numbers are as
// amazon-cognito-identity-js's AuthenticationHelper computes them: the 3072-bit group of RFC 3526 with g = 2,
// SHA-256, k = H(N | g), u = H(A | B), x = H(salt | H(poolName | userId | ":" | password)), and the session key
// from S by the "Caldera Derived Key" HKDF. Every number is hashed as its hex with a zero byte first when its top bit
// is set (padHex). BigInt and WebCrypto only, so the extension loads it unbundled and the dashboard shares it.

const N = BigInt(
  "0xFFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);
const G = 2n;
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const encoder = new TextEncoder();

/**
 * The number's hex, of whole bytes, with a zero byte first when its top bit is set (it is never negative here).
 * @param {bigint} value
 */
export function padHex(value) {
  const text = value.toString(16);
  if (text.length % 2) return `0${text}`;
  return "89abcdef".includes(text[0]) ? `00${text}` : text;
}

/** @param {string} hex an even number of hex digits */
function bytesOfHex(hex) {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** @param {ArrayBuffer | Uint8Array<ArrayBuffer>} bytes */
function hexOfBytes(bytes) {
  return [...new Uint8Array(bytes)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** @param {Uint8Array<ArrayBuffer>[]} parts */
function concat(...parts) {
  const joined = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return joined;
}

/** @param {Uint8Array<ArrayBuffer>} bytes */
async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

/** @param {string} hex */
async function hashHex(hex) {
  return BigInt(`0x${hexOfBytes(await sha256(bytesOfHex(hex)))}`);
}

/**
 * @param {Uint8Array<ArrayBuffer>} key
 * @param {Uint8Array<ArrayBuffer>} message
 */
async function hmacSha256(key, message) {
  const imported = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", imported, message));
}

/**
 * base^exponent mod modulus, by squaring: BigInt has no modular power of its own.
 * @param {bigint} base
 * @param {bigint} exponent
 * @param {bigint} modulus
 */
export function modPow(base, exponent, modulus) {
  let result = 1n;
  let square = ((base % modulus) + modulus) % modulus;
  for (let rest = exponent; rest > 0n; rest >>= 1n) {
    if (rest & 1n) result = (result * square) % modulus;
    square = (square * square) % modulus;
  }
  return result;
}

/** @param {Uint8Array<ArrayBuffer>} bytes */
function base64OfBytes(bytes) {
  return btoa(String.fromCharCode(...bytes));
}

/** @param {string} text */
function bytesOfBase64(text) {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

/**
 * Cognito's TIMESTAMP: "Sun Dec 6 03:41:46 UTC 2026" (the day not padded).
 * @param {Date} now
 */
export function cognitoTimestamp(now) {
  const two = (/** @type {number} */ value) => String(value).padStart(2, "0");
  const time = `${two(now.getUTCHours())}:${two(now.getUTCMinutes())}:${two(now.getUTCSeconds())}`;
  return `${WEEKDAYS[now.getUTCDay()]} ${MONTHS[now.getUTCMonth()]} ${now.getUTCDate()} ${time} UTC ${now.getUTCFullYear()}`;
}

/**
 * The challenge Cognito answers USER_SRP_AUTH with.
 * @typedef {object} PasswordVerifierParameters
 * @property {string} SRP_B hex
 * @property {string} SALT hex
 * @property {string} SECRET_BLOCK base64
 * @property {string} USER_ID_FOR_SRP
 */

/**
 * One sign-in's secret a and public A (SRP_A, sent with InitiateAuth), and the answer to Cognito's
 * PASSWORD_VERIFIER challenge.
 * @param {string} userPoolId e.g. us-east-1_AbCdEf123
 */
export async function startSrp(userPoolId) {
  const poolName = userPoolId.split("_")[1] || "";
  const random = crypto.getRandomValues(new Uint8Array(128));
  const a = BigInt(`0x${hexOfBytes(random)}`) % N;
  const A = modPow(G, a, N);
  const k = await hashHex(padHex(N) + padHex(G));
  return {
    srpA: A.toString(16),
    /**
     * The PASSWORD_VERIFIER answer; a wrong password makes a signature Cognito refuses.
     * @param {PasswordVerifierParameters} parameters
     * @param {string} password
     * @param {Date} [now]
     * @returns {Promise<Record<string, string>>}
     */
    async answer(parameters, password, now = new Date()) {
      const B = BigInt(`0x${parameters.SRP_B}`);
      if (B % N === 0n) throw new Error("The sign-in service sent a value that is not safe to use (B).");
      const salt = BigInt(`0x${parameters.SALT}`);
      const userId = parameters.USER_ID_FOR_SRP;
      const u = await hashHex(padHex(A) + padHex(B));
      if (u === 0n) throw new Error("The sign-in service sent a value that is not safe to use (u).");
      const inner = hexOfBytes(await sha256(encoder.encode(`${poolName}${userId}:${password}`)));
      const x = await hashHex(padHex(salt) + inner);
      const S = modPow(B - k * modPow(G, x, N), a + u * x, N);
      const prk = await hmacSha256(bytesOfHex(padHex(u)), bytesOfHex(padHex(S)));
      const key = (await hmacSha256(prk, encoder.encode("Caldera Derived Key\u0001"))).slice(0, 16);
      const timestamp = cognitoTimestamp(now);
      const message = concat(
        encoder.encode(poolName),
        encoder.encode(userId),
        bytesOfBase64(parameters.SECRET_BLOCK),
        encoder.encode(timestamp),
      );
      return {
        USERNAME: userId,
        PASSWORD_CLAIM_SECRET_BLOCK: parameters.SECRET_BLOCK,
        PASSWORD_CLAIM_SIGNATURE: base64OfBytes(await hmacSha256(key, message)),
        TIMESTAMP: timestamp,
      };
    },
  };
}
