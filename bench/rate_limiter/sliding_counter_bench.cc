// Benchmarks of the sliding window counter (rl::SlidingCounter): ns per Decide and Peek for one
// key, on an injected clock and on the real clock. See algorithm_bench.h.
#include "rate_limiter/sliding_counter.h"

#include "algorithm_bench.h"

RL_ALGORITHM_BENCHMARKS(rl::SlidingCounter);
