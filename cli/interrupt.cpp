#include "interrupt.hpp"

#include <csignal>

namespace pcli {

namespace {

// A signal handler may touch only lock-free atomics and sig_atomic_t: the process-wide state a
// signal needs, kept here and nowhere else.
std::atomic<bool> interrupted{false};
volatile std::sig_atomic_t which_signal = 0;
struct sigaction previous_int {};
struct sigaction previous_term {};

extern "C" void on_interrupt(int number) {
    which_signal = number;
    interrupted.store(true);
    // The next one ends the process: a stuck stop must stay killable with a second Ctrl-C.
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
}

}  // namespace

static_assert(std::atomic<bool>::is_always_lock_free);

InterruptWatch::InterruptWatch() {
    interrupted.store(false);
    which_signal = 0;
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    action.sa_flags = SA_RESTART;  // a write to a slow stderr is not cut short by the signal
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous_int);
    sigaction(SIGTERM, &action, &previous_term);
    // A signal the process was started ignoring (a background job of a script) stays ignored.
    if (previous_int.sa_handler == SIG_IGN) sigaction(SIGINT, &previous_int, nullptr);
    if (previous_term.sa_handler == SIG_IGN) sigaction(SIGTERM, &previous_term, nullptr);
}

InterruptWatch::~InterruptWatch() {
    sigaction(SIGINT, &previous_int, nullptr);
    sigaction(SIGTERM, &previous_term, nullptr);
}

const std::atomic<bool>& InterruptWatch::requested() {
    return interrupted;
}

int InterruptWatch::signal_number() {
    return which_signal;
}

}  // namespace pcli
