// The frontier's compact form of a state (StateStore::pack/unpack): varints only. The number
// of components and of links, the deliveries so far and the monitors' record, then each
// component's interned entry and each link's (from, to, queue), every part by its number in the
// store's directories (pcheck/part_directory.hpp). A state of the ring of five takes about 45
// bytes this way, against about 200 with addresses.
#include <cassert>
#include <cstring>
#include <type_traits>

#include "pcheck/state_store.hpp"
#include "pmodel/world_parts.hpp"

namespace pcheck {

using pmodel::Link;
using pmodel::WorldParts;

namespace {

void put_varint(std::vector<std::byte>& out, std::uint64_t value) {
    while (value >= 0x80) {
        out.push_back(static_cast<std::byte>((value & 0x7F) | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<std::byte>(value));
}

std::uint64_t get_varint(const std::byte*& in) {
    std::uint64_t value = 0;
    for (unsigned shift = 0;; shift += 7) {
        const auto byte = static_cast<std::uint64_t>(*in++);
        value |= (byte & 0x7F) << shift;
        if ((byte & 0x80) == 0) return value;
    }
}

std::uint32_t get_number(const std::byte*& in) {
    return static_cast<std::uint32_t>(get_varint(in));
}

static_assert(std::is_trivially_copyable_v<StateStore::EntryValue>);
static_assert(std::is_trivially_copyable_v<pmodel::SlotGhost>);

}  // namespace

std::uint32_t StateStore::entry_number(const World& world, std::size_t index) {
    const pmodel::SlotVector& comps = world.comps();
    assert(comps.borrowed(index));
    const auto* numbered = static_cast<const NumberedEntry*>(comps.note(index));
    if (numbered == nullptr) {  // changed since it was unpacked, or never packed
        const EntryValue entry = comps.value(index);
        numbered = packed_entries_.get(memo_hash({entry.entry_hash}), entry, [&] {
            const EntryValue* interned =
                entries_.intern(entry.entry_hash, std::make_shared<EntryValue>(entry)).get();
            // Two threads may number one entry twice: either number will do.
            const std::uint32_t number = entry_numbers_.add_with([&](std::uint32_t given) {
                return NumberedEntry{interned, given};
            });
            return &entry_numbers_.at(number);
        });
        comps.set_note(index, numbered);
    }
    return numbered->number;
}

std::uint32_t StateStore::queue_number(const World& world, const Link& link) {
    assert(link.queue.borrowed());
    const std::vector<Message>* queue = link.queue.address();
    const std::uint64_t hash = WorldParts::queue_hash(world, link);
    return queue_numbers_.get(memo_hash({hash}), queue, [&] {
        return queue_directory_.add(InternedQueue{queue, hash});
    });
}

std::uint32_t StateStore::ghost_number(const World& world) {
    const pmodel::Ghost* ghost = WorldParts::ghost(world).address();
    const std::uint64_t hash = WorldParts::ghost_hash(world);
    return ghost_numbers_.get(memo_hash({hash}), ghost, [&] {
        return ghost_directory_.add(InternedGhost{ghost, hash});
    });
}

void StateStore::pack(const World& world, std::vector<std::byte>& out) {
    assert(!WorldParts::has_violations(world) && WorldParts::ghost(world).borrowed());
    out.clear();
    const pmodel::SlotVector& comps = world.comps();
    put_varint(out, comps.size());
    put_varint(out, world.links().size());
    put_varint(out, world.delivered());
    put_varint(out, ghost_number(world));
    // The hash caches travel with the state (filled already unless --symmetry fingerprinted
    // it): an entry's number names its hashes too.
    for (std::size_t index = 0; index < comps.size(); ++index) {
        (void)WorldParts::entry_hash(world, index);
        put_varint(out, entry_number(world, index));
    }
    for (const Link& link : world.links()) {
        put_varint(out, link.from.value());
        put_varint(out, link.to.value());
        put_varint(out, queue_number(world, link));
    }
}

void StateStore::unpack(World& world, const std::byte* in) const {
    const std::uint64_t comp_count = get_varint(in);
    const std::uint64_t link_count = get_varint(in);
    WorldParts::delivered(world) = get_varint(in);
    const InternedGhost& ghost = ghost_directory_.at(get_number(in));
    WorldParts::ghost(world).borrow(ghost.ghost);
    WorldParts::set_ghost_hash(world, ghost.hash);
    WorldParts::clear_violations(world);
    pmodel::SlotVector& comps = WorldParts::comps(world);
    comps.resize(comp_count);
    for (std::size_t index = 0; index < comp_count; ++index) {
        const NumberedEntry& numbered = entry_numbers_.at(get_number(in));
        comps.assign(index, *numbered.entry, &numbered);
    }
    std::vector<Link>& links = WorldParts::links(world);
    links.resize(link_count);
    for (Link& link : links) {
        link.from = CompId(get_number(in));
        link.to = CompId(get_number(in));
        const InternedQueue& queue = queue_directory_.at(get_number(in));
        link.queue.borrow(queue.queue);
        link.queue_hash = queue.hash;
    }
}

}  // namespace pcheck
