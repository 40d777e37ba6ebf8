#include "prove_command.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "command_common.hpp"
#include "commands.hpp"
#include "output_paths.hpp"
#include "pmodel/properties.hpp"
#include "pmodel/variant_names.hpp"
#include "psmt/conformance.hpp"
#include "psmt/prover.hpp"
#include "ptrace/trace.hpp"

namespace pcli {

namespace {

using nlohmann::json;

std::string seconds_text(double seconds) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3f s", seconds);
    return buffer;
}

std::string padded(std::string text, std::size_t width) {
    if (text.size() < width) text.append(width - text.size(), ' ');
    return text;
}

void print_property(const psmt::PropertyResult& result, std::ostream& out) {
    out << result.id << "  " << psmt::verdict_name(result.verdict) << "  "
        << seconds_text(result.seconds) << "  (" << result.protocol << ")\n";
    out << "  " << result.words << '\n';
    out << "  inductive invariant:";
    for (const std::string& name : result.invariants) out << ' ' << name;
    out << '\n';
    for (const psmt::QueryResult& query : result.queries) {
        const std::string name = query.kind + (query.action.empty() ? "" : " " + query.action);
        out << "    " << padded(name, 28) << padded(psmt::verdict_name(query.verdict), 9)
            << seconds_text(query.seconds)
            << (query.vacuous ? (query.kind == "initiation"
                                     ? "  (VACUOUS: no initial state satisfies Init)"
                                     : "  (vacuous: never enabled under the invariant)")
                              : "")
            << '\n';
        if (query.verdict == psmt::Verdict::unknown) {
            out << "      Z3 answered unknown: " << query.detail << '\n';
        }
        if (query.verdict == psmt::Verdict::fails) {
            out << "      counterexample to induction; broken: " << query.detail << '\n'
                << query.cti;
        }
    }
}

json report_json(const std::vector<psmt::PropertyResult>& results,
                 const std::vector<psmt::Encoding>& encodings,
                 const pcore::Variants& variants,
                 const std::vector<std::string>& not_encoded,
                 const std::vector<psmt::PartlyEncoded>& partial,
                 int exit_code) {
    json partly = json::array();
    for (const psmt::PartlyEncoded& part : partial) {
        partly.push_back({{"id", part.id}, {"encoded", part.encoded}, {"not_yet", part.not_yet}});
    }
    json properties = json::array();
    for (const psmt::PropertyResult& result : results) {
        json invariants = json::array();
        json queries = json::array();
        for (const std::string& name : result.invariants) {
            for (const psmt::Encoding& encoding : encodings) {
                if (encoding.protocol != result.protocol) continue;
                const psmt::InvariantDecl& decl = encoding.invariant(name);
                invariants.push_back(
                    {{"name", name},
                     {"words", decl.words},
                     {"formula", psmt::to_text(encoding.vocabulary, decl.formula)}});
            }
        }
        for (const psmt::QueryResult& query : result.queries) {
            queries.push_back({{"kind", query.kind},
                               {"action", query.action},
                               {"verdict", psmt::verdict_name(query.verdict)},
                               {"vacuous", query.vacuous},
                               {"seconds", query.seconds},
                               {"detail", query.detail},
                               {"cti", query.cti}});
        }
        properties.push_back({{"id", result.id},
                              {"protocol", result.protocol},
                              {"statement", result.words},
                              {"verdict", psmt::verdict_name(result.verdict)},
                              {"seconds", result.seconds},
                              {"invariants", invariants},
                              {"queries", queries}});
    }
    return {{"format", "protocheck-prove-report/1"},
            {"tool_version", tool_version},
            {"variants", ptrace::variants_json(variants)},
            {"properties", properties},
            {"not_encoded", not_encoded},
            {"partly_encoded", partly},
            {"exit_code", exit_code}};
}

// The requested properties the encodings state only in part.
std::vector<psmt::PartlyEncoded> partly_encoded(const std::vector<std::string>& requested) {
    std::vector<psmt::PartlyEncoded> partly;
    for (const psmt::PartlyEncoded& part : psmt::partly_encoded()) {
        if (requested.empty() ||
            std::find(requested.begin(), requested.end(), part.id) != requested.end()) {
            partly.push_back(part);
        }
    }
    return partly;
}

// The requested properties that no encoding states (in contract order).
std::vector<std::string> missing_encodings(const std::vector<psmt::Encoding>& encodings,
                                           const std::vector<std::string>& requested) {
    std::vector<std::string> missing;
    for (const pmodel::PropertyInfo& info : pmodel::property_catalogue()) {
        const std::string id(info.id);
        // EXPECT is a scenario's own expect block: `check` judges it, no protocol proof can.
        if (id == "EXPECT") continue;
        if (!requested.empty() &&
            std::find(requested.begin(), requested.end(), id) == requested.end()) {
            continue;
        }
        bool encoded = false;
        for (const psmt::Encoding& encoding : encodings) {
            for (const psmt::PropertyDecl& property : encoding.properties) {
                encoded = encoded || property.id == id;
            }
        }
        if (!encoded) missing.push_back(id);
    }
    return missing;
}

json steps_json(const psmt::ConformanceReport& report,
                const std::vector<psmt::Encoding>& encodings) {
    json steps = json::object();
    for (std::size_t index = 0; index < encodings.size(); ++index) {
        steps[encodings[index].protocol] = report.steps[index];
    }
    return steps;
}

json conformance_json(const psmt::ConformanceReport& report,
                      const std::vector<psmt::Encoding>& encodings,
                      const std::string& scenario,
                      int code) {
    json failures = json::array();
    for (const psmt::ConformanceFailure& failure : report.failures) {
        failures.push_back({{"protocol", failure.protocol},
                            {"kind", failure.kind},
                            {"what", failure.what},
                            {"detail", failure.detail}});
    }
    return {{"format", "protocheck-conformance-report/1"},
            {"tool_version", tool_version},
            {"scenario", scenario},
            {"states", report.states},
            {"transitions", report.transitions},
            {"steps_by_protocol", steps_json(report, encodings)},
            {"complete", report.complete},
            {"failure_count", report.failure_count},
            {"failures", failures},
            {"exit_code", code}};
}

int conform(const ProveOptions& options, std::ostream& out, std::ostream& err) {
    std::shared_ptr<const pmodel::Scenario> scenario;
    pcore::Variants variants;
    pmodel::FaultBudget faults;
    if (!load_inputs(options.conformance, options.variants, options.faults, scenario, variants,
                     faults, err)) {
        return exit_bad_input;
    }
    const std::vector<psmt::Encoding> encodings = psmt::encodings(variants);
    psmt::ConformanceOptions conformance;
    conformance.max_states = options.max_states;
    const pmodel::World initial(scenario, variants, faults);
    const psmt::ConformanceReport report = psmt::check_conformance(initial, encodings, conformance);
    out << "conformance of the encodings to the core on " << options.conformance << ": "
        << report.states << " states, " << report.transitions << " transitions; steps of each "
        << "encoded protocol:";
    for (std::size_t index = 0; index < encodings.size(); ++index) {
        out << (index == 0 ? " " : ", ") << encodings[index].protocol << ' ' << report.steps[index];
    }
    out << '\n';
    for (const psmt::ConformanceFailure& failure : report.failures) {
        out << "DRIFT (" << failure.protocol << ", " << failure.kind << ") " << failure.what << ": "
            << failure.detail << '\n';
    }
    const int code = report.failure_count > 0 ? exit_violation
                     : report.complete        ? exit_ok
                                              : exit_incomplete;
    out << "verdict: "
        << (code == exit_violation
                ? std::to_string(report.failure_count) +
                      " step(s) or state(s) the encodings do not allow (first ones above)"
            : code == exit_ok ? std::string("every step is a step of the encodings, every state "
                                            "satisfies their invariants")
                              : "INCOMPLETE: --max-states cut the search; no drift so far")
        << '\n';
    if (!options.report.empty()) {
        ptrace::write_text_atomic(
            options.report,
            conformance_json(report, encodings, options.conformance, code).dump(2) + "\n");
    }
    return code;
}

}  // namespace

int prove(const ProveOptions& options, std::ostream& out, std::ostream& err) {
    if (!options.report.empty()) {
        if (auto problem = unwritable_file("--report", options.report)) {
            err << "protocheck: " << *problem << '\n';
            return exit_bad_input;
        }
    }
    if (!options.conformance.empty()) return conform(options, out, err);
    pcore::Variants variants;
    for (const std::string& assignment : options.variants) {
        if (auto problem = pmodel::set_variant(variants, assignment)) {
            err << "protocheck: --variant " << assignment << ": " << *problem << '\n';
            return exit_bad_input;
        }
    }
    for (const std::string& id : options.properties) {
        if (!pmodel::find_property(id)) {
            err << "protocheck: --property " << id
                << ": not a property id of contract §7 (see `protocheck properties`)\n";
            return exit_bad_input;
        }
    }
    const std::vector<psmt::Encoding> encodings = psmt::encodings(variants);
    psmt::ProveOptions prove_options;
    prove_options.properties = options.properties;
    prove_options.timeout_ms = static_cast<unsigned>(options.timeout * 1000);
    const std::vector<psmt::PropertyResult> results = psmt::prove(encodings, prove_options);
    const std::vector<std::string> missing = missing_encodings(encodings, options.properties);
    bool failed = false;
    bool unknown = !missing.empty();
    for (const psmt::PropertyResult& result : results) {
        print_property(result, out);
        failed = failed || result.verdict == psmt::Verdict::fails;
        unknown = unknown || result.verdict == psmt::Verdict::unknown;
    }
    if (!missing.empty()) {
        out << "not encoded yet (no verdict):";
        for (const std::string& id : missing) out << ' ' << id;
        out << '\n';
    }
    const std::vector<psmt::PartlyEncoded> partly = partly_encoded(options.properties);
    for (const psmt::PartlyEncoded& part : partly) {
        out << "encoded in part: " << part.id << " (proved above: " << part.encoded
            << "; no verdict yet: " << part.not_yet << ")\n";
        unknown = true;
    }
    const int code = failed ? exit_violation : unknown ? exit_incomplete : exit_ok;
    out << "verdict: "
        << (failed    ? "a property's invariant is not inductive (counterexample above)"
            : unknown ? "incomplete (a query unknown or timed out, or a property not encoded or "
                        "encoded in part)"
                      : "every property proved for any number of components")
        << '\n';
    if (!options.report.empty()) {
        ptrace::write_text_atomic(
            options.report,
            report_json(results, encodings, variants, missing, partly, code).dump(2) + "\n");
    }
    return code;
}

CLI::App* add_prove_command(CLI::App& app, ProveOptions& options) {
    CLI::App* command = app.add_subcommand(
        "prove", "Z3: checks the encoded invariants are inductive, for any number of components");
    command
        ->add_option("--property", options.properties, "a property id (repeatable; default: all)")
        ->type_name("ID");
    command->add_option("--variant", options.variants, "a design variant K=V (repeatable)")
        ->type_name("K=V");
    command->add_option("--timeout", options.timeout, "seconds per Z3 query (then unknown, exit 3)")
        ->capture_default_str()
        ->check(seconds_in(0.001, 86400));
    command->add_option("--report", options.report, "write the verdicts as JSON")
        ->type_name("FILE");
    CLI::Option* conformance = command->add_option(
        "--conformance", options.conformance,
        "instead of proving: check the encodings against the core on every step "
        "from this scenario");
    conformance->type_name("SCENARIO");
    // A proof covers every fault and state the encoding allows: these bound conformance only.
    command->add_option("--faults", options.faults, "with --conformance: faults to inject")
        ->type_name("SPEC")
        ->needs(conformance);
    command
        ->add_option("--max-states", options.max_states,
                     "with --conformance: stop (exit 3) after this many states")
        ->capture_default_str()
        ->check(whole_number(1, any_count))
        ->needs(conformance);
    conformance->excludes(command->get_option("--property"));
    conformance->excludes(command->get_option("--timeout"));
    command->footer(exit_codes_help);
    return command;
}

}  // namespace pcli
