// Benchmarks of the token bucket (rl::TokenBucket): ns per Decide and Peek for one
// key, on an injected clock and on the real clock. See algorithm_bench.h.
#include "rate_limiter/token_bucket.h"

#include "algorithm_bench.h"

RL_ALGORITHM_BENCHMARKS(rl::TokenBucket);
