// pool.cpp — ThreadPool (pool.h) and hardware_threads(). Each helper sleeps on a condition variable
// until a run's generation number changes, runs its part if the run has one for it, and counts
// itself done; the caller runs part 0 and then waits for that count to reach zero.
#include "pool.h"

#include "lenet/lenet.h"

#include <algorithm>
#include <exception>

#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
#define LENET_NO_THREADS 1
#else
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>
#endif

namespace lenet {

int hardware_threads() {
#ifdef LENET_NO_THREADS
    return 1;
#else
    return int(std::max(1u, std::thread::hardware_concurrency()));
#endif
}

namespace detail {

#ifdef LENET_NO_THREADS
struct ThreadPool::Helpers {};

ThreadPool::ThreadPool(int) : threads_(1) {}
ThreadPool::~ThreadPool() = default;

void ThreadPool::run_parts(int, void (*fn)(void*, int), void* ctx) { fn(ctx, 0); }
#else
struct ThreadPool::Helpers {
    std::vector<std::thread> threads;
    std::mutex               run_m, m;  // run_m: one run at a time; m: the fields below
    std::condition_variable  wake, done;
    void (*fn)(void*, int) = nullptr;
    void*              ctx = nullptr;
    int                parts = 0, pending = 0;
    uint64_t           gen = 0;
    bool               stop = false;
    std::exception_ptr error;  // the first exception a helper's part threw in this run

    void loop(int t) {
        uint64_t seen = 0;
        for (;;) {
            void (*f)(void*, int);
            void* c;
            {
                std::unique_lock<std::mutex> lk(m);
                wake.wait(lk, [&] { return stop || gen != seen; });
                if (stop) return;
                seen = gen;
                if (t >= parts) continue;  // no part for this helper in this run
                f = fn;
                c = ctx;
            }
            std::exception_ptr e;
            try {
                f(c, t);
            } catch (...) {
                e = std::current_exception();
            }
            std::lock_guard<std::mutex> lk(m);
            if (e && !error) error = e;
            if (--pending == 0) done.notify_one();
        }
    }
};

ThreadPool::ThreadPool(int threads) : threads_(std::max(1, threads)), helpers_(new Helpers) {
    for (int t = 1; t < threads_; ++t) helpers_->threads.emplace_back([h = helpers_.get(), t] { h->loop(t); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard<std::mutex> lk(helpers_->m);
        helpers_->stop = true;
    }
    helpers_->wake.notify_all();
    for (std::thread& th : helpers_->threads) th.join();
}

void ThreadPool::run_parts(int parts, void (*fn)(void*, int), void* ctx) {
    parts = std::max(1, std::min(parts, threads_));
    if (parts == 1) {
        fn(ctx, 0);
        return;
    }
    Helpers& h = *helpers_;
    std::lock_guard<std::mutex> one(h.run_m);
    {
        std::lock_guard<std::mutex> lk(h.m);
        h.fn = fn;
        h.ctx = ctx;
        h.parts = parts;
        h.pending = parts - 1;
        h.error = nullptr;
        ++h.gen;
    }
    h.wake.notify_all();
    std::exception_ptr err;
    try {
        fn(ctx, 0);
    } catch (...) {
        err = std::current_exception();
    }
    std::unique_lock<std::mutex> lk(h.m);
    h.done.wait(lk, [&h] { return h.pending == 0; });  // every part returns before ctx goes away
    if (!err) err = h.error;
    if (err) std::rethrow_exception(err);
}
#endif

ThreadPool& ThreadPool::shared() {
    static ThreadPool pool(std::min(hardware_threads(), 64));
    return pool;
}

}  // namespace detail
}  // namespace lenet
