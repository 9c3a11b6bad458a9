// The functions of a compile unit by address: finding the one at a pc walked every DIE at the
// unit's top level (and in its namespaces and classes), which in a unit the size of SQLite's
// amalgamation is thousands per lookup, and reports make several lookups per finding.
#pragma once

#include <elfutils/libdw.h>

#include <cstdint>

namespace threadlens::dwarf_scopes {

// The first function (a subprogram, in DIE order, searched through namespaces and classes)
// of `cu_die` whose code covers `pc`. The unit's index is built on its first lookup.
bool UnitScopeAt(Dwarf_Die& cu_die, uint64_t pc, Dwarf_Die& out);
// Forgets every index: called before a Dwarf handle they point into is closed.
void ForgetUnitIndexes();

}  // namespace threadlens::dwarf_scopes
