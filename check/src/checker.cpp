#include "pcheck/checker.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cassert>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>

#include "checkpoint_files.hpp"
#include "fingerprint_set.hpp"
#include "layer_pool.hpp"
#include "mapped_memory.hpp"
#include "pcheck/checkpoint.hpp"
#include "pcheck/dead_fields.hpp"
#include "pcheck/reduction.hpp"
#include "pcheck/state_store.hpp"
#include "pcheck/symmetry.hpp"

namespace pcheck {

namespace {

using pmodel::Action;
using pmodel::ActionKind;
using pmodel::World;

// One record per state in discovery order: who generated it, by which of its actions. Kept
// on disk (TLC's trace file): only a counterexample and a resumed search read it back. With
// checkpoints it lives in the checkpoint directory (`kept_at`), and a resume cuts it back to
// the `kept_records` its checkpoint counted.
class ParentLog {
  public:
    ParentLog(const std::string& dir, const std::string& kept_at, std::uint64_t kept_records) {
        if (!kept_at.empty()) {
            file_ = std::fopen(kept_at.c_str(), kept_records > 0 ? "r+b" : "w+b");
            const auto length = static_cast<off_t>(kept_records * sizeof(Record));
            // Records past the checkpoint's count are cut; fewer than it counts is damage.
            const bool whole =
                file_ != nullptr && std::fseek(file_, 0, SEEK_END) == 0 && ftello(file_) >= length;
            if (file_ != nullptr && (!whole || ftruncate(fileno(file_), length) != 0 ||
                                     std::fseek(file_, 0, SEEK_END) != 0)) {
                std::fclose(file_);
                file_ = nullptr;
            }
            return;
        }
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

    // On disk before a checkpoint counts the records.
    bool sync() {
        std::lock_guard<std::mutex> lock(mutex_);
        return std::fflush(file_) == 0 && fsync(fileno(file_)) == 0;
    }

    // Every record, at its state's index (indices are handed out in blocks: some stay unused).
    std::vector<Record> by_state(std::uint64_t states) {
        std::lock_guard<std::mutex> lock(mutex_);
        std::fflush(file_);
        std::rewind(file_);
        std::vector<Record> records(states, Record{0, 0, 0});
        Record record{};
        while (std::fread(&record, sizeof record, 1, file_) == 1) {
            if (record.state < records.size()) records[record.state] = record;
        }
        std::fseek(file_, 0, SEEK_END);
        return records;
    }

    // The action indices from the initial state to `state`.
    std::vector<std::uint32_t> path_to(std::uint32_t state, std::uint64_t states) {
        const std::vector<Record> by_state = this->by_state(states);
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

// Packed states of a layer (World::pack), bump-allocated in blocks. A layer's states are
// written once and read once; when the layer is done its blocks are reused for a later one,
// so they are faulted in once per search, not once per layer.
class PackedArena {
  public:
    std::byte* allocate(std::size_t bytes) {  // unaligned: packed states are read bytewise
        while (current_ < blocks_.size() && used_ + bytes > blocks_[current_].size()) {
            ++current_;
            used_ = 0;
        }
        if (current_ == blocks_.size()) {
            const std::size_t huge = MappedMemory::huge_page;
            blocks_.emplace_back((std::max(block_size, bytes) + huge - 1) / huge * huge);
            used_ = 0;
        }
        std::byte* at = blocks_[current_].data() + used_;
        used_ += bytes;
        packed_ += bytes;
        return at;
    }
    // Every state packed so far is dropped; the blocks stay for the next layer.
    void reset() {
        current_ = 0;
        used_ = 0;
        packed_ = 0;
    }
    // Bytes of the states packed since the last reset.
    [[nodiscard]] std::size_t packed_bytes() const { return packed_; }

  private:
    static constexpr std::size_t block_size = MappedMemory::huge_page;
    std::vector<MappedMemory> blocks_;
    std::size_t current_ = 0;
    std::size_t used_ = 0;
    std::size_t packed_ = 0;
};

// A frontier state: its index (four bytes) and then its packed form (StateStore::pack), in its
// lane's arena.
struct Node {
    const std::byte* state = nullptr;
    std::uint64_t fingerprint = 0;
    [[nodiscard]] std::uint32_t index() const {
        std::uint32_t index = 0;
        std::memcpy(&index, state, sizeof index);
        return index;
    }
    [[nodiscard]] const std::byte* packed() const { return state + sizeof(std::uint32_t); }
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

// One thread's share of a layer, on cache lines of its own: the threads append to their lanes
// at once, and each lane's cursor is claimed by all of them.
struct alignas(64) Lane {
    std::vector<Node> nodes;  // states of the layer, generated by this lane's thread
    PackedArena arena;        // where they are packed
    std::vector<Found> found;
    std::vector<std::uint64_t> layer_fingerprints;   // --por: this layer's new states
    alignas(64) std::atomic<std::size_t> cursor{0};  // the first node no thread claimed yet
    void clear() {
        nodes.clear();
        arena.reset();
        found.clear();
        layer_fingerprints.clear();
        cursor.store(0);
    }
};

// The most resident memory this process had so far (VmHWM), or 0 where /proc does not say.
std::uint64_t peak_resident_bytes() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
    }
    return 0;
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
          symmetric_(options.symmetry && pcheck::symmetry_allowed(*scenario)) {
        stop_reason_.reserve(256);  // set_stop_reserved never allocates
        if (options.dead_fields && !symmetric_) dead_fields_.emplace(*scenario->compiled);
    }

    CheckResult run() {
        const auto started = std::chrono::steady_clock::now();
        CheckResult result;
        if (options_.partial_order && scenario_->host_priority) {
            result.verdict = Verdict::incomplete;
            result.stop_reason = "--por cannot be combined with a scenario's host_priority";
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
        // One lane per thread: a thread expands the states it generated (their memory came
        // from its own malloc arena, so freeing them takes no other thread's lock), then helps
        // with the others' lanes.
        const std::size_t threads = std::max(1u, options_.threads);
        std::vector<Lane> frontier(threads);
        std::vector<Lane> next(threads);
        std::uint32_t depth = 0;
        if (options_.resume) {
            depth = resume(frontier, result);
        } else {
            log_.emplace(options_.scratch_dir, kept_log_path(), 0);
            if (!log_->ok()) {
                result.verdict = Verdict::incomplete;
                result.stop_reason = "cannot create the parent log in the scratch directory";
                return result;
            }
            World initial(borrowed_scenario_, options_.variants, options_.faults);
            initial.use_cache(store_);  // inherited by every state: remembered steps
            pcheck::SymmetryScratch symmetry;
            const std::uint64_t fingerprint = fingerprint_of(initial, symmetry);
            initial_fingerprint_ = fingerprint;
            (void)visited_.insert(fingerprint);
            store_.share_parts(initial);
            states_ = 1;
            std::vector<Found> found;
            std::vector<Action> actions;
            Found at;
            at.initial = true;
            if (admit(initial, fingerprint, at, actions, found)) {
                push(frontier[0], initial, fingerprint, 0);
            }
            prototype_.emplace(std::move(initial));
            if (!found.empty()) return finish(result, found, started);
        }
        auto layer_size = [](const std::vector<Lane>& lanes) {
            std::size_t total = 0;
            for (const Lane& lane : lanes) total += lane.nodes.size();
            return total;
        };
        // What a layer's states take: their packed forms and their nodes.
        auto layer_bytes = [](const std::vector<Lane>& lanes) {
            std::size_t total = 0;
            for (const Lane& lane : lanes) {
                total += lane.arena.packed_bytes() + lane.nodes.size() * sizeof(Node);
            }
            return total;
        };
        // Each thread keeps its scratch (and the states it builds) across layers.
        std::vector<std::unique_ptr<Worker>> workers(threads);
        LayerPool pool(static_cast<unsigned>(threads));
        const auto expand_share = [&](unsigned thread) {
            if (workers[thread] == nullptr) workers[thread] = std::make_unique<Worker>();
            Worker& work = *workers[thread];
            Lane& out = next[thread];
            for (std::size_t turn = 0; turn < threads; ++turn) {
                Lane& lane = frontier[(thread + turn) % threads];
                while (!stop_.load(std::memory_order_relaxed)) {
                    const std::size_t begin = lane.cursor.fetch_add(chunk);
                    if (begin >= lane.nodes.size()) break;
                    const std::size_t end = std::min(lane.nodes.size(), begin + chunk);
                    // Inserts into the set that grows in this layer, in a session per chunk
                    // (under --por only next_layer_ takes inserts; visited_ is read).
                    work.writer.emplace(options_.partial_order ? next_layer_ : visited_);
                    for (std::size_t at = begin; at < end; ++at) {
                        expand(lane.nodes[at], work, out);
                    }
                    settle_pending(work, out);  // before the session ends
                    work.writer.reset();
                    log_->append(work.records);
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
        };
        const std::function<void(unsigned)> expand_layer = [&](unsigned thread) {
            // Out of memory on any thread (a frontier block, the visited set's growth, a part
            // table) stops the search with what it found, as --max-memory does: an exception
            // left to a pool thread would abort the process.
            // The reason is a literal copied into reserved room: building a string here could
            // throw again.
            try {
                expand_share(thread);
                return;
            } catch (const std::bad_alloc&) {
                set_stop_reserved(out_of_memory);
            } catch (const std::length_error&) {
                set_stop_reserved(out_of_memory);
            }
            // The states this thread admitted keep their parents (a violation among them is
            // reported with its trace) and are counted; the successors not yet judged are lost
            // with the search.
            try {
                if (Worker* work = workers[thread].get()) {
                    work->writer.reset();
                    log_->append(work->records);
                    work->records.clear();
                    states_.fetch_add(work->states, std::memory_order_relaxed);
                    transitions_.fetch_add(work->transitions, std::memory_order_relaxed);
                    work->states = 0;
                    work->transitions = 0;
                }
            } catch (const std::exception&) {
                // Nothing more to keep: the stop reason stands.
            }
        };
        while (layer_size(frontier) > 0) {
            result.peak_frontier =
                std::max<std::uint64_t>(result.peak_frontier, layer_size(frontier));
            if (const std::uint64_t bytes = layer_bytes(frontier);
                bytes > result.peak_frontier_bytes) {
                result.peak_frontier_bytes = bytes;
                result.peak_frontier_bytes_states = layer_size(frontier);
            }
            pool.run(expand_layer);
            if (options_.partial_order) {
                FingerprintSet::Writer writer(visited_);
                for (const Lane& lane : next) {
                    for (const std::uint64_t fingerprint : lane.layer_fingerprints) {
                        (void)writer.insert(fingerprint);
                    }
                }
                next_layer_.clear();
            }
            ++depth;
            result.depth = depth;
            std::vector<Found> all;
            for (Lane& lane : next) {
                for (Found& item : lane.found) all.push_back(std::move(item));
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
            const bool interrupted = interrupt_requested() && layer_size(next) > 0;
            if (!options_.checkpoint_dir.empty() && (interrupted || checkpoint_due())) {
                if (auto problem = save_checkpoint(depth, next, result.peak_frontier, started)) {
                    result.verdict = Verdict::incomplete;
                    result.stop_reason = *problem;
                    return finish(result, {}, started);
                }
                ++result.checkpoints;
            }
            if (interrupted) {
                result.verdict = Verdict::incomplete;
                result.stop_reason = "interrupted";
                return finish(result, {}, started);
            }
            frontier.swap(next);
            for (Lane& lane : next) lane.clear();
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
        if (!pmodel::any_live(actions)) {
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
        std::optional<World> parent;  // the state being expanded, unpacked
        std::optional<World> child;   // scratch for successors (see take)
        // Successors of a fully expanded state, built and fingerprinted, waiting to be judged
        // (see take_all): two batches, one pending while the next is built.
        struct Batch {
            std::vector<World> children;
            std::vector<std::uint64_t> fingerprints;
            std::uint32_t parent = 0;  // the expanded state's index
            std::uint32_t count = 0;   // successors built
        };
        std::array<Batch, 2> batches;
        std::size_t building = 0;  // the batch take_all fills next
        bool pending = false;      // the other batch waits to be settled
        // This chunk's session of the set new states go into (visited_, or next_layer_ under
        // --por).
        std::optional<FingerprintSet::Writer> writer;
        std::vector<ParentLog::Record> records;
        pmodel::ApplyResult applied;
        pcheck::ReductionScratch reduction;
        pcheck::SymmetryScratch symmetry;
        std::vector<std::uint32_t> chosen;  // --por: the persistent subset taken
        std::uint64_t reduced = 0;          // states expanded with a proper subset
        std::uint64_t subsets = 0;
        std::uint64_t states = 0;       // new since the last chunk
        std::uint64_t transitions = 0;  // since the last chunk
        std::uint32_t next_index = 0;   // state indices reserved by this thread: [next, end)
        std::uint32_t end_index = 0;
    };
    static constexpr std::uint32_t index_block = 1024;

    void push(Lane& lane, const World& world, std::uint64_t fingerprint, std::uint32_t index) {
        thread_local std::vector<std::byte> bytes;
        store_.pack(world, bytes);
        std::byte* at = lane.arena.allocate(sizeof index + bytes.size());
        std::memcpy(at, &index, sizeof index);
        std::memcpy(at + sizeof index, bytes.data(), bytes.size());
        lane.nodes.push_back(Node{at, fingerprint});
    }

    void expand(const Node& node, Worker& work, Lane& next) {
        World& parent = work.parent.has_value() ? *work.parent : work.parent.emplace(*prototype_);
        store_.unpack(parent, node.packed());
        const Expanding from{parent, node.index(), node.fingerprint};
        std::vector<Action>& actions = work.actions;
        parent.enabled_actions(actions);
        std::vector<std::uint32_t>& chosen = work.chosen;
        const bool reduced = options_.partial_order &&
                             pcheck::persistent_subset(parent, actions, work.reduction, chosen);
        if (!reduced) {
            take_all(from, work, next);
            return;
        }
        ++work.subsets;
        settle_pending(work, next);  // successors are judged in the order states came
        // Cycle proviso (breadth-first form): a persistent subset may postpone the other
        // actions only along edges into the next layer. Every cycle of the reduced graph then
        // has an edge back to an earlier layer, whose source was expanded in full, so no action
        // is postponed around a cycle forever. Under --por a layer's new states join the
        // visited set only when the layer ends, so "earlier layer" is exact, whatever the
        // threads do.
        bool into_next_layer = true;
        for (const std::uint32_t choice : chosen) {
            into_next_layer &= take(from, choice, work, next) != Reached::earlier_layer;
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
            (void)take(from, choice, work, next);
        }
    }

    enum class Reached { new_state, next_layer, earlier_layer };

    // The state being expanded, unpacked, its index and its key in the visited set.
    struct Expanding {
        const World& world;
        std::uint32_t index;
        std::uint64_t key;
    };

    // Applies one action of `node`: where it led.
    Reached take(const Expanding& node, std::uint32_t choice, Worker& work, Lane& next) {
        // Under --por the closure may have computed this successor already.
        std::vector<std::optional<World>>& computed = work.reduction.successors;
        const bool precomputed = choice < computed.size() && computed[choice].has_value();
        // The child is built in the worker's scratch world: copy-assigning keeps its vectors'
        // capacity, so the many successors that turn out to be visited cost no allocation.
        World& child = work.child.has_value() ? *work.child : work.child.emplace(node.world);
        if (precomputed) {
            child = std::move(*computed[choice]);
            computed[choice].reset();
        } else {
            child = node.world;
            child.apply(work.actions[choice], work.applied);
        }
        return settle(node.index, choice, child, successor_key(node, child, work.symmetry), work,
                      next);
    }

    // Every action of `node` (no reduction). All successors are built and fingerprinted and
    // their visited-set slots prefetched; they are judged (in action order) only after the next
    // state's successors are built, so the slots' cache misses (a third of a long search's
    // time when taken one after another) overlap with that work. Successors are still judged in
    // the order of their states: the search is the same as judging each at once.
    void take_all(const Expanding& node, Worker& work, Lane& next) {
        const std::size_t count = work.actions.size();
        Worker::Batch& batch = work.batches[work.building];
        while (batch.children.size() < count) batch.children.emplace_back(node.world);
        batch.fingerprints.resize(std::max(batch.fingerprints.size(), count));
        for (std::uint32_t choice = 0; choice < count; ++choice) {
            World& child = batch.children[choice];
            child = node.world;
            child.apply(work.actions[choice], work.applied);
            batch.fingerprints[choice] = successor_key(node, child, work.symmetry);
        }
        // Back to back: each prefetch may wait for a page walk, and walks overlap only when
        // their prefetches are near each other in the instruction stream.
        for (std::uint32_t choice = 0; choice < count; ++choice) {
            work.writer->prefetch(batch.fingerprints[choice]);
        }
        batch.parent = node.index;
        batch.count = static_cast<std::uint32_t>(count);
        settle_pending(work, next);
        work.building ^= 1;
        work.pending = true;
    }

    // Judges the successors of the batch that waits, if one does.
    void settle_pending(Worker& work, Lane& next) {
        if (!work.pending) return;
        work.pending = false;
        Worker::Batch& batch = work.batches[work.building ^ 1];
        for (std::uint32_t choice = 0; choice < batch.count; ++choice) {
            (void)settle(batch.parent, choice, batch.children[choice], batch.fingerprints[choice],
                         work, next);
        }
    }

    // Judges the successor `child` of state `parent` by action `choice`, and keeps it when new.
    Reached settle(std::uint32_t parent,
                   std::uint32_t choice,
                   World& child,
                   std::uint64_t fingerprint,
                   Worker& work,
                   Lane& next) {
        std::vector<Found>& found = next.found;
        ++work.transitions;
        Found at;
        at.parent = parent;
        at.choice = choice;
        if (!child.violations().empty()) {
            at.fingerprint = fingerprint;
            at.violation = child.violations().front();
            found.push_back(std::move(at));
            return Reached::new_state;
        }
        if (options_.partial_order) {
            if (visited_.contains(fingerprint)) return Reached::earlier_layer;
            if (!work.writer->insert(fingerprint)) return Reached::next_layer;
            next.layer_fingerprints.push_back(fingerprint);
        } else if (!work.writer->insert(fingerprint)) {
            return Reached::earlier_layer;
        }
        ++work.states;
        if (work.next_index == work.end_index) {
            work.next_index = static_cast<std::uint32_t>(next_index_.fetch_add(index_block));
            work.end_index = work.next_index + index_block;
        }
        const std::uint32_t index = work.next_index++;
        work.records.push_back(ParentLog::Record{index, parent, choice});
        if (admit(child, fingerprint, at, work.child_actions, found)) {
            store_.share_parts(child);
            push(next, child, fingerprint, index);
        }
        return Reached::new_state;
    }

    // The visited set's key: the state's own fingerprint, or its orbit's under --symmetry, or
    // its fingerprint without its dead fields (the default; pcheck/dead_fields.hpp).
    std::uint64_t fingerprint_of(const World& world, pcheck::SymmetryScratch& scratch) const {
        if (symmetric_) return pcheck::canonical_fingerprint(world, scratch);
        return dead_fields_ ? dead_fields_->fingerprint(world) : world.fingerprint();
    }

    // The key of a successor of `node`: under dead fields (the default) from the node's key and
    // the parts the step changed, never rehashing the rest (debug builds check it against the
    // whole computation).
    std::uint64_t successor_key(const Expanding& node,
                                const World& child,
                                pcheck::SymmetryScratch& scratch) const {
        if (symmetric_ || !dead_fields_) return fingerprint_of(child, scratch);
        const std::uint64_t key = dead_fields_->fingerprint_from(node.world, node.key, child);
        assert(key == dead_fields_->fingerprint(child));
        return key;
    }

    void watch_bounds() {
        // With checkpoints an interrupt waits for the layer's end, where one can be written.
        if (options_.checkpoint_dir.empty() && interrupt_requested()) set_stop("interrupted");
        if (options_.max_states != 0 && states_.load() >= options_.max_states) {
            set_stop("--max-states " + std::to_string(options_.max_states) + " reached");
        }
        if (options_.max_memory != 0 && resident_bytes() >= options_.max_memory) {
            set_stop("--max-memory " + std::to_string(options_.max_memory) + " bytes reached");
        }
    }

    static constexpr const char* out_of_memory =
        "out of memory (raise the memory, or bound the search with --max-memory or --max-states)";

    // set_stop without allocating: stop_reason_ has room reserved for any literal reason.
    void set_stop_reserved(const char* reason) {
        std::lock_guard<std::mutex> lock(deadlock_mutex_);
        if (stop_.load()) return;
        stop_reason_.assign(reason);
        stop_.store(true);
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
        result.distinct_slots = store_.distinct_slots();
        result.memoised_steps = store_.remembered_steps();
        result.reduced_states = reduced_.load();
        result.persistent_subsets = subsets_.load();
        result.peak_resident_bytes = peak_resident_bytes();
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
                    log_->path_to(chosen->parent, next_index_.load());
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
            previous_seconds_ +
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        return result;
    }

    [[nodiscard]] std::string kept_log_path() const {
        return options_.checkpoint_dir.empty() ? std::string()
                                               : parent_log_path(options_.checkpoint_dir);
    }

    [[nodiscard]] bool interrupt_requested() const {
        return options_.interrupt != nullptr && options_.interrupt->load();
    }

    [[nodiscard]] bool checkpoint_due() const {
        const auto now = std::chrono::steady_clock::now();
        return std::chrono::duration<double>(now - last_checkpoint_).count() >=
               options_.checkpoint_seconds;
    }

    // Writes the search state after layer `depth` (the next layer is `layer`); a message when
    // it cannot.
    std::optional<std::string> save_checkpoint(std::uint32_t depth,
                                               const std::vector<Lane>& layer,
                                               std::uint64_t peak_frontier,
                                               std::chrono::steady_clock::time_point started) {
        CheckpointContents contents;
        contents.header = options_.checkpoint_header;
        SearchCounters& counters = contents.counters;
        counters.initial_fingerprint = initial_fingerprint_;
        counters.depth = depth;
        counters.states = states_.load();
        counters.transitions = transitions_.load();
        counters.terminal = terminal_.load();
        counters.deadlock_states = deadlock_states_.load();
        counters.reduced = reduced_.load();
        counters.subsets = subsets_.load();
        counters.next_index = next_index_.load();
        counters.parent_records = counters.states - 1;  // every state but the initial one
        counters.peak_frontier = peak_frontier;
        counters.seconds =
            previous_seconds_ +
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        counters.first_deadlock = first_deadlock_;
        counters.first_deadlock_fingerprint = first_deadlock_fingerprint_;
        for (const Lane& lane : layer) {
            for (const Node& node : lane.nodes) {
                contents.frontier.push_back(FrontierEntry{node.index(), node.fingerprint});
            }
        }
        try {
            if (!log_->sync()) {
                throw CheckpointError(kept_log_path(), "cannot write (disk full?)");
            }
            write_checkpoint(
                options_.checkpoint_dir, contents,
                [&](const std::function<void(std::uint64_t)>& each) { visited_.for_each(each); });
        } catch (const std::exception& error) {
            return std::string("cannot write a checkpoint: ") + error.what();
        }
        last_checkpoint_ = std::chrono::steady_clock::now();
        return std::nullopt;
    }

    // Restores the search state of the checkpoint in options_.checkpoint_dir: the visited set,
    // the counters, the parent log and (rebuilt) the frontier. Returns the layers done.
    std::uint32_t resume(std::vector<Lane>& frontier, CheckResult& result) {
        const std::string commit = options_.checkpoint_dir + "/checkpoint.json";
        CheckpointContents contents;
        {
            FingerprintSet::Writer writer(visited_);
            contents = read_checkpoint(options_.checkpoint_dir, [&](std::uint64_t fingerprint) {
                (void)writer.insert(fingerprint);
            });
        }
        const SearchCounters& counters = contents.counters;
        World initial(borrowed_scenario_, options_.variants, options_.faults);
        initial.use_cache(store_);
        pcheck::SymmetryScratch symmetry;
        initial_fingerprint_ = fingerprint_of(initial, symmetry);
        if (initial_fingerprint_ != counters.initial_fingerprint) {
            throw CheckpointError(commit,
                                  "was written for another scenario, design, fault budget "
                                  "or reduction (its initial state differs)");
        }
        store_.share_parts(initial);
        log_.emplace(options_.scratch_dir, kept_log_path(), counters.parent_records);
        if (!log_->ok()) {
            throw CheckpointError(kept_log_path(), "cannot be opened, or holds fewer than the " +
                                                       std::to_string(counters.parent_records) +
                                                       " records the checkpoint counts");
        }
        states_ = counters.states;
        transitions_ = counters.transitions;
        terminal_ = counters.terminal;
        deadlock_states_ = counters.deadlock_states;
        reduced_ = counters.reduced;
        subsets_ = counters.subsets;
        next_index_ = counters.next_index;
        first_deadlock_ = counters.first_deadlock;
        first_deadlock_fingerprint_ = counters.first_deadlock_fingerprint;
        result.peak_frontier = counters.peak_frontier;
        result.depth = counters.depth;
        previous_seconds_ = counters.seconds;
        if (counters.next_index < counters.states ||
            counters.parent_records + 1 != counters.states) {
            throw CheckpointError(commit, "is damaged: its counters disagree");
        }
        rebuild_frontier(initial, contents.frontier, counters.depth, frontier, commit);
        std::size_t rebuilt = 0;
        for (const Lane& lane : frontier) rebuilt += lane.nodes.size();
        if (rebuilt != contents.frontier.size()) {
            throw CheckpointError(commit, "is damaged: " + std::to_string(rebuilt) + " of its " +
                                              std::to_string(contents.frontier.size()) +
                                              " frontier states could be rebuilt");
        }
        prototype_.emplace(std::move(initial));
        return counters.depth;
    }

    // The frontier's states again, from the parent tree: a depth-first walk from the initial
    // state along the edges that lead to them, one step per edge, each rebuilt state checked
    // against its recorded fingerprint.
    void rebuild_frontier(const World& initial,
                          std::vector<FrontierEntry> entries,
                          std::uint32_t depth_done,
                          std::vector<Lane>& frontier,
                          const std::string& commit) {
        const std::vector<ParentLog::Record> records = log_->by_state(next_index_.load());
        std::sort(entries.begin(), entries.end(),
                  [](const FrontierEntry& a, const FrontierEntry& b) { return a.index < b.index; });
        std::vector<bool> on_a_path(records.size(), false);          // ancestors of frontier states
        std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;  // (parent, child)
        for (const FrontierEntry& entry : entries) {
            if (entry.index == 0 || entry.index >= records.size() ||
                records[entry.index].state != entry.index) {
                throw CheckpointError(commit, "names state " + std::to_string(entry.index) +
                                                  ", which the parent log does not hold");
            }
            // Up to the first ancestor whose own path is already recorded. A parent log that
            // names a state it does not hold, or loops, is damage.
            std::uint64_t steps = 0;
            for (std::uint32_t at = entry.index; at != 0;) {
                const std::uint32_t parent = records[at].parent;
                if ((parent != 0 &&
                     (parent >= records.size() || records[parent].state != parent)) ||
                    ++steps > depth_done + 1) {
                    throw CheckpointError(kept_log_path(), "is damaged: state " +
                                                               std::to_string(at) +
                                                               " has no path to the initial state");
                }
                edges.emplace_back(parent, at);
                if (on_a_path[parent]) break;
                on_a_path[parent] = true;
                at = parent;
            }
        }
        std::sort(edges.begin(), edges.end());
        edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
        walk_tree(initial, records, entries, edges, frontier, commit);
    }

    void walk_tree(const World& initial,
                   const std::vector<ParentLog::Record>& records,
                   const std::vector<FrontierEntry>& entries,
                   const std::vector<std::pair<std::uint32_t, std::uint32_t>>& edges,
                   std::vector<Lane>& frontier,
                   const std::string& commit) {
        struct Frame {
            World world;
            std::vector<Action> actions;
            std::size_t next_edge;  // into edges: the first (parent, child) of this node
        };
        auto first_edge = [&](std::uint32_t node) {
            return static_cast<std::size_t>(
                std::lower_bound(edges.begin(), edges.end(), std::make_pair(node, 0u)) -
                edges.begin());
        };
        pcheck::SymmetryScratch symmetry;
        std::size_t lane = 0;
        std::vector<Frame> stack;
        stack.push_back(Frame{initial, {}, first_edge(0)});
        stack.back().world.enabled_actions(stack.back().actions);
        std::vector<std::uint32_t> nodes{0};
        while (!stack.empty()) {
            Frame& top = stack.back();
            const std::uint32_t node = nodes.back();
            if (top.next_edge == edges.size() || edges[top.next_edge].first != node) {
                stack.pop_back();
                nodes.pop_back();
                continue;
            }
            const std::uint32_t child_index = edges[top.next_edge++].second;
            World child = top.world;
            const std::uint32_t choice = records[child_index].action;
            if (choice >= top.actions.size()) {
                throw CheckpointError(commit, "state " + std::to_string(child_index) +
                                                  " is reached by an action its parent lacks");
            }
            (void)child.apply(top.actions[choice]);
            const auto entry = std::lower_bound(
                entries.begin(), entries.end(), child_index,
                [](const FrontierEntry& item, std::uint32_t index) { return item.index < index; });
            if (entry != entries.end() && entry->index == child_index) {
                const std::uint64_t fingerprint = fingerprint_of(child, symmetry);
                if (fingerprint != entry->fingerprint) {
                    throw CheckpointError(commit, "state " + std::to_string(child_index) +
                                                      " rebuilds with another fingerprint (another "
                                                      "build of protocheck?)");
                }
                store_.share_parts(child);
                push(frontier[lane++ % frontier.size()], child, fingerprint, child_index);
            }
            const std::size_t below = first_edge(child_index);
            if (below < edges.size() && edges[below].first == child_index) {
                Frame frame{std::move(child), {}, below};
                frame.world.enabled_actions(frame.actions);
                stack.push_back(std::move(frame));
                nodes.push_back(child_index);
            }
        }
    }

    std::shared_ptr<const pmodel::Scenario> scenario_;
    std::shared_ptr<const pmodel::Scenario> borrowed_scenario_;
    CheckOptions options_;
    bool symmetric_ = false;
    std::optional<pcheck::DeadFields> dead_fields_;
    FingerprintSet visited_;
    FingerprintSet next_layer_;  // --por: the next layer's states until the layer ends
    StateStore store_;           // every distinct part of the states met, once; remembered steps
    std::optional<World> prototype_;  // the initial state: workers' scratch worlds start as it
    std::optional<ParentLog> log_;    // made when the search starts or resumes
    std::uint64_t initial_fingerprint_ = 0;
    double previous_seconds_ = 0;  // search time before a resume
    std::chrono::steady_clock::time_point last_checkpoint_ = std::chrono::steady_clock::now();
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
