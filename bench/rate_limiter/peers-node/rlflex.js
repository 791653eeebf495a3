#!/usr/bin/env node
// Measures rate-limiter-flexible the way an application uses it: one
// `await limiter.consume(key)` per request.
//
//   node rlflex.js memory [--decisions N] [--keys K]
//       RateLimiterMemory, one decision at a time. Prints ns per decision.
//   node rlflex.js redis --port P [--inflight C] [--seconds S] [--keys K]
//       RateLimiterRedis on ioredis against 127.0.0.1:P, with C decisions in
//       flight at once for S seconds. Prints decisions per second.
//
// The quota is never reached, so every decision is an allowed one, like the
// kit's benchmarks. Prints one JSON object to stdout; progress goes to
// stderr. Every run is bounded by its decision count or its duration.
'use strict';

const { RateLimiterMemory, RateLimiterRedis } = require('rate-limiter-flexible');

const kNeverReached = 1e12;  // points per window: no request is rejected

function parseArgs(argv) {
  const mode = argv[0];
  const options = { decisions: 2_000_000, keys: 1000, port: 0, inflight: 64, seconds: 5 };
  for (let i = 1; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    const value = Number(argv[i + 1]);
    if (!(name in options)) {
      throw new Error(`unknown option --${name}: use --decisions, --keys, --port, --inflight or --seconds`);
    }
    if (!Number.isInteger(value) || value <= 0) {
      throw new Error(`invalid --${name} '${argv[i + 1]}': expected a positive integer`);
    }
    options[name] = value;
  }
  if (mode !== 'memory' && mode !== 'redis') {
    throw new Error(`invalid mode '${mode}': use 'memory' or 'redis'`);
  }
  if (mode === 'redis' && options.port === 0) {
    throw new Error('missing --port: the redis mode needs the redis-server port on 127.0.0.1');
  }
  return { mode, options };
}

function makeKeys(count) {
  return Array.from({ length: count }, (_, i) => `client-${i}`);
}

// Runs `count` sequential consume() calls and returns the elapsed ns.
async function timeSequential(limiter, keys, count) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    await limiter.consume(keys[i % keys.length]);
  }
  return Number(process.hrtime.bigint() - start);
}

async function measureMemory({ decisions, keys: keyCount }) {
  const limiter = new RateLimiterMemory({ points: kNeverReached, duration: 60 });
  const keys = makeKeys(keyCount);

  // Warm up the JIT and create every key before timing.
  await timeSequential(limiter, keys, Math.min(decisions, 200_000));
  const elapsed = await timeSequential(limiter, keys, decisions);
  return {
    store: 'memory',
    decisions,
    keys: keyCount,
    ns_per_decision: elapsed / decisions,
  };
}

async function measureRedis({ port, inflight, seconds, keys: keyCount }) {
  const Redis = require('ioredis');
  const client = new Redis({ host: '127.0.0.1', port, enableOfflineQueue: true, lazyConnect: false });
  const limiter = new RateLimiterRedis({
    storeClient: client,
    points: kNeverReached,
    duration: 60,
    keyPrefix: 'rlflex_bench',
  });
  const keys = makeKeys(keyCount);

  // Warm up (loads the script into Redis, opens the connection).
  await timeSequential(limiter, keys, 1000);

  // Run `inflight` workers, each awaiting one consume() at a time, until
  // the deadline.
  let done = 0;
  let failed = 0;
  const deadline = Date.now() + seconds * 1000;
  const start = process.hrtime.bigint();
  const worker = async (w) => {
    let i = w;
    while (Date.now() < deadline) {
      try {
        await limiter.consume(keys[i % keys.length]);
        done++;
      } catch (error) {
        failed++;
        if (failed === 1) {
          process.stderr.write(`rlflex: consume failed: ${error && error.message ? error.message : JSON.stringify(error)}\n`);
        }
      }
      i += inflight;
    }
  };
  await Promise.all(Array.from({ length: inflight }, (_, w) => worker(w)));
  const elapsedSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  client.disconnect();
  return {
    store: 'redis',
    inflight,
    seconds: elapsedSeconds,
    keys: keyCount,
    decisions: done,
    failed,
    decisions_per_second: done / elapsedSeconds,
  };
}

async function main() {
  const { mode, options } = parseArgs(process.argv.slice(2));
  process.stderr.write(`rlflex: measuring ${mode} store\n`);
  const result = mode === 'memory' ? await measureMemory(options) : await measureRedis(options);
  result.package = 'rate-limiter-flexible ' + require('rate-limiter-flexible/package.json').version;
  result.node = process.version;
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((error) => {
  process.stderr.write(`rlflex: ${error.message}\n`);
  process.exit(1);
});
