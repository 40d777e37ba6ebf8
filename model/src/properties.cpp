#include "pmodel/properties.hpp"

namespace pmodel {

const std::vector<PropertyInfo>& property_catalogue() {
    static const std::vector<PropertyInfo> catalogue = {
        {"DF-1",
         "no protocol hang: no live component waits in a terminal state on a peer that "
         "terminated or failed",
         true, PropertyKind::terminal},
        {"DF-2",
         "exit completes: every terminated component got its Acks, reached Exit and was "
         "freed",
         true, PropertyKind::terminal},
        {"DF-3",
         "every round decides: no component that finished its sync block is left without a "
         "decision (application deadlocks are reported apart; timeouts=on breaks them)",
         true, PropertyKind::terminal},
        {"NM-1",
         "attribution: every failure names a root cause that happened, along a real relay "
         "path",
         true, PropertyKind::terminal},
        {"NM-2", "no downgrade: an end caused by a remote error is `failed`", true,
         PropertyKind::terminal},
        {"NM-3", "precedence: local error > remote error > foreign cancel > own cancel > result",
         true, PropertyKind::terminal},
        {"NM-4", "the host observes every root error, none lost, none twice", true,
         PropertyKind::terminal},
        {"NM-5", "each component's failure handler runs exactly once", true, PropertyKind::monitor},
        {"SY-1", "agreement: a participant's decision covers every peer of its round", true,
         PropertyKind::monitor},
        {"SY-2", "validity: Solution only with agreeing channels and no failed participant", true,
         PropertyKind::monitor},
        {"SY-3",
         "no false failure: a round decided Solution is not failed at a participant by a "
         "ClosePort",
         true, PropertyKind::monitor},
        {"SY-4",
         "failure spreads: no participant reports Solution for a round in which it knew a "
         "participant failed",
         true, PropertyKind::monitor},
        {"SY-5",
         "order: no participant of a round decided Solution accepted a peer's puts in another "
         "order than the peer made them",
         true, PropertyKind::monitor},
        {"PT-1",
         "per channel, the getter accepts what the putter sent, in order, across "
         "transfers",
         true, PropertyKind::monitor},
        {"PT-2", "a created component is not scheduled before every Acknowledge of its hand-off",
         true, PropertyKind::monitor},
        {"LC-1", "no message is sent to (or reference taken on) a freed component", true,
         PropertyKind::monitor},
        {"LC-2",
         "conservation: every put is received, reported failed, or its sender failed in "
         "that round",
         true, PropertyKind::terminal},
        {"LC-3", "reference counts never go negative; freed exactly at count 0", true,
         PropertyKind::monitor},
        {"EXPECT", "the scenario's expect block holds in every run", true, PropertyKind::terminal},
    };
    return catalogue;
}

const PropertyInfo* find_property(std::string_view id) {
    for (const PropertyInfo& info : property_catalogue()) {
        if (info.id == id) return &info;
    }
    return nullptr;
}

}  // namespace pmodel
