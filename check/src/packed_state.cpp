// The frontier's compact form of a state (StateStore::pack/unpack): a header, the address of
// each component's interned entry, and each link's queue by address, all plain bytes.
#include <cassert>
#include <cstring>
#include <type_traits>

#include "pcheck/state_store.hpp"
#include "pmodel/world_parts.hpp"

namespace pcheck {

using pmodel::Link;
using pmodel::WorldParts;

namespace {

struct PackedHeader {
    std::uint32_t comps;
    std::uint32_t links;
    std::uint64_t delivered;
    const pmodel::Ghost* ghost;
    std::uint64_t ghost_hash;
};

struct PackedLink {
    std::uint32_t from;
    std::uint32_t to;
    const std::vector<Message>* queue;
    std::uint64_t queue_hash;
};

static_assert(std::is_trivially_copyable_v<StateStore::EntryValue>);
static_assert(std::is_trivially_copyable_v<pmodel::SlotGhost>);

}  // namespace

std::size_t StateStore::packed_size(const World& world) const {
    return sizeof(PackedHeader) + world.comps().size() * sizeof(const EntryValue*) +
           world.links().size() * sizeof(PackedLink);
}

void StateStore::pack(const World& world, std::byte* out) {
    assert(!WorldParts::has_violations(world) && WorldParts::ghost(world).borrowed());
    const pmodel::SlotVector& comps = world.comps();
    // The hash caches travel with the state (filled already unless --symmetry fingerprinted it).
    for (std::size_t index = 0; index < comps.size(); ++index) {
        (void)WorldParts::entry_hash(world, index);
    }
    const PackedHeader header{static_cast<std::uint32_t>(comps.size()),
                              static_cast<std::uint32_t>(world.links().size()), world.delivered(),
                              WorldParts::ghost(world).address(), WorldParts::ghost_hash(world)};
    std::memcpy(out, &header, sizeof header);
    out += sizeof header;
    for (std::size_t index = 0; index < comps.size(); ++index) {
        assert(comps.borrowed(index));
        const auto* interned = static_cast<const EntryValue*>(comps.note(index));
        if (interned == nullptr) {  // changed since it was unpacked, or never packed
            const EntryValue entry = comps.value(index);
            interned = packed_entries_.get(memo_hash({entry.entry_hash}), entry, [&] {
                return entries_.intern(entry.entry_hash, std::make_shared<EntryValue>(entry)).get();
            });
            comps.set_note(index, interned);
        }
        std::memcpy(out, &interned, sizeof interned);
        out += sizeof interned;
    }
    for (const Link& link : world.links()) {
        assert(link.queue.borrowed());
        const PackedLink packed{link.from.value(), link.to.value(), link.queue.address(),
                                WorldParts::queue_hash(world, link)};
        std::memcpy(out, &packed, sizeof packed);
        out += sizeof packed;
    }
}

void StateStore::unpack(World& world, const std::byte* in) const {
    PackedHeader header{};
    std::memcpy(&header, in, sizeof header);
    in += sizeof header;
    WorldParts::delivered(world) = header.delivered;
    WorldParts::ghost(world).borrow(header.ghost);
    WorldParts::set_ghost_hash(world, header.ghost_hash);
    WorldParts::clear_violations(world);
    pmodel::SlotVector& comps = WorldParts::comps(world);
    comps.resize(header.comps);
    for (std::size_t index = 0; index < header.comps; ++index) {
        const EntryValue* interned = nullptr;
        std::memcpy(&interned, in, sizeof interned);
        in += sizeof interned;
        comps.assign(index, *interned, interned);
    }
    std::vector<Link>& links = WorldParts::links(world);
    links.resize(header.links);
    for (Link& link : links) {
        PackedLink packed{};
        std::memcpy(&packed, in, sizeof packed);
        in += sizeof packed;
        link.from = CompId(packed.from);
        link.to = CompId(packed.to);
        link.queue.borrow(packed.queue);
        link.queue_hash = packed.queue_hash;
    }
}

}  // namespace pcheck
