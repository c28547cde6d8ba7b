// test_main.cpp — doctest's main(), compiled once for the whole suite (tests/engine/test_*.cpp).
// Run `lenet_tests --help` for doctest's options, e.g. -ts=conv or -tc="conv: *".
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
