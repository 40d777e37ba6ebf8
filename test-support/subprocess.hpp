// The protocheck binary as a separate process, for what an in-process run cannot show: a
// crash, a hang, the memory one input costs, and signals.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace ptest {

struct ProcessOutcome {
    int exit_code = -1;      // when it exited
    int signal = 0;          // when a signal ended it
    bool timed_out = false;  // killed by us after the time limit
    double seconds = 0;
    long max_rss_kb = 0;
    std::string out;
    std::string err;
};

inline std::string read_whole(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Runs PROTOCHECK_BINARY with `args`; `while_running` is polled every 10 ms with the child's
// pid (it may send signals) until the child ends or `limit_seconds` pass (then SIGKILL).
inline ProcessOutcome run_binary(const std::vector<std::string>& args,
                                 double limit_seconds,
                                 const std::function<void(pid_t)>& while_running = {}) {
    static int serial = 0;
    const std::string base = ::testing::TempDir() + "protocheck-child-" + std::to_string(getpid()) +
                             "-" + std::to_string(++serial);
    const std::string out_path = base + ".out";
    const std::string err_path = base + ".err";
    std::vector<char*> argv;
    std::string binary = PROTOCHECK_BINARY;
    argv.push_back(binary.data());
    std::vector<std::string> copies = args;
    for (std::string& arg : copies) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const auto started = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid == 0) {
        const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(out, 1);
        dup2(err, 2);
        execv(argv[0], argv.data());
        _exit(127);
    }
    ProcessOutcome outcome;
    int status = 0;
    rusage usage{};
    while (true) {
        const pid_t done = wait4(pid, &status, WNOHANG, &usage);
        if (done == pid) break;
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (elapsed > limit_seconds) {
            outcome.timed_out = true;
            kill(pid, SIGKILL);
            wait4(pid, &status, 0, &usage);
            break;
        }
        if (while_running) while_running(pid);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    outcome.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    outcome.max_rss_kb = usage.ru_maxrss;
    if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
    outcome.out = read_whole(out_path);
    outcome.err = read_whole(err_path);
    std::remove(out_path.c_str());
    std::remove(err_path.c_str());
    return outcome;
}

}  // namespace ptest
