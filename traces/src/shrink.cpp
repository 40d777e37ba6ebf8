#include "ptrace/shrink.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

namespace ptrace {

namespace {

using Steps = std::vector<NamedStep>;

class Shrinker {
  public:
    Shrinker(const LoadedTrace& trace, const ShrinkOptions& options)
        : trace_(trace),
          options_(options),
          budget_(trace.faults),
          started_(std::chrono::steady_clock::now()) {}

    [[nodiscard]] std::uint64_t tests() const { return tests_; }
    [[nodiscard]] bool stopped() const { return stopped_; }
    [[nodiscard]] const pmodel::FaultBudget& budget() const { return budget_; }

    // The candidate's steps actually taken, when its first violation is the property.
    std::optional<Steps> test(const Steps& candidate, const pmodel::FaultBudget& budget) {
        ++tests_;
        pmodel::World world(trace_.scenario, trace_.variants, budget);
        Steps taken;
        for (const NamedStep& step : candidate) {
            const std::optional<pmodel::Action> action = resolve_step(world, step);
            if (!action || !world.enabled(*action)) continue;
            world.apply(*action);
            taken.push_back(step);
            if (!world.violations().empty()) return keeps_property(world, std::move(taken));
        }
        if (!ends_here(world)) return std::nullopt;
        (void)world.check_terminal();
        return keeps_property(world, std::move(taken));
    }

    std::optional<Steps> test(const Steps& candidate) { return test(candidate, budget_); }

    // Out of tests, time, or interrupted: the search stops with what it has.
    bool out_of_budget() {
        if (stopped_) return true;
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
        stopped_ = tests_ >= options_.tests_max || elapsed >= options_.seconds_max ||
                   (options_.interrupt != nullptr && options_.interrupt->load());
        return stopped_;
    }

    // ddmin: remove one of n chunks while that keeps the violation; refine n when none can go.
    void delta_debug(Steps& steps) {
        std::size_t chunks = 2;
        while (steps.size() >= 2 && !out_of_budget()) {
            const std::size_t size = (steps.size() + chunks - 1) / chunks;
            bool removed = false;
            for (std::size_t start = 0; start < steps.size() && !out_of_budget(); start += size) {
                Steps candidate(steps.begin(), steps.begin() + static_cast<std::ptrdiff_t>(start));
                const std::size_t stop = std::min(steps.size(), start + size);
                candidate.insert(candidate.end(), steps.begin() + static_cast<std::ptrdiff_t>(stop),
                                 steps.end());
                if (auto kept = test(candidate)) {
                    steps = std::move(*kept);
                    chunks = std::max<std::size_t>(chunks - 1, 2);
                    removed = true;
                    break;
                }
            }
            if (removed) continue;
            if (chunks >= steps.size()) break;
            chunks = std::min(steps.size(), chunks * 2);
        }
    }

    // Local moves: a step taken up to `reach` places earlier can make later steps unnecessary
    // (a message delivered before the one that distracted its receiver). The result is kept
    // only when it is shorter.
    bool move_earlier(Steps& steps) {
        constexpr std::size_t reach = 8;
        for (std::size_t from = 1; from < steps.size() && !out_of_budget(); ++from) {
            for (std::size_t to = from > reach ? from - reach : 0; to < from; ++to) {
                Steps candidate = steps;
                const NamedStep moved = candidate[from];
                candidate.erase(candidate.begin() + static_cast<std::ptrdiff_t>(from));
                candidate.insert(candidate.begin() + static_cast<std::ptrdiff_t>(to), moved);
                auto kept = test(candidate);
                if (kept && kept->size() < steps.size()) {
                    steps = std::move(*kept);
                    return true;
                }
                if (out_of_budget()) return false;
            }
        }
        return false;
    }

    // The fault budget cut to the faults the steps inject, when that keeps the violation.
    void cut_budget(Steps& steps) {
        pmodel::FaultBudget used;
        for (const NamedStep& step : steps) {
            if (step.kind == pmodel::ActionKind::fault) {
                ++used.of(static_cast<pcore::FaultKind>(step.index));
            }
        }
        if (used == budget_) return;
        if (auto kept = test(steps, used)) {
            steps = std::move(*kept);
            budget_ = used;
        }
    }

  private:
    std::optional<Steps> keeps_property(const pmodel::World& world, Steps taken) const {
        if (world.violations().empty() ||
            world.violations().front().property != trace_.recorded_property) {
            return std::nullopt;
        }
        return taken;
    }

    const LoadedTrace& trace_;
    const ShrinkOptions& options_;
    pmodel::FaultBudget budget_;
    std::chrono::steady_clock::time_point started_;
    std::uint64_t tests_ = 0;
    bool stopped_ = false;
};

// The shrunk steps run once more, recorded, into a trace like any other.
nlohmann::json record(const LoadedTrace& trace,
                      const Steps& steps,
                      const pmodel::FaultBudget& budget,
                      const ShrinkResult& result,
                      const std::string& tool_version) {
    RecordedRun recorded(trace.scenario, trace.variants, budget);
    for (const NamedStep& step : steps) recorded.take(*resolve_step(recorded.world(), step));
    psim::RunResult run = recorded.finish();
    run.seed = trace.seed.value_or(0);
    if (trace.scheduler) run.scheduler = *psim::parse_scheduler(*trace.scheduler);
    nlohmann::json shrunk = make_trace(*trace.scenario, trace.variants, budget, trace.seed,
                                       "shrink", run, tool_version);
    shrunk["shrunk"] = {{"steps_before", result.steps_before}, {"tests", result.tests}};
    return shrunk;
}

}  // namespace

ShrinkResult shrink_trace(const LoadedTrace& trace, const ShrinkOptions& options) {
    ShrinkResult result;
    result.property = trace.recorded_property;
    result.steps_before = trace.steps.size();
    if (trace.recorded_property.empty()) return result;
    Shrinker shrinker(trace, options);
    std::optional<Steps> start = shrinker.test(trace.steps);
    if (!start) return result;
    result.violating = true;
    Steps steps = std::move(*start);
    do {
        shrinker.delta_debug(steps);
    } while (shrinker.move_earlier(steps));
    shrinker.cut_budget(steps);
    result.steps_after = steps.size();
    result.tests = shrinker.tests();
    result.stopped_early = shrinker.stopped();
    result.trace = record(trace, steps, shrinker.budget(), result, options.tool_version);
    return result;
}

}  // namespace ptrace
