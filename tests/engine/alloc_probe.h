// alloc_probe.h — the test suite's one replacement of the global operator new (defined in
// test_alloc_probe.cpp; a program may replace it only once). Always counts allocations (`allocs`,
// used by the trainer's no-allocation test); between Scope construction and stop() it also sums the
// bytes requested and the largest single request (used by the bad-input table). Plain malloc/free
// underneath, so it is otherwise transparent, also under ASan.
#pragma once

#include <atomic>
#include <cstddef>

namespace alloc_probe {
extern std::atomic<long>   allocs;    // every operator new since start-up
extern std::atomic<bool>   on;        // summing bytes?
extern std::atomic<size_t> total;     // bytes requested while on
extern std::atomic<size_t> largest;   // largest single request while on
struct Scope {
    Scope() { total = 0; largest = 0; on = true; }
    ~Scope() { on = false; }
    void stop() { on = false; }
};
}  // namespace alloc_probe
