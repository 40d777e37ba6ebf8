// One job's tallies of a campaign: sums and minimums only, so merging the jobs' tallies in any
// order gives the same report (the report does not depend on --jobs).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "psim/campaign.hpp"

namespace psim {

// Outcome counts by component, cheap per run: while the runs name their components the same
// way (the usual case), outcomes are counted by component index; their text is made only when
// the names change or at the end.
class OutcomeTally {
  public:
    explicit OutcomeTally(const pcore::CompiledScenario& compiled) : compiled_(&compiled) {}
    void add(const RunResult& run);
    // Into component name -> outcome text -> runs.
    void merge_into(std::map<std::string, std::map<std::string, std::uint64_t>>& texts);

  private:
    void flush();
    const pcore::CompiledScenario* compiled_;
    std::vector<std::string> names_;
    std::vector<std::vector<std::pair<pcore::Outcome, std::uint64_t>>> counts_;
    std::map<std::string, std::map<std::string, std::uint64_t>> texts_;
};

struct JobTally {
    explicit JobTally(const pcore::CompiledScenario& compiled) : outcomes(compiled) {}

    void add_run(const RunResult& run, bool strict, const pcore::CompiledScenario& compiled);
    // A seed that did not run the same twice (at most 100 kept per job).
    void note_nondeterministic(std::uint64_t seed) {
        if (nondeterministic_seeds.size() < 100) nondeterministic_seeds.push_back(seed);
    }
    void merge_into(CampaignReport& report);

    std::uint64_t runs = 0;
    std::uint64_t runs_violating = 0;
    std::uint64_t runs_incomplete = 0;
    std::uint64_t runs_with_deadlock = 0;
    std::uint64_t runs_with_faults = 0;
    std::uint64_t steps = 0;
    std::uint64_t delivered = 0;
    std::array<std::uint64_t, std::size(schedulers)> by_scheduler{};
    std::map<std::string, PropertyTally> properties;
    Coverage coverage;
    OutcomeTally outcomes;
    std::optional<std::uint64_t> first_seed;
    std::vector<std::pair<std::string, std::string>> first_outcomes;
    std::optional<std::pair<std::uint64_t, std::vector<std::string>>> first_deadlock;
    std::vector<std::uint64_t> nondeterministic_seeds;
};

}  // namespace psim
