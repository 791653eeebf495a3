#!/usr/bin/env node
// Times token verification in jose (npm), the peer of the kit's
// BM_VerifyJwt and BM_KeyVerify (bench/auth/token_bench.cc).
//
//   node bench/auth/jose_verify.mjs [--seconds S]
//
// For each of HS256, ES256 and EdDSA it signs one token with the claims of
// token_bench.cc. Then it times each of these loops for S seconds, after a
// 1 s warm-up:
//   jwtVerify      the signature and the claims (exp, nbf, iss, aud), like
//                  the kit's VerifyJwt;
//   compactVerify  the JWS alone.
// Each loop awaits one verification at a time, with the key passed
// directly as a CryptoKey. HS256 also runs jwtVerify with the secret as a
// Uint8Array, the form jose's README shows, which jose imports on every
// call. Prints one JSON object to stdout:
//   {"package", "node", "seconds", "results": [{alg, api, key,
//    verifications, per_second, per_cpu_second}]}
// per_second divides by wall time. per_cpu_second divides by the CPU time
// (user + system) of the whole node process, every thread included, which
// is what Google Benchmark and `openssl speed` report on a shared machine.
//
// jose is installed by scripts/setup.sh in tests/auth/interop-node, and is
// loaded from there.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const kInteropDir = join(dirname(fileURLToPath(import.meta.url)),
  '..', '..', 'tests', 'auth', 'interop-node');
const kNow = 1_800_000_000;  // the verifier's clock, as in token_bench.cc
const kWarmUpSeconds = 1;

function parseSeconds(argv) {
  if (argv.length === 0) return 3;
  const value = Number(argv[1]);
  if (argv[0] !== '--seconds' || argv.length !== 2 || !Number.isInteger(value) ||
      value < 1 || value > 600) {
    throw new Error(`invalid arguments '${argv.join(' ')}': expected --seconds S, a whole number from 1 to 600`);
  }
  return value;
}

async function loadJose() {
  const require = createRequire(join(kInteropDir, 'package.json'));
  let path;
  try {
    path = require.resolve('jose');
  } catch {
    throw new Error(`jose is not installed in ${kInteropDir}: run scripts/setup.sh`);
  }
  const jose = await import(pathToFileURL(path).href);
  const { version } = require('jose/package.json');
  return { jose, version };
}

// timeLoop runs `verify` one call at a time for `seconds` and returns the
// number of calls and the elapsed seconds.
async function timeLoop(verify, seconds) {
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(seconds * 1e9);
  let count = 0;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 64; i++) await verify();
    count += 64;
    now = process.hrtime.bigint();
  }
  const cpu = process.cpuUsage(cpuStart);
  return {
    count,
    elapsed: Number(now - start) / 1e9,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

async function makeKey(jose, alg) {
  if (alg === 'HS256') {
    const secret = await jose.generateSecret('HS256', { extractable: true });
    const bytes = (await jose.exportJWK(secret)).k;
    return { signKey: secret, verifyKey: secret, secretBytes: jose.base64url.decode(bytes) };
  }
  const options = alg === 'EdDSA' ? { crv: 'Ed25519' } : {};
  const pair = await jose.generateKeyPair(alg, options);
  return { signKey: pair.privateKey, verifyKey: pair.publicKey };
}

async function measure(jose, alg, seconds) {
  const { signKey, verifyKey, secretBytes } = await makeKey(jose, alg);
  const token = await new jose.SignJWT({
    iss: 'https://id.example.com', aud: 'orders-api', sub: 'user-42',
    iat: kNow - 60, nbf: kNow - 60, exp: kNow + 900,
  }).setProtectedHeader({ alg, typ: 'JWT', kid: `bench-${alg}` }).sign(signKey);

  const options = {
    issuer: 'https://id.example.com',
    audience: 'orders-api',
    algorithms: [alg],
    currentDate: new Date(kNow * 1000),
  };
  const loops = [
    ['jwtVerify', 'CryptoKey', () => jose.jwtVerify(token, verifyKey, options)],
    ['compactVerify', 'CryptoKey',
      () => jose.compactVerify(token, verifyKey, { algorithms: [alg] })],
  ];
  if (secretBytes) {
    loops.push(['jwtVerify', 'Uint8Array', () => jose.jwtVerify(token, secretBytes, options)]);
  }
  const results = [];
  for (const [api, key, verify] of loops) {
    await timeLoop(verify, kWarmUpSeconds);
    const { count, elapsed, cpuSeconds } = await timeLoop(verify, seconds);
    results.push({
      alg,
      api,
      key,
      verifications: count,
      per_second: count / elapsed,
      per_cpu_second: count / cpuSeconds,
    });
  }
  return results;
}

async function main() {
  const seconds = parseSeconds(process.argv.slice(2));
  const { jose, version } = await loadJose();
  const results = [];
  for (const alg of ['HS256', 'ES256', 'EdDSA']) {
    process.stderr.write(`jose_verify: ${alg}, ${seconds} s per loop\n`);
    results.push(...await measure(jose, alg, seconds));
  }
  const output = { package: `jose@${version}`, node: process.version, seconds, results };
  process.stdout.write(`${JSON.stringify(output)}\n`);
}

main().catch((error) => {
  process.stderr.write(`jose_verify: ${error.message}\n`);
  process.exit(1);
});
