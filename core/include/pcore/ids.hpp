// Strong identifiers of the Reowolf runtime model.
//
// Every id is a small integer with no implicit conversion, so that a port id can never be
// passed where a component id is expected. Ids are deterministic: components are numbered in
// creation order by the world, ports by a per-component counter (Reowolf: "identifiers for
// these ports are generated locally"), channels by (creator, creator's channel counter).
#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <string>

namespace pcore {

template <class Tag, class Rep>
class Id {
  public:
    using rep_type = Rep;
    constexpr Id() = default;
    constexpr explicit Id(Rep value) : value_(value) {}
    [[nodiscard]] constexpr Rep value() const { return value_; }
    [[nodiscard]] constexpr bool valid() const { return value_ != invalid_value; }
    static constexpr Id none() { return Id(invalid_value); }
    friend constexpr auto operator<=>(Id, Id) = default;

    static constexpr Rep invalid_value = std::numeric_limits<Rep>::max();

  private:
    Rep value_ = invalid_value;
};

// A component: the host `main` is 0, the others are numbered in spawn order. The leader of a
// sync round is the highest CompId discovered in the round.
using CompId = Id<struct CompIdTag, std::uint32_t>;
// A port, local to the component that owns it. Two components may use the same PortId.
using PortId = Id<struct PortIdTag, std::uint32_t>;
// An index into the scenario's interned error-type table.
using ErrorType = Id<struct ErrorTypeTag, std::uint16_t>;

// Ghost identity of a channel, stable across port transfers: (creator component, counter).
// The runtime never reads it; properties (PT-1, LC-2, SY-2) use it to follow a channel.
struct ChannelId {
    std::uint32_t creator = 0;
    std::uint32_t serial = 0;
    friend constexpr auto operator<=>(const ChannelId&, const ChannelId&) = default;
};

// Tractor's cancellation layers (seed 003): an OS signal, a cancel of a whole component by its
// host or supervisor, or a cancel of one sync round by a peer of that round.
enum class CancelLayer : std::uint8_t { os, component, round };

// "#7" for a component without a name. Built by append: GCC 12 reports a false -Wrestrict on
// `"#" + std::to_string(...)` at -O2.
inline std::string unnamed_component(CompId comp) {
    std::string name(1, '#');
    name.append(std::to_string(comp.value()));
    return name;
}

}  // namespace pcore
