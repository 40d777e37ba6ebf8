#include "pcheck/symmetry.hpp"

#include <algorithm>

namespace pcheck {

using namespace pmodel;  // the world's types, throughout this file

namespace {

constexpr std::uint32_t host = 0;
// Renamed ids are ranks 0..k-1; an id kept as it is (the host, a pinned component) is marked.
constexpr std::uint32_t kept = 0x80000000u;

std::uint32_t find(std::vector<std::uint32_t>& parent, std::uint32_t at) {
    while (parent[at] != at) {
        parent[at] = parent[parent[at]];
        at = parent[at];
    }
    return at;
}

void unite(std::vector<std::uint32_t>& parent, std::uint32_t a, std::uint32_t b) {
    a = find(parent, a);
    b = find(parent, b);
    if (a < b) {
        parent[b] = a;
    } else if (b < a) {
        parent[a] = b;
    }
}

std::uint64_t hash_of(const pcore::ByteWriter& bytes) {
    return pcore::hash_bytes(bytes.data(), bytes.size());
}

// What an expectation asks of its component, without its name (0: nothing).
std::uint32_t expectation_signature(const Expectation& expectation) {
    pcore::ByteWriter bytes;
    bytes.boolean(expectation.any);
    bytes.u8(static_cast<std::uint8_t>(expectation.outcome));
    bytes.text(expectation.error.value_or(""));
    bytes.boolean(expectation.error.has_value());
    bytes.text(expectation.layer.value_or(""));
    bytes.boolean(expectation.layer.has_value());
    return static_cast<std::uint32_t>(hash_of(bytes)) | 1u;
}

class Canon {
  public:
    Canon(const World& world, SymmetryScratch& scratch) : world_(world), scratch_(scratch) {
        count_ = static_cast<std::uint32_t>(world.comps().size());
        group_components();
        pin();
    }

    std::uint64_t fingerprint() {
        pcore::ByteWriter& out = scratch_.writer;
        // Shapes first (they use the writer for themselves), then the fixed part.
        std::vector<std::uint64_t>& shapes = scratch_.shapes;
        shapes.clear();
        for (std::uint32_t rep = 1; rep < count_; ++rep) {
            if (is_group_(rep) && scratch_.pinned[rep] == 0) shapes.push_back(shape_of(rep));
        }
        std::sort(shapes.begin(), shapes.end());
        out.clear();
        out.u32(count_);
        // The host and the pinned components, with their own ids.
        std::vector<std::uint32_t>& rename = scratch_.rename;
        rename.assign(count_, 0);
        for (std::uint32_t comp = 0; comp < count_; ++comp) rename[comp] = comp | kept;
        out.rename_components(&rename);
        for (std::uint32_t comp = 0; comp < count_; ++comp) {
            if (comp != host && scratch_.pinned[scratch_.group[comp]] == 0) continue;
            out.u32(comp);
            encode_member(out, comp, true);
        }
        for (const Link& link : world_.links()) {
            if (!fixed(link.from.value()) && !fixed(link.to.value())) continue;
            out.u32(link.from.value());
            out.u32(link.to.value());
            encode(out, link.queue);
        }
        encode_fixed_monitors(out);
        out.rename_components(nullptr);
        // Names stay with ids, so a renaming keeps the multiset of names; it decides how new
        // instances are numbered and which expected names exist.
        std::vector<const std::string*> names;
        for (std::uint32_t comp = 0; comp < count_; ++comp) {
            if (!fixed(comp)) names.push_back(&world_.comps()[comp].name);
        }
        std::sort(names.begin(), names.end(),
                  [](const std::string* a, const std::string* b) { return *a < *b; });
        for (const std::string* name : names) out.text(*name);
        out.u32(static_cast<std::uint32_t>(shapes.size()));
        for (const std::uint64_t shape : shapes) out.u64(shape);
        return hash_of(out);
    }

    std::uint32_t free_groups() const {
        std::uint32_t free = 0;
        for (std::uint32_t rep = 1; rep < count_; ++rep) {
            free += is_group_(rep) && scratch_.pinned[rep] == 0 ? 1u : 0u;
        }
        return free;
    }

  private:
    bool is_group_(std::uint32_t comp) const { return scratch_.group[comp] == comp; }
    bool fixed(std::uint32_t comp) const {
        return comp == host || comp >= count_ || scratch_.pinned[scratch_.group[comp]] != 0;
    }

    void group_components() {
        std::vector<std::uint32_t>& group = scratch_.group;
        group.resize(count_);
        for (std::uint32_t comp = 0; comp < count_; ++comp) group[comp] = comp;
        scratch_.pinned.assign(count_, 0);
        host_names_.clear();
        auto join_all = [&](std::uint32_t anchor) {
            for (const std::uint32_t named : scratch_.names) {
                if (named >= count_ || named == anchor) continue;
                if (anchor == host) {
                    host_names_.push_back(named);  // the host may address it: it keeps its id
                } else if (named != host) {        // naming the host (a creator) is no bond
                    unite(group, anchor, named);
                }
            }
            scratch_.names.clear();
        };
        for (std::uint32_t comp = 0; comp < count_; ++comp) {
            scratch_.names.clear();
            scratch_.named.append(world_, comp, scratch_.names);
            join_all(comp);
        }
        for (const Link& link : world_.links()) {
            for (const Message& message : link.queue)
                scratch_.named.append(message, scratch_.names);
            scratch_.names.push_back(link.from.value());
            join_all(link.to.value());
        }
        for (std::uint32_t comp = 0; comp < count_; ++comp) {
            const CompId from = world_.slot_ghost(CompId(comp)).trigger_from;
            if (!from.valid()) continue;
            scratch_.names.push_back(from.value());
            join_all(comp);
        }
        const Ghost& monitors = world_.ghost();
        for (const PutRecord& put : monitors.puts) {
            scratch_.names.push_back(put.channel.creator);
            join_all(put.sender.value());
        }
        for (const RoundLink& link : monitors.links) {
            scratch_.names.push_back(link.getter.value());
            join_all(link.putter.value());
        }
        for (const ErrorArrival& arrival : monitors.arrivals) {
            scratch_.names.push_back(arrival.error.origin.value());
            if (arrival.author.valid()) scratch_.names.push_back(arrival.author.value());
            for (const CompId relay : arrival.error.relay) scratch_.names.push_back(relay.value());
            join_all(arrival.comp.value());
        }
        for (const Handoff& handoff : monitors.handoffs) {
            scratch_.names.push_back(handoff.created.value());
            join_all(handoff.creator.value());
        }
        for (std::uint32_t comp = 0; comp < count_; ++comp) group[comp] = find(group, comp);
    }

    void pin() {
        std::vector<std::uint8_t>& pinned = scratch_.pinned;
        std::vector<std::uint32_t>& group = scratch_.group;
        // Named by the host, or in a message to or from it.
        for (const std::uint32_t named : host_names_) pinned[group[named]] = 1;
        // Told apart by the expectations.
        const Scenario& scenario = world_.scenario();
        std::vector<std::uint32_t>& expected = scratch_.expectation;
        expected.assign(count_, 0);
        for (const Expectation& expectation : scenario.expect) {
            std::vector<const std::string*> mentioned;
            if (expectation.origin) mentioned.push_back(&*expectation.origin);
            if (expectation.canceller) mentioned.push_back(&*expectation.canceller);
            if (expectation.relay) {
                for (const std::string& name : *expectation.relay) mentioned.push_back(&name);
            }
            for (std::uint32_t comp = 0; comp < count_; ++comp) {
                const std::string& name = world_.comps()[comp].name;
                if (name == expectation.name) {
                    expected[comp] = expectation_signature(expectation);
                    if (!mentioned.empty()) pinned[group[comp]] = 1;
                }
                for (const std::string* other : mentioned) {
                    if (name == *other) pinned[group[comp]] = 1;
                }
            }
        }
        // The host's group is the host alone; pinned by definition.
        pinned[host] = 1;
    }

    // A group's shape: its members renamed 0..k-1 in id order, the host kept as it is.
    std::uint64_t shape_of(std::uint32_t rep) {
        std::vector<std::uint32_t>& rename = scratch_.rename;
        rename.assign(count_, 0);
        std::uint32_t rank = 0;
        for (std::uint32_t comp = 0; comp < count_; ++comp) {
            rename[comp] = scratch_.group[comp] == rep ? rank++ : (comp | kept);
        }
        pcore::ByteWriter& out = scratch_.shape;
        out.clear();
        out.rename_components(&rename);
        out.u32(rank);
        for (std::uint32_t comp = 0; comp < count_; ++comp) {
            if (scratch_.group[comp] == rep) encode_member(out, comp, false);
        }
        // Links between members (none cross groups or reach the host: those are pinned).
        std::vector<std::pair<std::uint64_t, std::uint64_t>> links;
        for (const Link& link : world_.links()) {
            if (scratch_.group[link.to.value()] != rep) continue;
            pcore::ByteWriter& bytes = scratch_.entry;
            bytes.clear();
            bytes.rename_components(&rename);
            encode(bytes, link.queue);
            bytes.rename_components(nullptr);
            links.emplace_back((static_cast<std::uint64_t>(rename[link.from.value()]) << 32) |
                                   rename[link.to.value()],
                               hash_of(bytes));
        }
        std::sort(links.begin(), links.end());
        out.u32(static_cast<std::uint32_t>(links.size()));
        for (const auto& [ends, queue] : links) {
            out.u64(ends);
            out.u64(queue);
        }
        encode_group_monitors(out, rep);
        out.rename_components(nullptr);
        return hash_of(out);
    }

    // A member's slot; its name only when it keeps its id (a renamed member's name stands for
    // its expectation, which is what names decide).
    void encode_member(pcore::ByteWriter& out, std::uint32_t comp, bool with_name) {
        const CompSlot& slot = world_.comps()[comp];
        if (with_name) {
            out.text(slot.name);
        } else {
            out.u32(scratch_.expectation[comp]);
        }
        pcore::encode(out, slot.state);
        out.u32(static_cast<std::uint32_t>(world_.refcount(CompId(comp))));
        out.boolean(world_.freed(CompId(comp)));
        encode(out, world_.slot_ghost(CompId(comp)));
    }

    // Monitor entries are sets: each is encoded on its own and the encodings sorted, so that a
    // renaming (which may reorder them) gives the same bytes.
    template <class Belongs>
    void encode_monitors(pcore::ByteWriter& out, Belongs&& belongs) {
        const Ghost& monitors = world_.ghost();
        std::vector<std::uint64_t> entries;
        pcore::ByteWriter& bytes = scratch_.entry;
        const std::vector<std::uint32_t>* rename = &scratch_.rename;
        // Each kind of entry belongs to the group of one component in it.
        auto add_all = [&](std::uint8_t kind, const auto& list, auto owner) {
            for (const auto& entry : list) {
                if (!belongs(owner(entry))) continue;
                bytes.clear();
                bytes.rename_components(rename);
                bytes.u8(kind);
                encode(bytes, entry);
                bytes.rename_components(nullptr);
                entries.push_back(hash_of(bytes));
            }
        };
        add_all(0, monitors.channels,
                [](const ChannelProgress& progress) { return progress.channel.creator; });
        add_all(1, monitors.puts, [](const PutRecord& put) { return put.sender.value(); });
        add_all(2, monitors.roots, [](const RootError& root) { return root.origin.value(); });
        add_all(3, monitors.arrivals,
                [](const ErrorArrival& arrival) { return arrival.comp.value(); });
        add_all(4, monitors.links, [](const RoundLink& link) { return link.putter.value(); });
        add_all(5, monitors.handoffs,
                [](const Handoff& handoff) { return handoff.creator.value(); });
        std::sort(entries.begin(), entries.end());
        out.u32(static_cast<std::uint32_t>(entries.size()));
        for (const std::uint64_t entry : entries) out.u64(entry);
    }

    void encode_group_monitors(pcore::ByteWriter& out, std::uint32_t rep) {
        encode_monitors(
            out, [&](std::uint32_t comp) { return comp < count_ && scratch_.group[comp] == rep; });
    }

    void encode_fixed_monitors(pcore::ByteWriter& out) {
        encode_monitors(out, [&](std::uint32_t comp) { return fixed(comp); });
        for (const std::uint32_t used : world_.ghost().faults_used) out.u32(used);
    }

    const World& world_;
    SymmetryScratch& scratch_;
    std::uint32_t count_ = 0;
    std::vector<std::uint32_t> host_names_;
};

}  // namespace

bool symmetry_allowed(const Scenario& scenario) {
    for (const pcore::Definition& definition : scenario.compiled->definitions) {
        for (const pcore::Instruction& instruction : definition.program.code) {
            if (instruction.op == pcore::Op::cancel) return false;
        }
    }
    return true;
}

std::uint64_t canonical_fingerprint(const World& world, SymmetryScratch& scratch) {
    Canon canon(world, scratch);
    if (canon.free_groups() < 2) return world.fingerprint();
    const std::uint64_t hash = canon.fingerprint();
    return hash == 0 ? 1 : hash;
}

}  // namespace pcheck
