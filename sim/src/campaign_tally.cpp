#include "campaign_tally.hpp"

#include <algorithm>
#include <set>

#include "ptrace/trace.hpp"

namespace psim {

std::string outcome_text(const pcore::CompiledScenario& compiled,
                         const std::vector<std::string>& names,
                         const pcore::Outcome& outcome) {
    const nlohmann::json json = ptrace::outcome_json(compiled, names, outcome);
    std::string text = json["outcome"].get<std::string>();
    auto relay = [&](std::string& out) {
        if (json["relay"].empty()) return;
        out.append(", relay");
        for (const auto& hop : json["relay"]) out.append(" ").append(hop.get<std::string>());
    };
    if (json.contains("error")) {
        text.append(" ").append(json["error"].get<std::string>());
        text.append(" (origin ").append(json["origin"].get<std::string>());
        relay(text);
        text.append(json["remote"].get<bool>() ? ", remote)" : ")");
    }
    if (json.contains("canceller")) {
        text.append(" by ").append(json["canceller"].get<std::string>());
        text.append(" (layer ").append(json["layer"].get<std::string>()).append(")");
    }
    return text;
}

void OutcomeTally::add(const RunResult& run) {
    const bool same =
        run.outcomes.size() == names_.size() &&
        std::equal(run.outcomes.begin(), run.outcomes.end(), names_.begin(),
                   [](const auto& entry, const std::string& name) { return entry.first == name; });
    if (!same) {
        flush();
        names_.clear();
        for (const auto& entry : run.outcomes) names_.push_back(entry.first);
        counts_.assign(names_.size(), {});
    }
    for (std::size_t index = 0; index < run.outcomes.size(); ++index) {
        auto& seen = counts_[index];
        const pcore::Outcome& outcome = run.outcomes[index].second;
        auto found = std::find_if(seen.begin(), seen.end(),
                                  [&](const auto& entry) { return entry.first == outcome; });
        if (found == seen.end()) {
            seen.emplace_back(outcome, 1);
        } else {
            ++found->second;
        }
    }
}

void OutcomeTally::flush() {
    for (std::size_t index = 0; index < counts_.size(); ++index) {
        for (const auto& [outcome, count] : counts_[index]) {
            texts_[names_[index]][outcome_text(*compiled_, names_, outcome)] += count;
        }
        counts_[index].clear();
    }
}

void OutcomeTally::merge_into(std::map<std::string, std::map<std::string, std::uint64_t>>& texts) {
    flush();
    for (const auto& [name, counts] : texts_) {
        for (const auto& [text, count] : counts) texts[name][text] += count;
    }
}

void JobTally::add_run(const RunResult& run, bool strict, const pcore::CompiledScenario& compiled) {
    ++runs;
    steps += run.steps;
    delivered += run.delivered;
    ++by_scheduler[static_cast<std::size_t>(run.scheduler)];
    if (run.fault_injected) ++runs_with_faults;
    if (run.end == RunEnd::steps_exhausted) ++runs_incomplete;
    outcomes.add(run);
    std::vector<std::string> names;
    auto run_names = [&]() -> const std::vector<std::string>& {
        if (names.empty()) {
            for (const auto& entry : run.outcomes) names.push_back(entry.first);
        }
        return names;
    };
    if (!first_seed || run.seed < *first_seed) {
        first_seed = run.seed;
        first_outcomes.clear();
        for (const auto& entry : run.outcomes) {
            first_outcomes.emplace_back(entry.first,
                                        outcome_text(compiled, run_names(), entry.second));
        }
    }
    if (!run.deadlocks.empty()) {
        ++runs_with_deadlock;
        if (!first_deadlock || run.seed < first_deadlock->first) {
            std::vector<std::string> cycle;
            for (pcore::CompId comp : run.deadlocks.front().cycle) {
                cycle.push_back(run_names()[comp.value()]);
            }
            first_deadlock = {run.seed, cycle};
        }
    }
    if (!run.violations.empty() || (strict && !run.deadlocks.empty())) ++runs_violating;
    // A run counts once per property, however often that property fired in it.
    std::set<std::string> fired;
    for (const pmodel::Violation& violation : run.violations) {
        if (!fired.insert(violation.property).second) continue;
        PropertyTally& tally = properties[violation.property];
        if (tally.violating_runs == 0 || run.seed < tally.first_seed) tally.first_seed = run.seed;
        ++tally.violating_runs;
    }
}

void JobTally::merge_into(CampaignReport& report) {
    report.runs_finished += runs;
    report.runs_violating += runs_violating;
    report.runs_incomplete += runs_incomplete;
    report.runs_with_deadlock += runs_with_deadlock;
    report.runs_with_faults += runs_with_faults;
    report.steps_total += steps;
    report.delivered_total += delivered;
    for (std::size_t index = 0; index < by_scheduler.size(); ++index) {
        report.runs_by_scheduler[index] += by_scheduler[index];
    }
    for (const auto& [id, tally] : properties) {
        PropertyTally& merged = report.properties[id];
        if (merged.violating_runs == 0 || tally.first_seed < merged.first_seed) {
            merged.first_seed = tally.first_seed;
        }
        merged.violating_runs += tally.violating_runs;
    }
    report.coverage.add(coverage);
    outcomes.merge_into(report.outcomes);
    if (first_seed && (report.first_run_outcomes.empty() || *first_seed < report.first_run_seed)) {
        report.first_run_seed = *first_seed;
        report.first_run_outcomes = first_outcomes;
    }
    if (first_deadlock &&
        (!report.first_deadlock || first_deadlock->first < report.first_deadlock->first)) {
        report.first_deadlock = first_deadlock;
    }
    report.nondeterministic_seeds.insert(report.nondeterministic_seeds.end(),
                                         nondeterministic_seeds.begin(),
                                         nondeterministic_seeds.end());
    std::sort(report.nondeterministic_seeds.begin(), report.nondeterministic_seeds.end());
}

}  // namespace psim
