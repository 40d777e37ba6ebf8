// The observers' own reading of an end's cause (NM-2, NM-3), shared by observe.cpp (which
// defines it) and errors.cpp. Private to model/src/properties/.
#pragma once

#include "pcore/component.hpp"
#include "pmodel/observed.hpp"

namespace pmodel {

// How `self` ended, as the observer ranks causes (contract §7 NM-3): a result for a completed
// or still running component, otherwise its error's class seen from `self`.
[[nodiscard]] ObservedCause observed_class(const pcore::Outcome& outcome, pcore::CompId self);

}  // namespace pmodel
