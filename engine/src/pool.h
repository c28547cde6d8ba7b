// pool.h — the engine's one pool of native threads (internal): the Trainer's minibatches and
// evaluate() run on a pool of their own size, predict_batch on the process-wide shared() pool.
//
// run(parts, fn) calls fn(t) for t = 0 .. parts-1 at the same time, t = 0 on the calling thread and
// t > 0 on helper t, and returns when every call has returned. A part's index is fixed, so work split
// by index (the Trainer's slices of a batch) runs the same way every time. Single-threaded wasm
// builds have no helpers: threads() is 1 and run() calls fn(0) on the caller.
#pragma once

#include <memory>
#include <type_traits>

namespace lenet {
namespace detail {

class ThreadPool {
public:
    // `threads` in all: the caller and threads - 1 helpers, started now and kept until destruction.
    explicit ThreadPool(int threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int threads() const { return threads_; }

    // fn(t) for t = 0 .. parts-1 (parts is clamped to 1 .. threads()). One run at a time: a second
    // caller waits. An exception from any part is rethrown here, after every part has returned.
    template <class F>
    void run(int parts, F&& fn) {
        using Fn = std::remove_reference_t<F>;
        run_parts(parts, [](void* f, int t) { (*static_cast<Fn*>(f))(t); }, &fn);
    }

    // The process-wide pool of predict_batch: hardware_threads() threads (at most 64), made on first
    // use and kept until exit.
    static ThreadPool& shared();

private:
    struct Helpers;  // the threads and their synchronisation (pool.cpp)
    void run_parts(int parts, void (*fn)(void*, int), void* ctx);
    int                      threads_ = 1;
    std::unique_ptr<Helpers> helpers_;
};

}  // namespace detail
}  // namespace lenet
