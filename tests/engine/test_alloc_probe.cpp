// test_alloc_probe.cpp — the counting global operator new of the test suite (see alloc_probe.h) and
// a check that it really sees allocations, so tests bounding memory with it are not vacuous.
#include "alloc_probe.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <new>
#include <vector>

namespace alloc_probe {
std::atomic<long>   allocs{0};
std::atomic<bool>   on{false};
std::atomic<size_t> total{0}, largest{0};

static void note(size_t n) {
    allocs.fetch_add(1, std::memory_order_relaxed);
    if (!on.load(std::memory_order_relaxed)) return;
    total.fetch_add(n, std::memory_order_relaxed);
    size_t cur = largest.load(std::memory_order_relaxed);
    while (n > cur && !largest.compare_exchange_weak(cur, n, std::memory_order_relaxed)) {}
}
static void* allocate(size_t n) {
    note(n);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
}  // namespace alloc_probe

void* operator new(std::size_t n) { return alloc_probe::allocate(n); }
void* operator new[](std::size_t n) { return alloc_probe::allocate(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    alloc_probe::note(n);
    return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    alloc_probe::note(n);
    return std::malloc(n ? n : 1);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

TEST_SUITE("alloc") {

TEST_CASE("alloc: the counting allocator sees every allocation and its size") {
    const long before = alloc_probe::allocs.load();
    {
        alloc_probe::Scope probe;
        std::vector<float> v(1 << 20);
        auto* a = new int[1000];
        probe.stop();
        v[5] = 1.0f;
        a[3] = 2;
        CHECK(v[5] + float(a[3]) == 3.0f);
        delete[] a;
    }
    CHECK(alloc_probe::allocs.load() - before >= 2);
    CHECK(alloc_probe::total >= (size_t(4) << 20) + 4000);
    CHECK(alloc_probe::largest >= (size_t(4) << 20));
    {
        alloc_probe::Scope probe;  // nothing allocated in scope: nothing counted
        probe.stop();
        std::vector<char> later(1000);
        CHECK(later.size() == 1000);
    }
    CHECK(alloc_probe::total == 0);
}

}  // TEST_SUITE
