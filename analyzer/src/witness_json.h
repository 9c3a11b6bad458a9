// The JSON of predicted schedules, written straight to text: a report can hold thousands of
// witness steps per finding (tens of MB), and building them as JSON values cost more than
// the prediction's own search. The report is built as values with a placeholder string in
// each finding's "witness"; after it is dumped, each placeholder is replaced by its steps,
// formatted exactly as the values would have been (keys in order, same indentation, same
// escaping).
#pragma once

#include <string>
#include <vector>

#include "threadlens/analyzer/findings.h"

namespace threadlens {

// The value to put in place of the k-th witness.
std::string WitnessPlaceholder(size_t k);

// `dumped` with the k-th placeholder replaced by witnesses[k], for a dump with `indent`
// (negative: compact).
std::string SpliceWitnesses(const std::string& dumped,
                            const std::vector<const std::vector<WitnessStep>*>& witnesses,
                            int indent);

}  // namespace threadlens
