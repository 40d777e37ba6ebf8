// libFuzzer harness: the command line. The input is split at newlines into arguments; every
// parse ends in an exit code with a message, never a crash or an escaped exception. Inputs
// that name an existing path are skipped: this harness is about parsing flags, not about
// running searches on the files of the machine.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> args = {"protocheck"};
    std::stringstream lines(text);
    std::string line;
    while (std::getline(lines, line) && args.size() < 24) {
        std::error_code error;
        if (!line.empty() && std::filesystem::exists(line, error)) return 0;
        args.push_back(line);
    }
    std::ostringstream out;
    std::ostringstream err;
    const int code = pcli::run_cli(args, out, err);
    if (code < 0 || code > 3) __builtin_trap();  // the contract's exit codes only
    return 0;
}
