#include "commands.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "breakdown_output.hpp"
#include "command_common.hpp"
#include "export_command.hpp"
#include "interrupt.hpp"
#include "output_paths.hpp"
#include "pcheck/checker.hpp"
#include "pcheck/checkpoint.hpp"
#include "pcheck/symmetry.hpp"
#include "pmodel/properties.hpp"
#include "pmodel/variant_names.hpp"
#include "prove_command.hpp"
#include "pscenario/loader.hpp"
#include "psim/simulator.hpp"
#include "ptrace/trace.hpp"
#include "show_command.hpp"
#include "shrink_command.hpp"
#include "simulate_command.hpp"

namespace pcli {

namespace {

using nlohmann::json;

struct CheckCommandOptions {
    std::string scenario;
    unsigned threads = 1;
    std::uint64_t max_states = 0;
    std::uint32_t max_depth = 0;
    std::uint64_t max_memory = 0;
    std::string faults;
    std::vector<std::string> variants;
    std::string trace_out = "protocheck-counterexample.json";
    std::string report;
    bool strict = false;
    bool html = false;  // the viewer beside the counterexample
    bool partial_order = false;
    bool symmetry = false;
    bool keep_dead_fields = false;  // the key keeps every field (no dead-field merging)
    std::uint64_t breakdown = 0;    // states the breakdown looks at; 0: none
    // Seconds between progress lines on stderr; 0: none. Unset (< 0): every 10 s when stderr is
    // a terminal (contract §3).
    double progress = -1;
    std::string checkpoint;  // directory for checkpoints; empty: none
    double checkpoint_every = 600;
    std::string resume;  // checkpoint directory to go on from
};

// check --html: the viewer beside the counterexample. The verdict stands when it cannot be
// written (the trace is there): the message says so, the exit code stays the verdict's.
void write_check_viewer(const std::string& trace, std::ostream& out, std::ostream& err) {
    try {
        out << "viewer written: " << write_viewer_beside(trace) << '\n';
    } catch (const pscenario::InputError& error) {
        err << "protocheck: --html: " << error.what() << '\n';
    }
}

// What a checkpoint must carry for `check --resume DIR` to run the same search: the scenario
// itself and every option that shapes the state space.
json checkpoint_header(const pmodel::Scenario& scenario,
                       const CheckCommandOptions& options,
                       const pcheck::CheckOptions& check) {
    return {{"scenario", json::parse(scenario.source_text)},
            {"scenario_file", options.scenario},
            {"variants", ptrace::variants_json(check.variants)},
            {"faults", ptrace::faults_json(check.faults)},
            {"strict", options.strict},
            {"por", options.partial_order},
            {"symmetry", options.symmetry},
            {"dead_fields", !options.keep_dead_fields},
            {"max_depth", options.max_depth}};
}

// `check --resume DIR`: the scenario and the search's shape from the checkpoint's header.
bool load_resumed(CheckCommandOptions& options,
                  std::shared_ptr<const pmodel::Scenario>& scenario,
                  pcheck::CheckOptions& check,
                  std::ostream& err) {
    const std::string commit = options.resume + "/checkpoint.json";
    try {
        const json header = json::parse(pcheck::read_checkpoint_header(options.resume));
        scenario = pscenario::load_scenario_text(header.at("scenario").dump(), commit,
                                                 "$.header.scenario");
        options.scenario = header.at("scenario_file").get<std::string>();
        for (auto it = header.at("variants").begin(); it != header.at("variants").end(); ++it) {
            if (auto problem = pmodel::set_variant(
                    check.variants, it.key() + "=" + it.value().get<std::string>())) {
                err << "protocheck: " << commit << ": $.header.variants: " << *problem << '\n';
                return false;
            }
        }
        for (pcore::FaultKind kind : pmodel::fault_kinds) {
            const json& count = header.at("faults").at(pmodel::fault_name(kind));
            if (!count.is_number_unsigned() || count.get<std::uint64_t>() > 999999) {
                err << "protocheck: " << commit << ": $.header.faults: expected counts from 0 to "
                    << "999999\n";
                return false;
            }
            check.faults.of(kind) = count.get<std::uint32_t>();
        }
        options.strict = header.at("strict").get<bool>();
        options.partial_order = header.at("por").get<bool>();
        options.symmetry = header.at("symmetry").get<bool>();
        // Checkpoints written before dead fields were merged searched with every field.
        options.keep_dead_fields =
            !header.contains("dead_fields") || !header.at("dead_fields").get<bool>();
        const json& depth = header.at("max_depth");
        if (!depth.is_number_unsigned() || depth.get<std::uint64_t>() > UINT32_MAX) {
            err << "protocheck: " << commit << ": $.header.max_depth: expected 0 to 4294967295\n";
            return false;
        }
        options.max_depth = depth.get<std::uint32_t>();
    } catch (const pcheck::CheckpointError& error) {
        err << "protocheck: --resume: " << error.what() << '\n';
        return false;
    } catch (const pscenario::InputError& error) {
        err << "protocheck: --resume: " << error.what() << '\n';
        return false;
    } catch (const json::exception& error) {
        err << "protocheck: --resume: " << commit << ": $.header: " << error.what() << '\n';
        return false;
    }
    return true;
}

// Every output checked before the search starts; the checkpoint directory made if missing.
bool outputs_ready(const CheckCommandOptions& options, std::ostream& err) {
    std::optional<std::string> problem = unwritable_file("--trace-out", options.trace_out);
    if (!problem && !options.report.empty()) problem = unwritable_file("--report", options.report);
    const std::string& dir = options.checkpoint;
    if (!problem && !dir.empty()) {
        problem = unwritable_directory("--checkpoint", dir);
        std::error_code error;
        if (!problem && options.resume.empty() &&
            std::filesystem::exists(std::filesystem::path(dir) / "checkpoint.json", error)) {
            problem = "--checkpoint: " + dir +
                      " already holds a checkpoint: go on from it with --resume " + dir +
                      ", or remove it";
        }
        if (!problem) std::filesystem::create_directories(dir, error);
        if (!problem && error) problem = "--checkpoint: " + dir + ": " + error.message();
    }
    if (problem) err << "protocheck: " << *problem << '\n';
    return !problem;
}

// A counterexample as a run, so that it is written in the trace format replay reads.
psim::RunResult counterexample_run(const std::shared_ptr<const pmodel::Scenario>& scenario,
                                   const pcheck::CheckOptions& options,
                                   const pcheck::CheckResult& result) {
    ptrace::RecordedRun recorded(scenario, options.variants, options.faults);
    for (const pmodel::Action& action : result.counterexample) recorded.take(action);
    psim::RunResult run = recorded.finish();
    if (run.violations.empty() && result.violation) run.violations.push_back(*result.violation);
    return run;
}

int check_command_run(CheckCommandOptions options, std::ostream& out, std::ostream& err) {
    std::shared_ptr<const pmodel::Scenario> scenario;
    pcheck::CheckOptions check;
    if (!options.resume.empty()) {
        if (!load_resumed(options, scenario, check, err)) return exit_bad_input;
        if (options.checkpoint.empty()) options.checkpoint = options.resume;
        if (options.checkpoint != options.resume) {
            err << "protocheck: --checkpoint: a resumed check goes on writing into the directory "
                   "it resumed from, "
                << options.resume << '\n';
            return exit_bad_input;
        }
        check.resume = true;
    } else if (!load_inputs(options.scenario, options.variants, options.faults, scenario,
                            check.variants, check.faults, err)) {
        return exit_bad_input;
    }
    if (!outputs_ready(options, err)) return exit_bad_input;
    if (options.threads == 0 || options.threads > 256) {
        err << "protocheck: --threads: expected 1 to 256, found " << options.threads << '\n';
        return exit_bad_input;
    }
    check.threads = options.threads;
    check.max_states = options.max_states;
    check.max_depth = options.max_depth;
    check.max_memory = options.max_memory;
    check.strict = options.strict;
    if (options.partial_order && options.symmetry) {
        err << "protocheck: --por and --symmetry: expected one of them (their combination is not "
               "proven sound here yet)\n";
        return exit_bad_input;
    }
    if (options.partial_order && options.max_depth != 0) {
        err << "protocheck: --por and --max-depth: expected one of them (a reduced search reaches "
               "states by longer paths, so it cannot vouch for every path up to a depth)\n";
        return exit_bad_input;
    }
    if (options.partial_order && scenario->host_priority) {
        err << "protocheck: --por: " << options.scenario
            << ": \"host_priority\" is true, expected a scenario without it (the host's "
               "priority disables other actions when it can act, and persistent subsets "
               "assume no action outside them disables one inside)\n";
        return exit_bad_input;
    }
    check.partial_order = options.partial_order;
    check.symmetry = options.symmetry;
    check.dead_fields = !options.keep_dead_fields;
    std::error_code no_temp;
    check.scratch_dir = std::filesystem::temp_directory_path(no_temp).string();
    if (no_temp) check.scratch_dir = "/tmp";
    check.checkpoint_dir = options.checkpoint;
    check.checkpoint_seconds = options.checkpoint_every;
    if (!options.checkpoint.empty()) {
        check.checkpoint_header = checkpoint_header(*scenario, options, check).dump();
    }
    const double progress_seconds =
        options.progress >= 0 ? options.progress : (isatty(STDERR_FILENO) != 0 ? 10.0 : 0.0);
    if (progress_seconds > 0) {
        check.progress_seconds = progress_seconds;
        check.progress = [&err](const pcheck::Progress& progress) {
            err << "progress: depth " << progress.depth << ", " << progress.states << " states, "
                << progress.transitions << " transitions, " << progress.next_layer << " to expand, "
                << progress.seconds << " s, " << progress.resident_bytes / 1000000 << " MB resident"
                << std::endl;
        };
    }

    pcheck::CheckResult result;
    {
        const InterruptWatch interrupts;
        check.interrupt = &InterruptWatch::requested();
        try {
            result = pcheck::check(scenario, check);
        } catch (const pcheck::CheckpointError& error) {
            err << "protocheck: --resume: " << error.what() << '\n';
            return exit_bad_input;
        } catch (const std::length_error& error) {
            if (options.resume.empty()) {
                err << "protocheck check: out of memory outside the search's layers, no report ("
                    << error.what() << ")\n";
                return exit_incomplete;
            }
            // A damaged checkpoint's counters sized a table: refused, not an abort.
            err << "protocheck: --resume: " << options.resume << ": damaged checkpoint ("
                << error.what() << ")\n";
            return exit_bad_input;
        } catch (const std::bad_alloc&) {
            if (options.resume.empty()) {
                err << "protocheck check: out of memory outside the search's layers, no report\n";
                return exit_incomplete;
            }
            err << "protocheck: --resume: " << options.resume
                << ": the checkpoint's counters need more memory than there is (damaged?)\n";
            return exit_bad_input;
        }
        if (result.stop_reason == "interrupted") {
            result.stop_reason +=
                InterruptWatch::signal_number() == SIGTERM ? " by SIGTERM" : " by SIGINT";
        }
    }
    const std::string name =
        scenario->compiled->name.empty() ? options.scenario : scenario->compiled->name;
    const double rate =
        result.seconds > 0 ? static_cast<double>(result.states) / result.seconds : 0.0;
    // TLC's "states generated": every successor computed, visited before or not (one per
    // transition). Peers' published rates are of this kind; `rate` counts distinct states.
    const double generated_rate =
        result.seconds > 0 ? static_cast<double>(result.transitions) / result.seconds : 0.0;
    const double bytes_per_state = result.states > 0 ? static_cast<double>(result.visited_bytes) /
                                                           static_cast<double>(result.states)
                                                     : 0.0;
    out << "protocheck check: " << name << '\n';
    out << "states: " << result.states << ", transitions: " << result.transitions
        << ", depth: " << result.depth << ", terminal states: " << result.terminal_states << '\n';
    out << "visited set: " << result.visited_bytes << " bytes (" << bytes_per_state
        << " per state), fingerprint collision probability " << result.collision_probability
        << '\n';
    if (result.peak_frontier_bytes_states > 0) {
        out << "memory: the largest layer took " << result.peak_frontier_bytes << " bytes for "
            << result.peak_frontier_bytes_states << " states ("
            << static_cast<double>(result.peak_frontier_bytes) /
                   static_cast<double>(result.peak_frontier_bytes_states)
            << " per state)";
        // Peak resident memory is this process's: a resumed run's states began in another.
        if (result.peak_resident_bytes > 0) {
            out << "; peak resident " << result.peak_resident_bytes << " bytes";
            if (!check.resume && result.states > 0) {
                out << " ("
                    << static_cast<double>(result.peak_resident_bytes) /
                           static_cast<double>(result.states)
                    << " per visited state)";
            }
        }
        out << '\n';
    }
    out << "application deadlocks (wait-for cycles, "
        << (options.strict ? "violations with --strict" : "reported only")
        << "): " << result.deadlock_states << " terminal state(s)";
    if (result.first_deadlock) out << ", e.g. " << result.first_deadlock->detail;
    out << '\n';
    const bool symmetric = options.symmetry && pcheck::symmetry_allowed(*scenario);
    if (options.symmetry) {
        out << "symmetry reduction: "
            << (symmetric ? "states equal up to a renaming of interchangeable components count once"
                          : "not applied (the scenario has a cancel statement: names resolve in "
                            "spawn order)")
            << '\n';
    }
    if (check.dead_fields && !symmetric) {
        out << "dead fields: states equal but for bookkeeping no later step reads count once "
               "(--keep-dead-fields: off)\n";
    }
    if (options.partial_order) {
        out << "partial-order reduction: " << result.reduced_states
            << " state(s) expanded with a persistent subset of their actions ("
            << result.persistent_subsets
            << " had one; the cycle proviso expanded the others in full)\n";
    }
    err << "time: " << result.seconds << " s, " << rate << " distinct states per second, "
        << generated_rate << " generated states per second\n";

    json properties = json::object();
    out << "properties:\n";
    for (const pmodel::PropertyInfo& info : pmodel::property_catalogue()) {
        const std::string id(info.id);
        std::string status = "holds";
        if (result.violation && result.violation->property == id) {
            status = "violated";
        } else if (result.verdict != pcheck::Verdict::pass) {
            // The search stopped before the whole space: judged on every path up to the depth
            // it completed, unknown beyond.
            status = "bounded";
        }
        out << "  " << id << ": "
            << (status == "bounded" ? "no violation up to depth " + std::to_string(result.depth)
                                    : status)
            << '\n';
        properties[id] = {{"status", status}};
        if (status == "bounded") properties[id]["depth"] = result.depth;
    }

    json breakdown = nullptr;
    if (options.breakdown > 0) {
        breakdown = print_breakdown(
            pcheck::breakdown(scenario, check.variants, check.faults, options.breakdown), out);
    }

    std::string trace_written;
    if (result.verdict == pcheck::Verdict::violation) {
        out << "VIOLATION of " << result.violation->property << ": " << result.violation->detail
            << '\n';
        out << (options.partial_order ? "counterexample (reduced search, may not be shortest): "
                                      : "shortest counterexample: ")
            << result.counterexample.size() << " step(s)\n";
        const psim::RunResult counterexample = counterexample_run(scenario, check, result);
        // The same last state may break more properties: name them (a bug often breaks several).
        for (const pmodel::Violation& also : counterexample.violations) {
            if (also.property == result.violation->property) continue;
            out << "also violated in the same state: " << also.property << ": " << also.detail
                << '\n';
        }
        try {
            ptrace::write_json_atomic(
                options.trace_out,
                ptrace::make_trace(*scenario, check.variants, check.faults, std::nullopt, "check",
                                   counterexample, tool_version));
            trace_written = options.trace_out;
            out << "trace written: " << options.trace_out << '\n';
            if (options.html) write_check_viewer(options.trace_out, out, err);
        } catch (const pscenario::InputError& error) {
            err << "protocheck: " << error.what() << '\n';
            return exit_bad_input;
        }
    } else if (result.verdict == pcheck::Verdict::incomplete) {
        out << "INCOMPLETE: " << result.stop_reason << " after " << result.states
            << " states; no violation up to depth " << result.depth << '\n';
        if (result.checkpoints > 0) {
            out << "checkpoint written: " << options.checkpoint
                << " (go on with: protocheck check --resume " << options.checkpoint << ")\n";
        }
    } else {
        out << "every property holds in all " << result.states << " reachable states\n";
    }
    if (!options.report.empty()) {
        const char* verdict = result.verdict == pcheck::Verdict::pass        ? "pass"
                              : result.verdict == pcheck::Verdict::violation ? "violation"
                                                                             : "incomplete";
        json report = {
            {"command", "check"},
            {"tool_version", tool_version},
            {"scenario", scenario->compiled->name},
            {"scenario_file", options.scenario},
            {"variants", ptrace::variants_json(check.variants)},
            {"faults", ptrace::faults_json(check.faults)},
            {"threads", options.threads},
            {"result", verdict},
            {"stop_reason", result.stop_reason},
            {"states", result.states},
            {"transitions", result.transitions},
            {"depth", result.depth},
            {"terminal_states", result.terminal_states},
            {"deadlock_states", result.deadlock_states},
            {"seconds", result.seconds},
            {"states_per_second", rate},
            {"generated_states_per_second", generated_rate},
            {"bytes_per_state", bytes_per_state},
            {"visited_set_bytes", result.visited_bytes},
            {"peak_frontier_states", result.peak_frontier},
            {"peak_frontier_bytes", result.peak_frontier_bytes},
            {"peak_frontier_bytes_states", result.peak_frontier_bytes_states},
            {"peak_resident_bytes", result.peak_resident_bytes},
            {"distinct_component_states", result.distinct_slots},
            {"memoised_steps", result.memoised_steps},
            {"partial_order_reduction", options.partial_order},
            {"reduced_states", result.reduced_states},
            {"persistent_subset_states", result.persistent_subsets},
            {"symmetry_reduction", symmetric},
            {"dead_field_reduction", check.dead_fields && !symmetric},
            {"breakdown", breakdown},
            {"fingerprint_collision_probability", result.collision_probability},
            {"properties", properties},
            {"counterexample_steps", result.counterexample.size()},
            {"trace", trace_written},
            {"resumed", !options.resume.empty()},
            {"checkpoint", options.checkpoint},
            {"checkpoints_written", result.checkpoints},
        };
        try {
            ptrace::write_json_atomic(options.report, report);
        } catch (const pscenario::InputError& error) {
            err << "protocheck: " << error.what() << '\n';
            return exit_bad_input;
        }
    }
    if (result.verdict == pcheck::Verdict::violation) return exit_violation;
    if (result.verdict == pcheck::Verdict::incomplete) return exit_incomplete;
    return exit_ok;
}

int replay(const std::string& path, bool verbose, std::ostream& out, std::ostream& err) {
    ptrace::ReplayResult result;
    try {
        result = ptrace::replay_file(path);
    } catch (const pscenario::InputError& error) {
        err << "protocheck: " << error.what() << '\n';
        return exit_bad_input;
    } catch (const nlohmann::json::exception& error) {
        // A field of a shape the reader did not check: still bad input, never an abort.
        err << "protocheck: " << path << ": malformed trace: " << error.what() << '\n';
        return exit_bad_input;
    }
    if (verbose) {
        for (const std::string& line : result.log) out << line << '\n';
    }
    (result.diverged ? err : out) << "protocheck replay: " << path << ": " << result.message
                                  << '\n';
    return result.exit_code;
}

void list_variants(std::ostream& out) {
    for (const pmodel::VariantInfo& info : pmodel::variant_catalogue()) {
        out << info.key << " = ";
        for (std::size_t index = 0; index < info.values.size(); ++index) {
            out << (index == 0 ? "" : " | ") << info.values[index]
                << (index == 0 ? " (default)" : "");
        }
        out << "\n    the alternatives show " << info.alternative_shows << "; expected to break "
            << info.breaks << '\n';
    }
}

void list_properties(std::ostream& out) {
    for (const pmodel::PropertyInfo& info : pmodel::property_catalogue()) {
        out << info.id << (info.checked ? "" : " [not checked yet]") << ": " << info.statement
            << '\n';
    }
}

// The commands this version has (every command of contract §3).
constexpr std::array<const char*, 9> known_commands = {
    "simulate", "check", "replay", "shrink", "export", "show", "prove", "variants", "properties"};

// A first argument that names no command: one message, before CLI11 words it as "A subcommand
// is required" or "arguments were not expected".
std::optional<std::string> unknown_command(const std::vector<std::string>& args) {
    if (args.size() < 2 || args[1].empty() || args[1][0] == '-') return std::nullopt;
    const std::string& name = args[1];
    for (const char* known : known_commands) {
        if (name == known) return std::nullopt;
    }
    std::string list;
    for (const char* known : known_commands)
        list += (list.empty() ? "" : ", ") + std::string(known);
    return "unknown command \"" + name + "\" (expected one of: " + list + ")";
}

void add_checkpoint_flags(CLI::App& command, CheckCommandOptions& options, CLI::Option& scenario) {
    command
        .add_option("--checkpoint", options.checkpoint,
                    "write the search state into this directory after a layer, every "
                    "--checkpoint-every seconds and when interrupted")
        ->type_name("DIR");
    command
        .add_option("--checkpoint-every", options.checkpoint_every,
                    "seconds between checkpoints (0: after every layer)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1e9))
        ->check(CLI::Validator(
            [](std::string& text) -> std::string {
                // CLI::Range lets "nan" through, which would turn checkpoints off.
                return std::isfinite(std::strtod(text.c_str(), nullptr))
                           ? ""
                           : "expected a number of seconds, found \"" + text + "\"";
            },
            "SECONDS"));
    CLI::Option* resume =
        command
            .add_option("--resume", options.resume,
                        "go on from the checkpoint in this directory (the scenario, variants, "
                        "faults, reductions and --strict/--max-depth come from it)")
            ->type_name("DIR");
    // A resumed search is the checkpoint's: what shapes its state space comes from there.
    resume->excludes(&scenario);
    for (const char* shaped : {"--faults", "--variant", "--strict", "--por", "--symmetry",
                               "--keep-dead-fields", "--max-depth"}) {
        resume->excludes(command.get_option(shaped));
    }
}

// `check`'s flags.
CLI::App* add_check_command(CLI::App& app, CheckCommandOptions& options) {
    CLI::App* command = app.add_subcommand(
        "check", "exhaustive exploration of every interleaving; shortest counterexample");
    CLI::Option* scenario =
        command->add_option("SCENARIO", options.scenario, "scenario file (JSON)");
    command->add_option("--threads", options.threads, "worker threads")
        ->capture_default_str()
        ->check(whole_number(1, 256));
    command
        ->add_option("--max-states", options.max_states,
                     "stop (exit 3) after this many states (0: no bound)")
        ->capture_default_str()
        ->check(whole_number(0, any_count));
    command
        ->add_option("--max-depth", options.max_depth,
                     "check every path of up to this many steps, then stop (exit 3; 0: no "
                     "bound)")
        ->capture_default_str()
        ->check(whole_number(0, std::numeric_limits<std::uint32_t>::max()));
    command
        ->add_option("--max-memory", options.max_memory,
                     "stop (exit 3) when resident memory reaches this many bytes (0: no bound)")
        ->capture_default_str()
        ->check(whole_number(0, any_count));
    command->add_option("--faults", options.faults, "crash:K,cancel:K,signal:K (default: none)");
    command->add_option("--variant", options.variants, "design variant K=V (repeatable)");
    command->add_option("--trace-out", options.trace_out, "file for the counterexample trace")
        ->capture_default_str();
    command->add_option("--report", options.report, "write the summary as JSON");
    command
        ->add_option("--progress", options.progress,
                     "seconds between progress lines on stderr (0: none; default: 10 when "
                     "stderr is a terminal)")
        ->check(seconds_in(0, 1e9));
    command->add_flag("--strict", options.strict, "application deadlocks count as violations");
    command->add_flag("--html", options.html,
                      "write the HTML viewer beside the counterexample (TRACE with .html)");
    command->add_flag("--por", options.partial_order,
                      "partial-order reduction: from each state, only the actions of components "
                      "the others cannot interfere with before they move (same verdicts, fewer "
                      "states; counterexamples may not be shortest)");
    command->add_flag("--symmetry", options.symmetry,
                      "symmetry reduction: states equal up to a renaming of interchangeable "
                      "components (same definition, never interacting) count once");
    command->add_flag("--keep-dead-fields", options.keep_dead_fields,
                      "count states that differ only in bookkeeping no later step reads apart "
                      "(by default they count once: same verdicts, fewer states)");
    command
        ->add_option(
            "--breakdown", options.breakdown,
            "after the search, count for each field of a component's state how many of "
            "the first STATES states reached differ from another only there, with new "
            "states per layer and per action kind (docs/checker.md); at most 5000000, about 0.5 KB "
            "of memory a state")
        ->type_name("STATES")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{5000000}));  // ~0.5 KB a state
    add_checkpoint_flags(*command, options, *scenario);
    command->footer(std::string(exit_codes_help) +
                    " SIGINT or SIGTERM stops the search (at the layer's end with --checkpoint), "
                    "writes the report of what it covered and exits 3; a second one ends it at "
                    "once.\n\nExamples:\n  protocheck check scenarios/chain.json --faults "
                    "crash:1 --report r.json\n  protocheck check scenarios/chain.json "
                    "--checkpoint ckpt   (then, after an interrupt: protocheck check --resume "
                    "ckpt)");
    return command;
}

}  // namespace

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    if (auto problem = unknown_command(args)) {
        err << "protocheck: " << *problem << "\n(run protocheck --help for usage)\n";
        return exit_bad_input;
    }
    CLI::App app{
        "protocheck: proves and tests the runtime protocols of a component/channel runtime"};
    app.require_subcommand(1);
    app.footer(std::string(exit_codes_help) +
               "\n\nExample: protocheck check scenarios/chain.json --faults crash:1");
    app.set_version_flag("--version", tool_version);

    SimulateOptions simulate_options;
    CLI::App* simulate_command = add_simulate_command(app, simulate_options);
    CheckCommandOptions check_options;
    CLI::App* check_command = add_check_command(app, check_options);
    ShrinkOptions shrink_options;
    CLI::App* shrink_command = add_shrink_command(app, shrink_options);
    ShowOptions show_options;
    CLI::App* show_command = add_show_command(app, show_options);
    ExportOptions export_options;
    CLI::App* export_command = add_export_command(app, export_options);
    ProveOptions prove_options;
    CLI::App* prove_command = add_prove_command(app, prove_options);

    std::string trace_path;
    bool verbose = false;
    CLI::App* replay_command =
        app.add_subcommand("replay", "re-run a trace and verify every fingerprint");
    replay_command->add_option("TRACE", trace_path, "trace file (JSON)")->required();
    replay_command->add_flag("--verbose", verbose, "print every step");
    replay_command->footer(
        "Exit codes: 0 the trace reproduces as recorded, every fingerprint and outcome, and its "
        "recorded violation if it has one (the message says which); 1 it diverged (the message "
        "names the first step that differs); 2 bad usage or a malformed trace.\n\n"
        "Example: protocheck replay traces/corpus/chain-seed-1.json --verbose");

    CLI::App* variants_command = app.add_subcommand("variants", "list the design variants");
    CLI::App* properties_command = app.add_subcommand("properties", "list the property ids");

    std::vector<std::string> reversed(args.rbegin(), args.rend() - 1);
    try {
        app.parse(reversed);
    } catch (const CLI::CallForHelp&) {
        out << app.help();
        return exit_ok;
    } catch (const CLI::CallForAllHelp&) {
        out << app.help("", CLI::AppFormatMode::All);
        return exit_ok;
    } catch (const CLI::CallForVersion&) {
        out << tool_version << '\n';
        return exit_ok;
    } catch (const CLI::ParseError& error) {
        // A subcommand's --help arrives here with exit code 0.
        if (error.get_exit_code() == 0) {
            for (CLI::App* sub : app.get_subcommands()) {
                out << sub->help();
                return exit_ok;
            }
            out << app.help();
            return exit_ok;
        }
        err << "protocheck: " << error.what() << "\n(run protocheck --help for usage)\n";
        return exit_bad_input;
    }
    if (simulate_command->parsed()) return simulate(simulate_options, out, err);
    if (replay_command->parsed()) return replay(trace_path, verbose, out, err);
    if (shrink_command->parsed()) return shrink(shrink_options, out, err);
    if (show_command->parsed()) return show(show_options, out, err);
    if (export_command->parsed()) return export_graph(export_options, out, err);
    if (prove_command->parsed()) return prove(prove_options, out, err);
    if (check_command->parsed()) {
        if (check_options.scenario.empty() && check_options.resume.empty()) {
            err << "protocheck: check: expected a SCENARIO file, or --resume DIR\n(run protocheck "
                   "check --help for usage)\n";
            return exit_bad_input;
        }
        return check_command_run(check_options, out, err);
    }
    if (variants_command->parsed()) {
        list_variants(out);
        return exit_ok;
    }
    if (properties_command->parsed()) {
        list_properties(out);
        return exit_ok;
    }
    return exit_bad_input;
}

}  // namespace pcli
