#include "simulate_command.hpp"

#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "command_common.hpp"
#include "commands.hpp"
#include "interrupt.hpp"
#include "output_paths.hpp"
#include "pmodel/properties.hpp"
#include "pscenario/loader.hpp"
#include "psim/campaign.hpp"
#include "ptrace/trace.hpp"
#include "show_command.hpp"

namespace pcli {

namespace {

using nlohmann::json;

// The flags that need more than CLI11's checks; one message and false on the first bad one.
bool options_valid(const SimulateOptions& options, std::ostream& err) {
    std::optional<std::string> problem = unwritable_directory("--trace-out", options.trace_out);
    if (!problem && !options.report.empty()) problem = unwritable_file("--report", options.report);
    if (!problem && options.seed > any_count - (options.runs - 1)) {
        // Run i uses seed S+i: the last one must not wrap around to seed 0.
        problem = "--seed: " + std::to_string(options.seed) + " plus " +
                  std::to_string(options.runs) + " runs passes the largest seed, " +
                  std::to_string(any_count);
    }
    if (problem) err << "protocheck: " << *problem << '\n';
    return !problem;
}

psim::KeepTraces keep_of(const std::string& name) {
    if (name == "all") return psim::KeepTraces::all;
    if (name == "groups") return psim::KeepTraces::groups;
    return psim::KeepTraces::failing;
}

// One line, rewritten in place on a terminal: runs, rate, violations by property, time.
void print_progress(std::ostream& err, const psim::CampaignProgress& progress) {
    err << "\rprogress: " << progress.runs_done << "/" << progress.runs_total << " runs, "
        << static_cast<std::uint64_t>(
               progress.elapsed > 0 ? static_cast<double>(progress.runs_done) / progress.elapsed
                                    : 0.0)
        << " runs/s, ";
    if (progress.violating_runs.empty()) err << "no violation";
    for (std::size_t index = 0; index < progress.violating_runs.size(); ++index) {
        err << (index == 0 ? "" : ", ") << progress.violating_runs[index].first << " x"
            << progress.violating_runs[index].second;
    }
    err << ", " << static_cast<std::uint64_t>(progress.elapsed) << " s   " << std::flush;
}

const char* stop_name(psim::CampaignStop stop) {
    switch (stop) {
        case psim::CampaignStop::completed:
            return "completed";
        case psim::CampaignStop::first_violation:
            return "first_violation";
        case psim::CampaignStop::time_max:
            return "time_max";
        case psim::CampaignStop::interrupted:
            return "interrupted";
        case psim::CampaignStop::error:
            return "error";
    }
    return "?";
}

json groups_json(const psim::CampaignReport& report) {
    json groups = json::array();
    for (const psim::ViolationGroup& group : report.groups) {
        json entry = {{"property", group.property},
                      {"where", group.signature},
                      {"runs", group.runs},
                      {"first_seed", group.first_seed},
                      {"trace", group.trace}};
        if (!group.shrunk_trace.empty()) {
            entry["steps"] = group.steps;
            entry["shrunk_trace"] = group.shrunk_trace;
            entry["shrunk_steps"] = group.shrunk_steps;
        }
        groups.push_back(entry);
    }
    return groups;
}

json coverage_json(const psim::Coverage& coverage) {
    json counts = json::object();
    json never = json::array();
    for (std::size_t kind = 0; kind < psim::step_kind_count; ++kind) {
        counts[psim::step_kind_name(kind)] = coverage.steps[kind];
        if (coverage.steps[kind] == 0) never.push_back(psim::step_kind_name(kind));
    }
    return {{"steps_by_kind", counts}, {"never_ran", never}};
}

json properties_json(const psim::CampaignReport& report) {
    json properties = json::object();
    for (const pmodel::PropertyInfo& info : pmodel::property_catalogue()) {
        const std::string id(info.id);
        const auto found = report.properties.find(id);
        json entry = {{"status", !info.checked                      ? "not_checked"
                                 : found != report.properties.end() ? "violated"
                                                                    : "holds"}};
        if (found != report.properties.end()) {
            entry["violating_runs"] = found->second.violating_runs;
            entry["first_seed"] = found->second.first_seed;
        }
        properties[id] = entry;
    }
    return properties;
}

std::string verdict_of(const psim::CampaignReport& report) {
    if (report.runs_violating > 0 || !report.nondeterministic_seeds.empty()) return "violation";
    if (report.runs_incomplete > 0 || report.stop != psim::CampaignStop::completed) {
        return "incomplete";
    }
    return "pass";
}

json report_json(const SimulateOptions& options,
                 const pmodel::Scenario& scenario,
                 const psim::CampaignOptions& campaign,
                 const psim::CampaignReport& report) {
    json scheduler_runs = json::object();
    for (psim::Scheduler scheduler : psim::schedulers) {
        scheduler_runs[psim::scheduler_name(scheduler)] =
            report.runs_by_scheduler[static_cast<std::size_t>(scheduler)];
    }
    return {
        {"command", "simulate"},
        {"tool_version", tool_version},
        {"scenario", scenario.compiled->name},
        {"scenario_file", options.scenario},
        {"seed", options.seed},
        {"runs", options.runs},
        {"runs_finished", report.runs_finished},
        {"stop", stop_name(report.stop)},
        {"steps_max", options.steps_max},
        {"variants", ptrace::variants_json(campaign.variants)},
        {"faults", ptrace::faults_json(campaign.run.faults)},
        {"swarm", options.swarm},
        {"scheduler",
         options.scheduler.empty() ? (options.swarm ? "drawn" : "uniform") : options.scheduler},
        {"runs_by_scheduler", scheduler_runs},
        {"result", verdict_of(report)},
        {"runs_passed", report.runs_finished - report.runs_violating - report.runs_incomplete},
        {"runs_violating", report.runs_violating},
        {"runs_incomplete", report.runs_incomplete},
        {"runs_with_faults", report.runs_with_faults},
        {"steps_total", report.steps_total},
        {"events_total", report.delivered_total},
        {"properties", properties_json(report)},
        {"violation_groups", groups_json(report)},
        {"coverage", coverage_json(report.coverage)},
        {"application_deadlocks",
         {{"runs", report.runs_with_deadlock},
          {"first", report.first_deadlock ? json{{"seed", report.first_deadlock->first},
                                                 {"cycle", report.first_deadlock->second}}
                                          : json(nullptr)}}},
        {"outcomes", report.outcomes},
        {"traces", report.traces},
        {"traces_written", report.traces_written},
        {"determinism_checked", options.check_determinism},
        {"nondeterministic_seeds", report.nondeterministic_seeds},
    };
}

void print_outcomes(const SimulateOptions& options,
                    const psim::CampaignReport& report,
                    std::ostream& out) {
    if (report.first_run_outcomes.empty()) return;
    out << "outcomes of the run with seed " << report.first_run_seed << ":\n";
    for (const auto& [name, text] : report.first_run_outcomes) {
        out << "  " << name << ": " << text << '\n';
    }
    if (options.runs <= 1) return;
    out << "outcomes across all runs:\n";
    for (const auto& [name, counts] : report.outcomes) {
        for (const auto& [text, count] : counts) {
            out << "  " << name << ": " << text << " x" << count << '\n';
        }
    }
}

void print_properties(const psim::CampaignReport& report, std::ostream& out) {
    out << "properties:\n";
    for (const pmodel::PropertyInfo& info : pmodel::property_catalogue()) {
        const std::string id(info.id);
        const auto found = report.properties.find(id);
        out << "  " << id << ": ";
        if (!info.checked) {
            out << "not checked by this version\n";
        } else if (found != report.properties.end()) {
            out << "VIOLATED in " << found->second.violating_runs << " run(s), first with seed "
                << found->second.first_seed << '\n';
        } else {
            out << "holds in all " << report.runs_finished << " run(s)\n";
        }
    }
    if (report.groups.empty()) return;
    out << "violations by property and where they happened:\n";
    for (const psim::ViolationGroup& group : report.groups) {
        out << "  " << group.property << " at " << group.signature << ": " << group.runs
            << " run(s), first seed " << group.first_seed;
        if (!group.shrunk_trace.empty()) {
            out << ", " << group.steps << " steps shrunk to " << group.shrunk_steps << ": "
                << group.shrunk_trace;
        } else if (!group.trace.empty()) {
            out << ": " << group.trace;
        }
        out << '\n';
    }
}

void print_coverage(const psim::Coverage& coverage, std::ostream& out) {
    std::string never;
    for (std::size_t kind = 0; kind < psim::step_kind_count; ++kind) {
        if (coverage.steps[kind] == 0) never += std::string(" ") + psim::step_kind_name(kind);
    }
    out << "coverage: "
        << (psim::step_kind_count -
            static_cast<std::size_t>(std::count(coverage.steps.begin(), coverage.steps.end(), 0)))
        << " of " << psim::step_kind_count
        << " step kinds ran; never:" << (never.empty() ? " (none)" : never) << '\n';
}

void print_summary(const SimulateOptions& options,
                   const pmodel::Scenario& scenario,
                   const psim::CampaignReport& report,
                   std::ostream& out) {
    out << "protocheck simulate: "
        << (scenario.compiled->name.empty() ? options.scenario : scenario.compiled->name) << ", "
        << options.runs << " run(s) from seed " << options.seed << '\n';
    if (report.stop != psim::CampaignStop::completed) {
        out << "stopped (" << stop_name(report.stop) << ") after " << report.runs_finished
            << " run(s)\n";
    }
    print_outcomes(options, report, out);
    print_properties(report, out);
    out << "runs: " << (report.runs_finished - report.runs_violating - report.runs_incomplete)
        << " passed, " << report.runs_violating << " violating, " << report.runs_incomplete
        << " incomplete (--steps-max " << options.steps_max << ")\n";
    out << "application deadlocks (wait-for cycles, "
        << (options.strict ? "violations with --strict" : "reported only")
        << "): " << report.runs_with_deadlock << " run(s)";
    if (report.first_deadlock) out << ", first with seed " << report.first_deadlock->first;
    out << '\n';
    if (report.runs_with_faults > 0 || !options.faults.empty()) {
        out << "runs with an injected fault: " << report.runs_with_faults
            << " (EXPECT is checked on the " << report.runs_finished - report.runs_with_faults
            << " run(s) without one)\n";
    }
    out << "steps: " << report.steps_total << ", messages delivered: " << report.delivered_total
        << '\n';
    print_coverage(report.coverage, out);
    for (std::size_t index = 0; index < report.traces.size() && index < 5; ++index) {
        out << "trace written: " << report.traces[index] << '\n';
    }
    if (report.traces_written > 5) {
        out << "(" << report.traces_written - 5 << " more traces in " << options.trace_out << ")\n";
    }
    if (options.html && !report.traces.empty()) {
        out << "viewers written beside the failing traces (NAME.html)\n";
    }
}

psim::CampaignOptions campaign_options(const SimulateOptions& options,
                                       const pmodel::Scenario& scenario,
                                       const pcore::Variants& variants,
                                       const pmodel::FaultBudget& faults) {
    psim::CampaignOptions campaign;
    campaign.seed = options.seed;
    campaign.runs = options.runs;
    campaign.jobs = options.jobs;
    campaign.run.steps_max = options.steps_max;
    campaign.run.faults = faults;
    if (!options.scheduler.empty())
        campaign.run.scheduler = psim::parse_scheduler(options.scheduler);
    campaign.run.swarm = options.swarm;
    campaign.variants = variants;
    campaign.strict = options.strict;
    campaign.keep = keep_of(options.keep_traces);
    campaign.trace_dir = options.trace_out;
    campaign.trace_prefix = file_safe_name(scenario.compiled->name);
    campaign.stop_on_first = options.stop_on_first;
    campaign.time_max = options.time_max;
    campaign.check_determinism = options.check_determinism;
    if (options.html) {
        campaign.on_failing_trace = [](const std::string& trace) {
            (void)write_viewer_beside(trace);
        };
    }
    campaign.shrink = !options.no_shrink;
    campaign.tool_version = tool_version;
    return campaign;
}

// The timing line and the JSON report; false (and the message) when the report cannot be
// written.
bool print_timing_and_write_report(const SimulateOptions& options,
                                   const pmodel::Scenario& scenario,
                                   const psim::CampaignOptions& campaign,
                                   const psim::CampaignReport& report,
                                   std::ostream& err) {
    if (options.timing || !options.report.empty()) {
        err << "time: " << report.elapsed << " s, "
            << (report.elapsed > 0 ? static_cast<double>(report.runs_finished) / report.elapsed
                                   : 0.0)
            << " runs per second, "
            << (report.elapsed > 0 ? static_cast<double>(report.delivered_total) / report.elapsed
                                   : 0.0)
            << " messages delivered per second\n";
    }
    if (!options.report.empty()) {
        json document = report_json(options, scenario, campaign, report);
        if (options.timing) {
            document["timing"] = {
                {"elapsed_seconds", report.elapsed},
                {"runs_per_second", report.elapsed > 0
                                        ? static_cast<double>(report.runs_finished) / report.elapsed
                                        : 0.0},
                {"events_per_second",
                 report.elapsed > 0 ? static_cast<double>(report.delivered_total) / report.elapsed
                                    : 0.0}};
        }
        try {
            ptrace::write_json_atomic(options.report, document);
        } catch (const pscenario::InputError& write_error) {
            err << "protocheck: " << write_error.what() << '\n';
            return false;
        }
    }
    return true;
}

}  // namespace

int simulate(const SimulateOptions& options, std::ostream& out, std::ostream& err) {
    std::shared_ptr<const pmodel::Scenario> scenario;
    pcore::Variants variants;
    pmodel::FaultBudget faults;
    if (!load_inputs(options.scenario, options.variants, options.faults, scenario, variants, faults,
                     err)) {
        return exit_bad_input;
    }
    if (!options_valid(options, err)) return exit_bad_input;
    std::error_code error;
    std::filesystem::create_directories(options.trace_out, error);
    if (error) {
        err << "protocheck: --trace-out: cannot create directory " << options.trace_out << ": "
            << error.message() << '\n';
        return exit_bad_input;
    }
    psim::CampaignOptions campaign = campaign_options(options, *scenario, variants, faults);
    const double progress_every =
        options.progress >= 0 ? options.progress : (isatty(STDERR_FILENO) != 0 ? 1.0 : 0.0);
    bool progress_shown = false;
    if (progress_every > 0) {
        campaign.progress_every = progress_every;
        campaign.on_progress = [&](const psim::CampaignProgress& progress) {
            print_progress(err, progress);
            progress_shown = true;
        };
    }
    psim::CampaignReport report;
    {
        const InterruptWatch interrupts;
        campaign.interrupt = &InterruptWatch::requested();
        report = psim::run_campaign(scenario, campaign);
    }
    if (progress_shown) err << '\n';
    if (report.stop == psim::CampaignStop::error) {
        err << "protocheck: " << report.error << '\n';
        return exit_bad_input;
    }
    print_summary(options, *scenario, report, out);
    for (std::uint64_t seed : report.nondeterministic_seeds) {
        err << "protocheck: internal error: seed " << seed
            << " did not reproduce (nondeterminism); please report it\n";
    }
    if (!print_timing_and_write_report(options, *scenario, campaign, report, err)) {
        return exit_bad_input;
    }
    const std::string verdict = verdict_of(report);
    if (verdict == "violation") return exit_violation;
    if (verdict == "incomplete") return exit_incomplete;
    return exit_ok;
}

CLI::App* add_simulate_command(CLI::App& app, SimulateOptions& options) {
    CLI::App* command =
        app.add_subcommand("simulate", "random simulation campaign: N runs from seed S");
    command->add_option("SCENARIO", options.scenario, "scenario file (JSON)")->required();
    command->add_option("--seed", options.seed, "first seed; run i uses seed S+i")
        ->capture_default_str()
        ->check(whole_number(0, any_count));
    command->add_option("--runs", options.runs, "number of runs")
        ->capture_default_str()
        ->check(whole_number(1, 10'000'000'000ull));
    command
        ->add_option("--jobs", options.jobs,
                     "runs in parallel threads (the report is the same for any number)")
        ->capture_default_str()
        ->check(whole_number(1, 256));
    command
        ->add_option("--steps-max", options.steps_max,
                     "steps per run before it counts as incomplete")
        ->capture_default_str()
        ->check(whole_number(1, any_count));
    command->add_option("--faults", options.faults, "crash:K,cancel:K,signal:K (default: none)");
    command->add_option("--variant", options.variants, "design variant K=V (repeatable)");
    command
        ->add_option("--scheduler", options.scheduler,
                     "uniform (timed events), pct (priority change points) or late-control "
                     "(control messages arrive late); default uniform, or drawn per run with "
                     "--swarm")
        ->check(CLI::IsMember({"uniform", "pct", "late-control"}));
    command->add_flag("--swarm", options.swarm,
                      "each run draws its fault budget (0 to each --faults count, 0 to 1 without "
                      "--faults) and, unless --scheduler is given, its scheduler from its seed");
    command->add_option("--trace-out", options.trace_out, "directory for traces of failing runs")
        ->capture_default_str();
    command->add_option("--report", options.report, "write the summary as JSON");
    command
        ->add_option("--keep-traces", options.keep_traces,
                     "failing (every failing run), groups (the first seed of each violation "
                     "group) or all")
        ->capture_default_str()
        ->check(CLI::IsMember({"failing", "groups", "all"}));
    command->add_flag("--stop-on-first", options.stop_on_first, "stop at the first violation");
    command
        ->add_option("--time-max", options.time_max,
                     "stop after this many seconds (exit 3 unless a violation was found)")
        ->check(seconds_in(0.001, 1e9));
    command->add_flag("--check-determinism", options.check_determinism,
                      "run every seed twice and compare every step's state fingerprint");
    command->add_flag("--no-shrink", options.no_shrink,
                      "do not shrink each violation group's first trace at the end");
    command->add_flag("--html", options.html,
                      "write the HTML viewer beside every failing trace (NAME.html)");
    command
        ->add_option("--progress", options.progress,
                     "seconds between progress updates on stderr (0: none; default: 1 when "
                     "stderr is a terminal)")
        ->check(seconds_in(0, 1e9));
    command->add_flag("--timing", options.timing, "add wall-clock figures to the report");
    command->add_flag("--strict", options.strict, "application deadlocks count as violations");
    command->footer(std::string(exit_codes_help) +
                    " A run that hits --steps-max is incomplete. SIGINT or SIGTERM stops the "
                    "campaign after the runs in progress, writes the report of the runs finished "
                    "(every trace found so far is already on disk) and exits 3 (1 if a violation "
                    "was found).\n\nExamples:\n  protocheck simulate scenarios/chain.json --runs "
                    "1000 --seed 7 --faults crash:1\n  protocheck simulate scenarios/chain.json "
                    "--runs 1000000 --jobs 2 --swarm --faults crash:1,cancel:1 --keep-traces "
                    "groups");
    return command;
}

}  // namespace pcli
