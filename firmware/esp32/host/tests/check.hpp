// A minimal test runner for the host tests: TEST(suite, name) registers a case, CHECK* record
// failures with file and line, `core_tests <suite>` runs one suite (ctest runs each as its own
// test). Kept tiny on purpose: the tests need no framework beyond Debian's g++.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace check {

struct Case {
  const char *suite;
  const char *name;
  std::function<void()> body;
};

std::vector<Case> &registry();
void fail(const char *file, int line, const std::string &message);

struct Registrar {
  Registrar(const char *suite, const char *name, std::function<void()> body) {
    registry().push_back({suite, name, std::move(body)});
  }
};

template <typename T>
std::string show(const T &value) {
  std::ostringstream out;
  if constexpr (std::is_same_v<T, uint8_t> || std::is_same_v<T, int8_t>) {
    out << static_cast<int>(value);
  } else {
    out << value;
  }
  return out.str();
}
inline std::string show(const char *value) { return value ? "\"" + std::string(value) + "\"" : "NULL"; }
inline std::string show(const std::string &value) { return "\"" + value + "\""; }

}  // namespace check

#define MQ_CAT2(a, b) a##b
#define MQ_CAT(a, b) MQ_CAT2(a, b)
#define TEST(suite, name)                                                             \
  static void MQ_CAT(test_, MQ_CAT(suite, MQ_CAT(_, name)))();                        \
  static check::Registrar MQ_CAT(registrar_, MQ_CAT(suite, MQ_CAT(_, name)))(         \
      #suite, #name, MQ_CAT(test_, MQ_CAT(suite, MQ_CAT(_, name))));                  \
  static void MQ_CAT(test_, MQ_CAT(suite, MQ_CAT(_, name)))()

#define CHECK(cond) \
  do {              \
    if (!(cond)) check::fail(__FILE__, __LINE__, "CHECK(" #cond ")"); \
  } while (0)

#define CHECK_EQ(actual, expected)                                                          \
  do {                                                                                      \
    const auto &a_ = (actual);                                                              \
    const auto &e_ = (expected);                                                            \
    if (!(a_ == e_))                                                                        \
      check::fail(__FILE__, __LINE__,                                                       \
                  std::string(#actual " == " #expected ": got ") + check::show(a_) +       \
                      ", expected " + check::show(e_));                                     \
  } while (0)

#define CHECK_STR(actual, expected)                                                         \
  do {                                                                                      \
    const std::string a_ = (actual);                                                        \
    const std::string e_ = (expected);                                                      \
    if (a_ != e_)                                                                           \
      check::fail(__FILE__, __LINE__,                                                       \
                  std::string(#actual ": got \"") + a_ + "\", expected \"" + e_ + "\"");    \
  } while (0)

#define CHECK_CONTAINS(haystack, needle)                                                    \
  do {                                                                                      \
    const std::string h_ = (haystack);                                                      \
    const std::string n_ = (needle);                                                        \
    if (h_.find(n_) == std::string::npos)                                                   \
      check::fail(__FILE__, __LINE__, "expected \"" + n_ + "\" in:\n" + h_);                \
  } while (0)
