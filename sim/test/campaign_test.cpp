// Campaigns (issue 15): the same report for any number of jobs, violations grouped with their
// lowest seed, coverage that adds up, stopping early, swarm draws, the determinism self-check.
#include "psim/campaign.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <numeric>

#include "bundled.hpp"
#include "pmodel/variant_names.hpp"
#include "ptrace/trace.hpp"

namespace {

namespace fs = std::filesystem;
using ptest::bundled;

std::string fresh_dir(const std::string& name) {
    const std::string dir = ::testing::TempDir() + "protocheck-campaign-" + name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

psim::CampaignOptions options_for(const std::string& dir, const std::string& variant) {
    psim::CampaignOptions options;
    options.seed = 1;
    options.runs = 400;
    options.trace_dir = dir;
    options.trace_prefix = "t";
    options.keep = psim::KeepTraces::groups;
    if (!variant.empty()) {
        EXPECT_FALSE(pmodel::set_variant(options.variants, variant));
    }
    return options;
}

void expect_same(const psim::CampaignReport& a, const psim::CampaignReport& b) {
    EXPECT_EQ(a.runs_finished, b.runs_finished);
    EXPECT_EQ(a.runs_violating, b.runs_violating);
    EXPECT_EQ(a.steps_total, b.steps_total);
    EXPECT_EQ(a.delivered_total, b.delivered_total);
    EXPECT_EQ(a.coverage, b.coverage);
    EXPECT_EQ(a.outcomes, b.outcomes);
    EXPECT_EQ(a.first_run_outcomes, b.first_run_outcomes);
    ASSERT_EQ(a.properties.size(), b.properties.size());
    for (const auto& [id, tally] : a.properties) {
        EXPECT_EQ(tally.violating_runs, b.properties.at(id).violating_runs) << id;
        EXPECT_EQ(tally.first_seed, b.properties.at(id).first_seed) << id;
    }
    ASSERT_EQ(a.groups.size(), b.groups.size());
    for (std::size_t index = 0; index < a.groups.size(); ++index) {
        EXPECT_EQ(a.groups[index].property, b.groups[index].property);
        EXPECT_EQ(a.groups[index].signature, b.groups[index].signature);
        EXPECT_EQ(a.groups[index].runs, b.groups[index].runs);
        EXPECT_EQ(a.groups[index].first_seed, b.groups[index].first_seed);
        EXPECT_EQ(a.groups[index].shrunk_steps, b.groups[index].shrunk_steps);
    }
}

TEST(Campaign, TheReportIsTheSameForAnyNumberOfJobs) {
    const auto scenario = bundled("chain");
    std::vector<psim::CampaignReport> reports;
    for (unsigned jobs : {1u, 2u, 3u}) {
        psim::CampaignOptions options =
            options_for(fresh_dir("jobs" + std::to_string(jobs)), "close_port_info=none");
        options.jobs = jobs;
        reports.push_back(psim::run_campaign(scenario, options));
    }
    ASSERT_GT(reports[0].runs_violating, 0u);
    expect_same(reports[0], reports[1]);
    expect_same(reports[0], reports[2]);
}

TEST(Campaign, EachGroupKeepsItsLowestSeedAsATraceThatReplaysAndShrinks) {
    const std::string dir = fresh_dir("groups");
    psim::CampaignOptions options = options_for(dir, "close_port_info=none");
    options.jobs = 2;
    const psim::CampaignReport report = psim::run_campaign(bundled("chain"), options);
    ASSERT_FALSE(report.groups.empty());
    for (const psim::ViolationGroup& group : report.groups) {
        EXPECT_EQ(report.properties.at(group.property).first_seed <= group.first_seed, true);
        ASSERT_FALSE(group.trace.empty()) << group.property;
        EXPECT_EQ(group.trace, dir + "/t-seed-" + std::to_string(group.first_seed) + ".json");
        const ptrace::ReplayResult replayed = ptrace::replay_file(group.trace);
        EXPECT_EQ(replayed.exit_code, 0) << replayed.message;
        EXPECT_NE(replayed.message.find("violation of " + group.property), std::string::npos);
        ASSERT_FALSE(group.shrunk_trace.empty());
        EXPECT_LE(group.shrunk_steps, group.steps);
        const ptrace::ReplayResult shrunk = ptrace::replay_file(group.shrunk_trace);
        EXPECT_EQ(shrunk.exit_code, 0) << shrunk.message;
        EXPECT_NE(shrunk.message.find("violation of " + group.property), std::string::npos);
    }
    // One trace per group (plus its shrunk copy), nothing else.
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) ++files;
    EXPECT_EQ(files, 2 * report.groups.size());
}

TEST(Campaign, CoverageCountsEveryStepOnce) {
    psim::CampaignOptions options = options_for(fresh_dir("coverage"), "");
    options.run.faults = {1, 1, 1};
    const psim::CampaignReport report = psim::run_campaign(bundled("chain"), options);
    const std::uint64_t counted =
        std::accumulate(report.coverage.steps.begin(), report.coverage.steps.end(), 0ull);
    EXPECT_EQ(counted, report.steps_total);
    EXPECT_GT(report.coverage.steps[psim::first_message_kind], 0u);  // Data
    EXPECT_GT(report.coverage.steps[psim::first_fault_kind], 0u);    // crash
}

TEST(Campaign, StopOnFirstAndTheTimeLimitStopEarly) {
    psim::CampaignOptions options = options_for(fresh_dir("stop"), "close_port_info=none");
    options.runs = 1'000'000;
    options.stop_on_first = true;
    const psim::CampaignReport first = psim::run_campaign(bundled("chain"), options);
    EXPECT_EQ(first.stop, psim::CampaignStop::first_violation);
    EXPECT_LT(first.runs_finished, 10'000u);
    EXPECT_GE(first.runs_violating, 1u);
    options.stop_on_first = false;
    options.variants = {};
    options.time_max = 0.3;
    const psim::CampaignReport timed = psim::run_campaign(bundled("chain"), options);
    EXPECT_EQ(timed.stop, psim::CampaignStop::time_max);
    EXPECT_LT(timed.runs_finished, 1'000'000u);
    EXPECT_GT(timed.runs_finished, 0u);
}

TEST(Campaign, SwarmDrawsBudgetsAndSchedulersPerRun) {
    psim::CampaignOptions options = options_for(fresh_dir("swarm"), "");
    options.run.swarm = true;
    options.check_determinism = true;
    const psim::CampaignReport report = psim::run_campaign(bundled("chain"), options);
    EXPECT_GT(report.runs_with_faults, 0u);
    EXPECT_LT(report.runs_with_faults, report.runs_finished);
    for (std::uint64_t runs : report.runs_by_scheduler) EXPECT_GT(runs, 0u);
    EXPECT_TRUE(report.nondeterministic_seeds.empty());
    EXPECT_EQ(report.runs_violating, 0u);
}

TEST(Campaign, EverySchedulerKeepsTheDefaultDesignAndIsDeterministic) {
    for (psim::Scheduler scheduler : psim::schedulers) {
        psim::CampaignOptions options = options_for(fresh_dir("scheduler"), "");
        options.run.scheduler = scheduler;
        options.run.faults = {1, 1, 1};
        options.check_determinism = true;
        const psim::CampaignReport report =
            psim::run_campaign(bundled("transfer-in-flight"), options);
        EXPECT_EQ(report.runs_violating, 0u) << psim::scheduler_name(scheduler);
        EXPECT_TRUE(report.nondeterministic_seeds.empty());
        EXPECT_EQ(report.runs_by_scheduler[static_cast<std::size_t>(scheduler)], 400u);
    }
}

// Different schedulers find different interleavings: PCT and late control messages reach
// states the timed scheduler does not, on the same seeds.
TEST(Campaign, SchedulersExploreDifferently) {
    std::vector<std::uint64_t> steps;
    for (psim::Scheduler scheduler : psim::schedulers) {
        psim::CampaignOptions options = options_for(fresh_dir("differ"), "");
        options.run.scheduler = scheduler;
        steps.push_back(psim::run_campaign(bundled("chain"), options).steps_total);
    }
    EXPECT_EQ(steps[0] == steps[1] && steps[1] == steps[2], false);
}

}  // namespace
