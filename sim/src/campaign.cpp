#include "psim/campaign.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

#include "campaign_tally.hpp"
#include "pmodel/properties.hpp"
#include "pscenario/json_document.hpp"
#include "pscenario/loader.hpp"
#include "ptrace/shrink.hpp"
#include "ptrace/trace.hpp"

namespace psim {

namespace {

using Clock = std::chrono::steady_clock;
using GroupKey = std::pair<std::string, std::string>;  // property, signature

// A group as the jobs share it: counts, the lowest seed, the trace file kept for it.
struct SharedGroup {
    std::uint64_t runs = 0;
    std::uint64_t first_seed = 0;
    std::optional<std::uint64_t> written;  // KeepTraces::groups: the seed whose trace is on disk
};

class Campaign {
  public:
    Campaign(const std::shared_ptr<const pmodel::Scenario>& scenario,
             const CampaignOptions& options)
        : scenario_(scenario),
          options_(options),
          jobs_(static_cast<unsigned>(std::clamp<std::uint64_t>(
              options.jobs, 1, std::max<std::uint64_t>(options.runs, 1)))),
          chunk_(std::clamp<std::uint64_t>(options.runs / (std::uint64_t{jobs_} * 64), 1, 256)),
          property_counts_(pmodel::property_catalogue().size() + 1),
          runs_done_(jobs_) {}

    CampaignReport run() {
        const Clock::time_point started = Clock::now();
        std::vector<JobTally> tallies(jobs_, JobTally(*scenario_->compiled));
        std::vector<std::thread> threads;
        try {
            for (unsigned job = 0; job < jobs_; ++job) {
                threads.emplace_back([this, job, &tallies] { work(job, tallies[job]); });
            }
        } catch (const std::system_error& error) {
            // No thread for the rest: the ones started stop at once, the report says why.
            fail(std::string("cannot start a job thread: ") + error.what());
            std::lock_guard lock(mutex_);
            jobs_left_ -= jobs_ - static_cast<unsigned>(threads.size());
        }
        watch(started);
        for (std::thread& thread : threads) thread.join();
        CampaignReport report;
        for (JobTally& tally : tallies) tally.merge_into(report);
        report.stop = stop_reason_;
        report.error = error_;
        finish_groups(report);
        announce_group_traces(report);
        finish_traces(report);
        report.elapsed = seconds_since(started);
        return report;
    }

  private:
    static double seconds_since(Clock::time_point start) {
        return std::chrono::duration<double>(Clock::now() - start).count();
    }

    // An error that ends the campaign (a trace not written, a thread not started, memory).
    void fail(const std::string& what) {
        std::lock_guard lock(mutex_);
        if (error_.empty()) error_ = what;
        stop_reason_ = CampaignStop::error;
        stopping_.store(true);
    }

    void request_stop(CampaignStop reason) {
        std::lock_guard lock(mutex_);
        if (stop_reason_ == CampaignStop::completed) stop_reason_ = reason;
        stopping_.store(true);
    }

    // The calling thread: progress lines, the clock, the interrupt; returns when the jobs end.
    void watch(Clock::time_point started) {
        double next_progress = options_.progress_every;
        std::unique_lock lock(mutex_);
        while (jobs_left_ > 0) {
            done_.wait_for(lock, std::chrono::milliseconds(50));
            const double elapsed = seconds_since(started);
            lock.unlock();
            if (options_.interrupt != nullptr && options_.interrupt->load()) {
                request_stop(CampaignStop::interrupted);
            }
            if (options_.time_max > 0 && elapsed >= options_.time_max) {
                request_stop(CampaignStop::time_max);
            }
            if (options_.on_progress && elapsed >= next_progress) {
                options_.on_progress(progress(elapsed));
                next_progress = elapsed + options_.progress_every;
            }
            lock.lock();
        }
    }

    CampaignProgress progress(double elapsed) const {
        CampaignProgress line;
        line.runs_total = options_.runs;
        line.elapsed = elapsed;
        for (const auto& done : runs_done_) line.runs_done += done.value.load();
        const auto& catalogue = pmodel::property_catalogue();
        for (std::size_t index = 0; index < property_counts_.size(); ++index) {
            const std::uint64_t count = property_counts_[index].value.load();
            if (count == 0) continue;
            line.violating_runs.emplace_back(
                index < catalogue.size() ? std::string(catalogue[index].id) : "deadlock", count);
        }
        return line;
    }

    void work(unsigned job, JobTally& tally) {
        try {
            Simulator simulator;
            while (!stopping_.load(std::memory_order_relaxed)) {
                const std::uint64_t first = next_run_.fetch_add(chunk_);
                if (first >= options_.runs) break;
                const std::uint64_t last = std::min(options_.runs, first + chunk_);
                for (std::uint64_t index = first; index < last; ++index) {
                    if (stopping_.load(std::memory_order_relaxed)) break;
                    one_run(options_.seed + index, tally, simulator);
                    runs_done_[job].value.fetch_add(1, std::memory_order_relaxed);
                }
            }
        } catch (const std::exception& error) {
            fail(std::string("a campaign job stopped: ") + error.what());
        }
        std::lock_guard lock(mutex_);
        --jobs_left_;
        done_.notify_all();
    }

    void one_run(std::uint64_t seed, JobTally& tally, Simulator& simulator) {
        SimOptions sim = options_.run;
        sim.seed = seed;
        sim.record = options_.keep == KeepTraces::all;
        sim.coverage = &tally.coverage;
        sim.trail = options_.check_determinism;
        sim.fingerprint_end = false;
        RunResult result = simulator.run(scenario_, options_.variants, sim);
        if (options_.check_determinism) check_again(sim, result, tally, simulator);
        tally.add_run(result, options_.strict, *scenario_->compiled);
        const bool failing =
            !result.violations.empty() || (options_.strict && !result.deadlocks.empty());
        if (failing) count_property(result);
        if (failing || options_.keep == KeepTraces::all) {
            keep_trace(result, failing, tally, simulator);
        }
        if (failing && options_.stop_on_first) request_stop(CampaignStop::first_violation);
    }

    // The determinism self-check: the same seed again must take the same steps to the same
    // states (every step's fingerprint is folded into the trail hash).
    void check_again(SimOptions sim,
                     const RunResult& result,
                     JobTally& tally,
                     Simulator& simulator) const {
        sim.coverage = nullptr;
        const RunResult again = simulator.run(scenario_, options_.variants, sim);
        if (again.trail_hash != result.trail_hash || again.steps != result.steps ||
            again.final_fingerprint != result.final_fingerprint) {
            tally.note_nondeterministic(result.seed);
        }
    }

    void count_property(const RunResult& result) {
        const auto& catalogue = pmodel::property_catalogue();
        std::size_t index = catalogue.size();  // the deadlock slot
        if (!result.violations.empty()) {
            const auto found = std::find_if(catalogue.begin(), catalogue.end(), [&](const auto& p) {
                return p.id == result.violations.front().property;
            });
            index = static_cast<std::size_t>(found - catalogue.begin());
        }
        if (index < property_counts_.size()) property_counts_[index].value.fetch_add(1);
    }

    GroupKey group_of(const RunResult& result) const {
        if (result.violations.empty()) return {"deadlock", "terminal"};
        return {result.violations.front().property, violation_signature(result)};
    }

    // Counts the run in its group; true when its seed is now the group's lowest.
    bool join_group(const GroupKey& key, std::uint64_t seed) {
        std::lock_guard lock(mutex_);
        SharedGroup& group = groups_[key];
        const bool lowest = group.runs == 0 || seed < group.first_seed;
        ++group.runs;
        if (lowest) group.first_seed = seed;
        return lowest;
    }

    std::string trace_path(std::uint64_t seed) const {
        return (std::filesystem::path(options_.trace_dir) /
                (options_.trace_prefix + "-seed-" + std::to_string(seed) + ".json"))
            .string();
    }

    void keep_trace(RunResult& result, bool failing, JobTally& tally, Simulator& simulator) {
        bool lowest = false;
        GroupKey key;
        if (failing) {
            key = group_of(result);
            lowest = join_group(key, result.seed);
        }
        if (options_.keep == KeepTraces::groups && !lowest) return;
        if (!record(result, tally, simulator)) return;
        const std::string path = trace_path(result.seed);
        try {
            ptrace::write_json_atomic(
                path, ptrace::make_trace(*scenario_, options_.variants, result.faults, result.seed,
                                         "simulate", result, options_.tool_version));
            // With --keep-traces groups a trace may still be superseded: its hook runs at the end.
            if (failing && options_.on_failing_trace && options_.keep != KeepTraces::groups) {
                options_.on_failing_trace(path);
            }
        } catch (const pscenario::InputError& error) {
            fail(error.what());
            return;
        }
        result.trace.clear();
        written(key, result.seed);
    }

    // The run again with the recorder on (a campaign runs without it); it must end the same.
    bool record(RunResult& result, JobTally& tally, Simulator& simulator) const {
        if (!result.trace.empty() || result.steps == 0) return true;
        SimOptions sim = options_.run;
        sim.seed = result.seed;
        sim.record = true;
        RunResult recorded = simulator.run(scenario_, options_.variants, sim);
        if (recorded.final_fingerprint != result.final_fingerprint) {
            tally.note_nondeterministic(result.seed);
            return false;
        }
        result.trace = std::move(recorded.trace);
        return true;
    }

    // A trace is on disk: list it; with KeepTraces::groups, keep only the group's lowest seed.
    void written(const GroupKey& key, std::uint64_t seed) {
        std::lock_guard lock(mutex_);
        ++traces_written_;
        if (options_.keep != KeepTraces::groups) {
            seeds_written_.insert(seed);
            if (seeds_written_.size() > traces_listed)
                seeds_written_.erase(*seeds_written_.rbegin());
            return;
        }
        SharedGroup& group = groups_[key];
        std::error_code ignored;
        if (group.first_seed != seed) {
            std::filesystem::remove(trace_path(seed), ignored);  // a lower seed came meanwhile
            return;
        }
        if (group.written && *group.written != seed) {
            std::filesystem::remove(trace_path(*group.written), ignored);
        }
        group.written = seed;
    }

    void finish_groups(CampaignReport& report) {
        for (const auto& [key, shared] : groups_) {
            ViolationGroup group;
            group.property = key.first;
            group.signature = key.second;
            group.runs = shared.runs;
            group.first_seed = shared.first_seed;
            const std::string path = trace_path(shared.first_seed);
            std::error_code missing;
            if (std::filesystem::exists(path, missing)) group.trace = path;
            report.groups.push_back(group);
        }
        // Shrinking takes time: not after a stop asked for (a signal, --time-max) or an error.
        const bool whole = stop_reason_ == CampaignStop::completed ||
                           stop_reason_ == CampaignStop::first_violation;
        if (!options_.shrink || !whole) return;
        for (ViolationGroup& group : report.groups) {
            if (options_.interrupt != nullptr && options_.interrupt->load()) break;
            shrink_group(group);
        }
    }

    // The hook for the trace files known only at the end: each group's kept trace under
    // --keep-traces groups (earlier ones may have been superseded) and each shrunk trace. An
    // error there ends the campaign as an error, as one during the runs does.
    void announce_group_traces(CampaignReport& report) const {
        if (!options_.on_failing_trace) return;
        try {
            for (const ViolationGroup& group : report.groups) {
                if (options_.keep == KeepTraces::groups && !group.trace.empty()) {
                    options_.on_failing_trace(group.trace);
                }
                if (!group.shrunk_trace.empty()) options_.on_failing_trace(group.shrunk_trace);
            }
        } catch (const pscenario::InputError& error) {
            report.stop = CampaignStop::error;
            if (report.error.empty()) report.error = error.what();
        }
    }

    void shrink_group(ViolationGroup& group) const {
        if (group.trace.empty() || group.property == "deadlock") return;
        try {
            const ptrace::LoadedTrace trace =
                ptrace::load_trace(pscenario::read_file(group.trace), group.trace);
            group.steps = trace.steps.size();
            // Bounded by a count of tests, not by seconds, so that the report is the same on any
            // machine and for any number of jobs. A signal stops it (the group stays unshrunk).
            ptrace::ShrinkOptions shrink;
            shrink.interrupt = options_.interrupt;
            shrink.tests_max = 20'000;
            shrink.seconds_max = 1e9;
            shrink.tool_version = options_.tool_version;
            const ptrace::ShrinkResult shrunk = ptrace::shrink_trace(trace, shrink);
            if (!shrunk.violating ||
                (options_.interrupt != nullptr && options_.interrupt->load())) {
                return;
            }
            std::string path = group.trace;
            path.replace(path.size() - 5, 5, ".shrunk.json");
            ptrace::write_json_atomic(path, shrunk.trace);
            group.shrunk_trace = path;
            group.shrunk_steps = shrunk.steps_after;
        } catch (const pscenario::InputError&) {
            // The trace was written by this campaign; a failure here leaves the group unshrunk.
        }
    }

    void finish_traces(CampaignReport& report) const {
        report.traces_written = traces_written_;
        if (options_.keep == KeepTraces::groups) {
            // The files that stay: one per group (superseded ones were removed).
            for (const ViolationGroup& group : report.groups) {
                if (!group.trace.empty()) report.traces.push_back(group.trace);
            }
            report.traces_written = report.traces.size();
            return;
        }
        for (std::uint64_t seed : seeds_written_) report.traces.push_back(trace_path(seed));
    }

    struct PaddedCounter {
        alignas(64) std::atomic<std::uint64_t> value{0};
    };

    std::shared_ptr<const pmodel::Scenario> scenario_;
    const CampaignOptions& options_;
    unsigned jobs_;
    std::uint64_t chunk_;
    std::atomic<std::uint64_t> next_run_{0};
    std::atomic<bool> stopping_{false};
    std::vector<PaddedCounter> property_counts_;
    std::vector<PaddedCounter> runs_done_;
    std::mutex mutex_;  // guards everything below
    std::condition_variable done_;
    unsigned jobs_left_ = jobs_;
    CampaignStop stop_reason_ = CampaignStop::completed;
    std::string error_;
    std::map<GroupKey, SharedGroup> groups_;
    std::set<std::uint64_t> seeds_written_;
    std::uint64_t traces_written_ = 0;
};

}  // namespace

CampaignReport run_campaign(const std::shared_ptr<const pmodel::Scenario>& scenario,
                            const CampaignOptions& options) {
    Campaign campaign(scenario, options);
    return campaign.run();
}

}  // namespace psim
