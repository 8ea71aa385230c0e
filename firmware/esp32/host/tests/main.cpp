#include <cstdlib>
#include <iostream>

#include "check.hpp"

namespace check {

std::vector<Case> &registry() {
  static std::vector<Case> cases;
  return cases;
}

static int failures = 0;

void fail(const char *file, int line, const std::string &message) {
  failures++;
  std::cerr << file << ":" << line << ": " << message << std::endl;
}

}  // namespace check

int main(int argc, char **argv) {
  const std::string only = argc > 1 ? argv[1] : "";
  int ran = 0;
  for (const auto &c : check::registry()) {
    if (!only.empty() && only != c.suite) continue;
    const int before = check::failures;
    c.body();
    ran++;
    std::cout << (check::failures == before ? "ok   " : "FAIL ") << c.suite << "." << c.name
              << std::endl;
  }
  if (ran == 0) {
    std::cerr << "no tests in suite \"" << only << "\"" << std::endl;
    return 2;
  }
  std::cout << ran << " tests, " << check::failures << " failed checks" << std::endl;
  return check::failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
