// FUZZ_CHECK: an invariant of a fuzz target. Unlike assert() it holds in Release builds too, where
// the targets run as ctest replay drivers; a failure aborts, which libFuzzer reports as a crash
// and saves the input.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                                     \
  do {                                                                                            \
    if (!(condition)) {                                                                           \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                               \
    }                                                                                             \
  } while (0)
