// SIGINT and SIGTERM during a long command (issue 14): the first one asks the work to stop
// where it can and report what it covered (exit 3); a second one ends the process at once, as
// the default action would have.
#pragma once

#include <atomic>

namespace pcli {

// While one lives, SIGINT and SIGTERM set interrupt_requested() instead of ending the process.
class InterruptWatch {
  public:
    InterruptWatch();
    ~InterruptWatch();
    InterruptWatch(const InterruptWatch&) = delete;
    InterruptWatch& operator=(const InterruptWatch&) = delete;

    // Set by the first signal; the checker polls it.
    [[nodiscard]] static const std::atomic<bool>& requested();
    // Which signal it was (SIGINT or SIGTERM), 0 before any.
    [[nodiscard]] static int signal_number();
};

}  // namespace pcli
