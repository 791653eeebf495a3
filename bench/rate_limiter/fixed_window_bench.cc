// Benchmarks of the fixed window counter (rl::FixedWindow): ns per Decide and Peek for one
// key, on an injected clock and on the real clock. See algorithm_bench.h.
#include "rate_limiter/fixed_window.h"

#include "algorithm_bench.h"

RL_ALGORITHM_BENCHMARKS(rl::FixedWindow);
