// rng.h — splitmix64 (Steele, Lea, Flood 2014), the engine's one source of seeded random bits
// (internal): it seeds the xoshiro256** of Network::init, shuffles the Trainer's passes and draws
// the distortions. Integer-only, so a seed gives the same bits on every platform and in wasm.
#pragma once

#include <cstdint>

namespace lenet {
namespace detail {

// Advances the state s and returns the next 64 random bits.
inline uint64_t splitmix64(uint64_t& s) {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

}  // namespace detail
}  // namespace lenet
