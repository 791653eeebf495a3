#!/usr/bin/env node
// jose's side of the auth interop test (tests/auth/interop_test.cc). jose is
// an independent implementation of JWS, JWK and JWT (RFC 7515, 7517, 7518,
// 7519 and 8037), so the test checks the kit against another reading of the
// same standards.
//
//   node interop.mjs sign DIR
//       jose makes an HS256 secret and ES256 and EdDSA (Ed25519) key pairs,
//       signs one valid token with each, and makes forged tokens. Writes
//       DIR/jose.json: {claims, jwks, hs256_jwk, tokens: {name: token}}.
//   node interop.mjs verify DIR
//       Reads DIR/kit.json, written by the kit: {issuer, audience, jwks,
//       hs256_secret (base64url), tokens: [{name, token, key}]}, where key
//       is "jwks" or "hs256". jose verifies each token with jwtVerify, the
//       JWKS through createLocalJWKSet, and prints to stdout a JSON array of
//       {name, verified, code, sub}: code is jose's error code, or null.
//
// Exit status: 0 when the run completed (whatever the tokens' outcomes), 1
// on a usage or file error, with the reason on stderr.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  SignJWT,
  base64url,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  generateSecret,
  jwtVerify,
} from 'jose';

const kIssuer = 'https://jose.example';
const kAudience = 'labkit-interop';
const kSubject = 'alice';
const kLifetimeSeconds = 300;

// The verifier allows only the algorithms each key set is meant for, as an
// application should: the token's alg never selects the algorithm.
const kJwksAlgorithms = ['ES256', 'EdDSA'];
const kSecretAlgorithms = ['HS256'];

// signJwt signs the interop claims with `key` under the given header.
function signJwt(header, key, claims) {
  return new SignJWT(claims)
    .setProtectedHeader(header)
    .sign(key);
}

// unsignedToken builds a compact JWS with an empty signature by hand, so
// that its header can carry alg "none" together with a trusted kid.
function unsignedToken(header, claims) {
  const encode = (value) => base64url.encode(JSON.stringify(value));
  return `${encode(header)}.${encode(claims)}.`;
}

async function makePublicJwk(publicKey, kid, alg) {
  return { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
}

async function signCommand(dir) {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: kIssuer,
    aud: kAudience,
    sub: kSubject,
    iat: now,
    exp: now + kLifetimeSeconds,
  };

  // 1. Keys: the ones the kit is given, and the attacker's ones.
  const hsSecret = await generateSecret('HS256', { extractable: true });
  const es = await generateKeyPair('ES256', { extractable: true });
  const ed = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const attackerEs = await generateKeyPair('ES256');
  const attackerSecret = await generateSecret('HS256');

  const esJwk = await makePublicJwk(es.publicKey, 'jose-es256', 'ES256');
  const edJwk = await makePublicJwk(ed.publicKey, 'jose-ed25519', 'EdDSA');
  const hsJwk = { ...(await exportJWK(hsSecret)), kid: 'jose-hs256', alg: 'HS256' };

  // 2. Valid tokens, one per algorithm.
  const tokens = {
    hs256: await signJwt({ alg: 'HS256', typ: 'JWT', kid: 'jose-hs256' }, hsSecret, claims),
    es256: await signJwt({ alg: 'ES256', typ: 'JWT', kid: 'jose-es256' }, es.privateKey, claims),
    eddsa: await signJwt({ alg: 'EdDSA', typ: 'JWT', kid: 'jose-ed25519' }, ed.privateKey, claims),
  };

  // 3. Forgeries: no signature, another key under a trusted kid, and an
  // HS256 MAC keyed with a published public key (algorithm confusion).
  tokens.forged_alg_none = unsignedToken({ alg: 'none', kid: 'jose-ed25519' }, claims);
  tokens.forged_wrong_key_es256 = await signJwt(
    { alg: 'ES256', typ: 'JWT', kid: 'jose-es256' }, attackerEs.privateKey, claims);
  tokens.forged_wrong_secret_hs256 = await signJwt(
    { alg: 'HS256', typ: 'JWT', kid: 'jose-hs256' }, attackerSecret, claims);
  tokens.forged_alg_confusion = await signJwt(
    { alg: 'HS256', typ: 'JWT', kid: 'jose-ed25519' },
    new TextEncoder().encode(JSON.stringify(edJwk)), claims);

  const output = { claims, jwks: { keys: [esJwk, edJwk] }, hs256_jwk: hsJwk, tokens };
  writeFileSync(join(dir, 'jose.json'), JSON.stringify(output, null, 2));
}

// verifyOne returns jose's verdict on one token as {name, verified, code, sub}.
async function verifyOne(entry, jwks, secret, options) {
  const key = entry.key === 'hs256' ? secret : jwks;
  const algorithms = entry.key === 'hs256' ? kSecretAlgorithms : kJwksAlgorithms;
  try {
    const { payload } = await jwtVerify(entry.token, key, { ...options, algorithms });
    return { name: entry.name, verified: true, code: null, sub: payload.sub ?? null };
  } catch (error) {
    if (typeof error?.code !== 'string') throw error;
    return { name: entry.name, verified: false, code: error.code, sub: null };
  }
}

async function verifyCommand(dir) {
  const input = JSON.parse(readFileSync(join(dir, 'kit.json'), 'utf8'));
  const jwks = createLocalJWKSet(input.jwks);
  const secret = base64url.decode(input.hs256_secret);
  const options = { issuer: input.issuer, audience: input.audience };

  const results = [];
  for (const entry of input.tokens) {
    results.push(await verifyOne(entry, jwks, secret, options));
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

async function main(argv) {
  const [command, dir] = argv;
  if (!dir || (command !== 'sign' && command !== 'verify')) {
    throw new Error(`invalid arguments '${argv.join(' ')}': expected 'sign DIR' or 'verify DIR'`);
  }
  if (command === 'sign') await signCommand(dir);
  else await verifyCommand(dir);
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`interop.mjs: ${error.stack ?? error}\n`);
  process.exit(1);
});
