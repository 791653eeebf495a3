// Benchmarks of the GCRA (rl::Gcra): ns per Decide and Peek for one
// key, on an injected clock and on the real clock. See algorithm_bench.h.
#include "rate_limiter/gcra.h"

#include "algorithm_bench.h"

RL_ALGORITHM_BENCHMARKS(rl::Gcra);
