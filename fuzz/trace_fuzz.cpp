// libFuzzer harness: the trace reader and replay. Any input either replays (reproduced or
// diverged) or is refused with an InputError; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "pscenario/loader.hpp"
#include "ptrace/trace.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        (void)ptrace::replay_text(text, "fuzz-trace.json");
    } catch (const pscenario::InputError&) {
        // Refused with a message.
    }
    return 0;
}
