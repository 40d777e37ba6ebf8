#include "pcheck/checker.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <fstream>
#include <mutex>
#include <thread>
#include <tuple>

#include "fingerprint_set.hpp"
#include "pmodel/reduction.hpp"
#include "pmodel/symmetry.hpp"

namespace pcheck {

namespace {

using pmodel::Action;
using pmodel::ActionKind;
using pmodel::World;

// One record per state in discovery order: who generated it, by which of its actions. Kept
// on disk (TLC's trace file): only a counterexample reads it back.
class ParentLog {
  public:
    explicit ParentLog(const std::string& dir) {
        const std::string base = dir.empty() ? "/tmp" : dir;
        char pattern[4096];
        std::snprintf(pattern, sizeof pattern, "%s/protocheck-parents-XXXXXX", base.c_str());
        const int fd = mkstemp(pattern);
        if (fd >= 0) {
            file_ = fdopen(fd, "w+b");
            std::remove(pattern);  // gone with the process, whatever happens
        }
    }
    ParentLog(const ParentLog&) = delete;
    ParentLog& operator=(const ParentLog&) = delete;
    ~ParentLog() {
        if (file_ != nullptr) std::fclose(file_);
    }

    [[nodiscard]] bool ok() const { return file_ != nullptr; }

    struct Record {
        std::uint32_t state;
        std::uint32_t parent;
        std::uint32_t action;
    };

    void append(const std::vector<Record>& records) {
        if (records.empty()) return;
        std::lock_guard<std::mutex> lock(mutex_);
        (void)std::fwrite(records.data(), sizeof(Record), records.size(), file_);
    }

    // The action indices from the initial state to `state`.
    std::vector<std::uint32_t> path_to(std::uint32_t state, std::uint64_t states) {
        std::lock_guard<std::mutex> lock(mutex_);
        std::fflush(file_);
        std::rewind(file_);
        std::vector<Record> by_state(states, Record{0, 0, 0});
        Record record{};
        while (std::fread(&record, sizeof record, 1, file_) == 1) {
            if (record.state < by_state.size()) by_state[record.state] = record;
        }
        std::fseek(file_, 0, SEEK_END);
        std::vector<std::uint32_t> actions;
        while (state != 0) {
            actions.push_back(by_state[state].action);
            state = by_state[state].parent;
        }
        std::reverse(actions.begin(), actions.end());
        return actions;
    }

  private:
    std::FILE* file_ = nullptr;
    std::mutex mutex_;
};

struct Node {
    std::optional<World> world;  // emptied once expanded: a layer frees as it goes
    std::uint64_t fingerprint = 0;
    std::uint32_t index = 0;
};

// A violation and the transition that reached it: monitors judge transitions (a message sent
// to a freed component is a property of the step, not of the state it leads to), so a step into
// an already visited state is still checked; terminal properties judge the new state itself.
struct Found {
    std::uint64_t fingerprint = 0;
    bool initial = false;  // the initial state itself (no parent)
    std::uint32_t parent = 0;
    std::uint32_t choice = 0;  // index into the parent's enabled actions
    pmodel::Violation violation;
    std::vector<pmodel::AppDeadlock> deadlocks;
};

bool live(const std::vector<Action>& actions) {
    return std::any_of(actions.begin(), actions.end(),
                       [](const Action& action) { return action.kind != ActionKind::fault; });
}

std::uint64_t resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    std::uint64_t pages = 0;
    std::uint64_t resident = 0;
    statm >> pages >> resident;
    return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

class Search {
  public:
    Search(const std::shared_ptr<const pmodel::Scenario>& scenario, const CheckOptions& options)
        : scenario_(scenario),
          // Worlds borrow the scenario without a count (use_count 0): every state copy would
          // otherwise update one shared counter from every thread. scenario_ keeps it alive.
          borrowed_scenario_(std::shared_ptr<const pmodel::Scenario>(), scenario.get()),
          options_(options),
          symmetric_(options.symmetry && pmodel::symmetry_allowed(*scenario)),
          log_(options.scratch_dir) {}

    CheckResult run() {
        const auto started = std::chrono::steady_clock::now();
        CheckResult result;
        if (!log_.ok()) {
            result.verdict = Verdict::incomplete;
            result.stop_reason = "cannot create the parent log in the scratch directory";
            return result;
        }
        if (options_.partial_order && (options_.symmetry || options_.max_depth != 0)) {
            // The reduced graph's depths are not the full graph's, and its proviso is not
            // proven for orbits: refused rather than answered wrongly.
            result.verdict = Verdict::incomplete;
            result.stop_reason = options_.symmetry ? "--por cannot be combined with --symmetry"
                                                   : "--por cannot be combined with --max-depth";
            return result;
        }
        // One list per thread: a thread expands the states it generated (their memory came
        // from its own malloc arena, so freeing them takes no other thread's lock), then helps
        // with the others' lists.
        const std::size_t threads = std::max(1u, options_.threads);
        std::vector<std::deque<Node>> frontier(threads);
        {
            World initial(borrowed_scenario_, options_.variants, options_.faults);
            initial.use_tables(tables_);  // inherited by every state: memoised steps
            pmodel::SymmetryScratch symmetry;
            const std::uint64_t fingerprint = fingerprint_of(initial, symmetry);
            (void)visited_.insert(fingerprint);
            initial.share_parts(tables_);
            states_ = 1;
            std::vector<Found> found;
            std::vector<Action> actions;
            Found at;
            at.initial = true;
            if (admit(initial, fingerprint, at, actions, found)) {
                frontier[0].push_back(Node{std::move(initial), fingerprint, 0});
            }
            if (!found.empty()) return finish(result, found, started);
        }
        std::uint32_t depth = 0;
        auto layer_size = [](const std::vector<std::deque<Node>>& lists) {
            std::size_t total = 0;
            for (const auto& list : lists) total += list.size();
            return total;
        };
        while (layer_size(frontier) > 0) {
            result.peak_frontier =
                std::max<std::uint64_t>(result.peak_frontier, layer_size(frontier));
            std::vector<std::deque<Node>> next(threads);
            std::vector<std::vector<Found>> found(threads);
            std::vector<std::atomic<std::size_t>> cursors(threads);
            std::vector<std::vector<std::uint64_t>> layer_fingerprints(threads);
            auto worker = [&](unsigned thread) {
                Worker work;
                for (std::size_t turn = 0; turn < threads; ++turn) {
                    std::deque<Node>& list = frontier[(thread + turn) % threads];
                    std::atomic<std::size_t>& cursor = cursors[(thread + turn) % threads];
                    while (!stop_.load(std::memory_order_relaxed)) {
                        const std::size_t begin = cursor.fetch_add(chunk);
                        if (begin >= list.size()) break;
                        const std::size_t end = std::min(list.size(), begin + chunk);
                        for (std::size_t at = begin; at < end; ++at) {
                            expand(list[at], work, next[thread], found[thread]);
                            list[at].world.reset();
                        }
                        log_.append(work.records);
                        work.records.clear();
                        // Shared counters once per chunk: per transition, the threads would
                        // fight over their cache line.
                        states_.fetch_add(work.states, std::memory_order_relaxed);
                        transitions_.fetch_add(work.transitions, std::memory_order_relaxed);
                        reduced_.fetch_add(work.reduced, std::memory_order_relaxed);
                        subsets_.fetch_add(work.subsets, std::memory_order_relaxed);
                        work.subsets = 0;
                        work.states = 0;
                        work.transitions = 0;
                        work.reduced = 0;
                        if (thread == 0) watch_bounds();
                    }
                }
                layer_fingerprints[thread] = std::move(work.layer_fingerprints);
            };
            if (threads == 1) {
                worker(0);
            } else {
                std::vector<std::thread> pool;
                for (unsigned thread = 0; thread < threads; ++thread) {
                    pool.emplace_back(worker, thread);
                }
                for (std::thread& thread : pool) thread.join();
            }
            if (options_.partial_order) {
                for (const auto& list : layer_fingerprints) {
                    for (const std::uint64_t fingerprint : list) (void)visited_.insert(fingerprint);
                }
                next_layer_.clear();
            }
            ++depth;
            result.depth = depth;
            std::vector<Found> all;
            for (auto& list : found) {
                for (Found& item : list) all.push_back(std::move(item));
            }
            if (!all.empty()) {
                result.depth = depth;
                return finish(result, all, started);
            }
            if (stop_.load()) {
                // Stopped inside the layer: its states were not all generated, so only paths
                // up to the layer before were all taken and judged.
                result.verdict = Verdict::incomplete;
                result.stop_reason = stop_reason_;
                result.depth = depth - 1;
                return finish(result, all, started);
            }
            // Bounded check: every path of up to max_depth steps was taken and judged.
            if (options_.max_depth != 0 && depth >= options_.max_depth && layer_size(next) > 0) {
                result.verdict = Verdict::incomplete;
                result.stop_reason =
                    "--max-depth " + std::to_string(options_.max_depth) + " reached";
                return finish(result, {}, started);
            }
            report_progress(depth, layer_size(next), started);
            frontier = std::move(next);
        }
        return finish(result, {}, started);
    }

  private:
    static constexpr std::size_t chunk = 64;

    void report_progress(std::uint32_t depth,
                         std::uint64_t next_layer,
                         std::chrono::steady_clock::time_point started) {
        if (!options_.progress) return;
        const auto now = std::chrono::steady_clock::now();
        if (std::chrono::duration<double>(now - last_progress_).count() <
            options_.progress_seconds) {
            return;
        }
        last_progress_ = now;
        Progress progress;
        progress.depth = depth;
        progress.states = states_.load();
        progress.transitions = transitions_.load();
        progress.next_layer = next_layer;
        progress.seconds = std::chrono::duration<double>(now - started).count();
        progress.resident_bytes = resident_bytes();
        options_.progress(progress);
    }

    // Checks a newly reached state: monitors fired while it was generated, and the terminal
    // properties when nothing but faults can happen. True when it is to be expanded.
    bool admit(World& world,
               std::uint64_t fingerprint,
               const Found& at,
               std::vector<Action>& actions,
               std::vector<Found>& found) {
        world.enabled_actions(actions);
        if (!live(actions)) {
            terminal_.fetch_add(1, std::memory_order_relaxed);
            World judged = world;
            std::vector<pmodel::AppDeadlock> deadlocks = judged.check_terminal();
            if (!judged.violations().empty()) {
                Found violation = at;
                violation.fingerprint = fingerprint;
                violation.violation = judged.violations().front();
                violation.deadlocks = deadlocks;
                found.push_back(std::move(violation));
                return false;
            }
            if (!deadlocks.empty()) {
                deadlock_states_.fetch_add(1, std::memory_order_relaxed);
                {
                    std::lock_guard<std::mutex> lock(deadlock_mutex_);
                    if (!first_deadlock_ || fingerprint < first_deadlock_fingerprint_) {
                        first_deadlock_ = deadlocks.front();
                        first_deadlock_fingerprint_ = fingerprint;
                    }
                }
                if (options_.strict) {
                    Found violation = at;
                    violation.fingerprint = fingerprint;
                    violation.violation = pmodel::Violation{
                        "application-deadlock", deadlocks.front().cycle, deadlocks.front().detail};
                    violation.deadlocks = deadlocks;
                    found.push_back(std::move(violation));
                    return false;
                }
            }
        }
        return !actions.empty();
    }

    // One thread's scratch and counters.
    struct Worker {
        std::vector<Action> actions;
        std::vector<Action> child_actions;
        std::vector<ParentLog::Record> records;
        pmodel::ApplyResult applied;
        pmodel::ReductionScratch reduction;
        pmodel::SymmetryScratch symmetry;
        std::vector<std::uint32_t> chosen;  // --por: the persistent subset taken
        std::uint64_t reduced = 0;          // states expanded with a proper subset
        std::uint64_t subsets = 0;
        std::vector<std::uint64_t> layer_fingerprints;  // --por: this layer's new states
        std::uint64_t states = 0;                       // new since the last chunk
        std::uint64_t transitions = 0;                  // since the last chunk
        std::uint32_t next_index = 0;  // state indices reserved by this thread: [next, end)
        std::uint32_t end_index = 0;
    };
    static constexpr std::uint32_t index_block = 1024;

    void expand(const Node& node, Worker& work, std::deque<Node>& next, std::vector<Found>& found) {
        std::vector<Action>& actions = work.actions;
        node.world->enabled_actions(actions);
        std::vector<std::uint32_t>& chosen = work.chosen;
        const bool reduced =
            options_.partial_order &&
            pmodel::persistent_subset(*node.world, actions, work.reduction, chosen);
        if (reduced) ++work.subsets;
        if (!reduced) {
            for (std::uint32_t choice = 0; choice < actions.size(); ++choice) {
                (void)take(node, choice, work, next, found);
            }
            return;
        }
        // Cycle proviso (breadth-first form): a persistent subset may postpone the other
        // actions only along edges into the next layer. Every cycle of the reduced graph then
        // has an edge back to an earlier layer, whose source was expanded in full, so no action
        // is postponed around a cycle forever. Under --por a layer's new states join the
        // visited set only when the layer ends, so "earlier layer" is exact, whatever the
        // threads do.
        bool into_next_layer = true;
        for (const std::uint32_t choice : chosen) {
            into_next_layer &= take(node, choice, work, next, found) != Reached::earlier_layer;
        }
        if (into_next_layer) {
            ++work.reduced;
            return;
        }
        std::size_t taken = 0;
        for (std::uint32_t choice = 0; choice < actions.size(); ++choice) {
            if (taken < chosen.size() && chosen[taken] == choice) {
                ++taken;
                continue;
            }
            (void)take(node, choice, work, next, found);
        }
    }

    enum class Reached { new_state, next_layer, earlier_layer };

    // Applies one action of `node`: where it led.
    Reached take(const Node& node,
                 std::uint32_t choice,
                 Worker& work,
                 std::deque<Node>& next,
                 std::vector<Found>& found) {
        // Under --por the closure may have computed this successor already.
        std::vector<std::optional<World>>& computed = work.reduction.successors;
        const bool precomputed = choice < computed.size() && computed[choice].has_value();
        World child = precomputed ? std::move(*computed[choice]) : *node.world;
        if (precomputed) {
            computed[choice].reset();
        } else {
            child.apply(work.actions[choice], work.applied);
        }
        ++work.transitions;
        const std::uint64_t fingerprint = fingerprint_of(child, work.symmetry);
        Found at;
        at.parent = node.index;
        at.choice = choice;
        if (!child.violations().empty()) {
            at.fingerprint = fingerprint;
            at.violation = child.violations().front();
            found.push_back(std::move(at));
            return Reached::new_state;
        }
        if (options_.partial_order) {
            if (visited_.contains(fingerprint)) return Reached::earlier_layer;
            if (!next_layer_.insert(fingerprint)) return Reached::next_layer;
            work.layer_fingerprints.push_back(fingerprint);
        } else if (!visited_.insert(fingerprint)) {
            return Reached::earlier_layer;
        }
        ++work.states;
        if (work.next_index == work.end_index) {
            work.next_index = static_cast<std::uint32_t>(next_index_.fetch_add(index_block));
            work.end_index = work.next_index + index_block;
        }
        const std::uint32_t index = work.next_index++;
        work.records.push_back(ParentLog::Record{index, node.index, choice});
        if (admit(child, fingerprint, at, work.child_actions, found)) {
            child.share_parts(tables_);
            next.push_back(Node{std::move(child), fingerprint, index});
        }
        return Reached::new_state;
    }

    // The visited set's key: the state's own fingerprint, or its orbit's under --symmetry.
    std::uint64_t fingerprint_of(const World& world, pmodel::SymmetryScratch& scratch) const {
        return symmetric_ ? pmodel::canonical_fingerprint(world, scratch) : world.fingerprint();
    }

    void watch_bounds() {
        if (options_.max_states != 0 && states_.load() >= options_.max_states) {
            set_stop("--max-states " + std::to_string(options_.max_states) + " reached");
        }
        if (options_.max_memory != 0 && resident_bytes() >= options_.max_memory) {
            set_stop("--max-memory " + std::to_string(options_.max_memory) + " bytes reached");
        }
    }

    void set_stop(std::string reason) {
        std::lock_guard<std::mutex> lock(deadlock_mutex_);
        if (stop_.load()) return;
        stop_reason_ = std::move(reason);
        stop_.store(true);
    }

    CheckResult& finish(CheckResult& result,
                        std::vector<Found> found,
                        std::chrono::steady_clock::time_point started) {
        result.states = states_.load();
        result.transitions = transitions_.load();
        result.terminal_states = terminal_.load();
        result.deadlock_states = deadlock_states_.load();
        result.first_deadlock = first_deadlock_;
        result.visited_bytes = visited_.bytes();
        result.distinct_slots = tables_.slots.size();
        result.memoised_steps = tables_.steps.size();
        result.reduced_states = reduced_.load();
        result.persistent_subsets = subsets_.load();
        const double n = static_cast<double>(result.states);
        result.collision_probability = std::min(1.0, n * n / std::ldexp(1.0, 65));
        if (!found.empty()) {
            // Several violations in one layer: the smallest fingerprint, for any thread count.
            const auto chosen =
                std::min_element(found.begin(), found.end(), [](const Found& a, const Found& b) {
                    return std::tie(a.fingerprint, a.parent, a.choice) <
                           std::tie(b.fingerprint, b.parent, b.choice);
                });
            result.verdict = Verdict::violation;
            result.violation = chosen->violation;
            result.counterexample_deadlocks = chosen->deadlocks;
            std::vector<Action> path;
            if (!chosen->initial) {
                std::vector<std::uint32_t> choices =
                    log_.path_to(chosen->parent, next_index_.load());
                choices.push_back(chosen->choice);
                World world(scenario_, options_.variants, options_.faults);
                std::vector<Action> actions;
                for (std::uint32_t choice : choices) {
                    world.enabled_actions(actions);
                    path.push_back(actions.at(choice));
                    (void)world.apply(actions.at(choice));
                }
            }
            result.counterexample = std::move(path);
        }
        result.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        return result;
    }

    std::shared_ptr<const pmodel::Scenario> scenario_;
    std::shared_ptr<const pmodel::Scenario> borrowed_scenario_;
    CheckOptions options_;
    bool symmetric_ = false;
    FingerprintSet visited_;
    FingerprintSet next_layer_;   // --por: the next layer's states until the layer ends
    pmodel::StateTables tables_;  // every distinct part of the states met, once
    ParentLog log_;
    std::atomic<std::uint64_t> states_{0};
    std::atomic<std::uint64_t> next_index_{1};  // the initial state is 0
    std::atomic<std::uint64_t> transitions_{0};
    std::atomic<std::uint64_t> terminal_{0};
    std::atomic<std::uint64_t> reduced_{0};
    std::atomic<std::uint64_t> subsets_{0};
    std::atomic<std::uint64_t> deadlock_states_{0};
    std::atomic<bool> stop_{false};
    std::string stop_reason_;
    std::mutex deadlock_mutex_;
    std::optional<pmodel::AppDeadlock> first_deadlock_;
    std::uint64_t first_deadlock_fingerprint_ = 0;
    std::chrono::steady_clock::time_point last_progress_ = std::chrono::steady_clock::now();
};

}  // namespace

CheckResult check(const std::shared_ptr<const pmodel::Scenario>& scenario,
                  const CheckOptions& options) {
    Search search(scenario, options);
    return search.run();
}

World replay_path(const std::shared_ptr<const pmodel::Scenario>& scenario,
                  const CheckOptions& options,
                  const std::vector<Action>& path) {
    World world(scenario, options.variants, options.faults);
    for (const Action& action : path) (void)world.apply(action);
    return world;
}

}  // namespace pcheck
