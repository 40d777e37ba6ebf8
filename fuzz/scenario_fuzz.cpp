// libFuzzer harness: the scenario loader. Any input either compiles or is refused with an
// InputError (exit 2 in the CLI); anything else (a crash, another exception, a leak, a
// sanitizer report, a hang) is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "pscenario/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        (void)pscenario::load_scenario_text(text, "fuzz.json");
    } catch (const pscenario::InputError&) {
        // Refused with a message: the expected outcome for most inputs.
    }
    return 0;
}
