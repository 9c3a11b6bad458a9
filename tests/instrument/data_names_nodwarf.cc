// Built without debug info (-g0) into a shared library: data in a module that has no DWARF.
struct NoDwarfStats {
  long requests;
  long errors;
};

NoDwarfStats nodwarf_stats = {1, 2};

NoDwarfStats* NoDwarfStatsAddress() { return &nodwarf_stats; }
