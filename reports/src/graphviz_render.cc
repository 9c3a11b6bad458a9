// SVG rendering through libgvc, loaded when the first graph is drawn: a command that draws
// none (analyze to JSON, check, run) does not pay for mapping Graphviz and the six libraries
// it pulls in at every start (1.6 ms of a 7 ms start on a two-core virtual machine), and
// runs where Graphviz is not installed.
#include <dlfcn.h>
#include <graphviz/gvc.h>

#include <mutex>
#include <string>

#include "threadlens/analyzer/error.h"
#include "threadlens/reports/graphs.h"

#ifndef THREADLENS_GVC_SONAME
#define THREADLENS_GVC_SONAME "libgvc.so.6"
#endif

namespace threadlens::reports {
namespace {

// The libgvc and libcgraph calls the renderer makes, typed from their headers.
struct Graphviz {
  decltype(&gvContext) context = nullptr;
  decltype(&gvLayout) layout = nullptr;
  decltype(&gvRenderData) render_data = nullptr;
  decltype(&gvFreeRenderData) free_render_data = nullptr;
  decltype(&gvFreeLayout) free_layout = nullptr;
  decltype(&agseterrf) set_error_function = nullptr;
  decltype(&agmemread) read = nullptr;
  decltype(&agclose) close = nullptr;
  GVC_t* gvc = nullptr;
  std::string failure;  // why it could not be loaded
};

template <typename F>
bool Bind(void* lib, const char* name, F& f) {
  f = reinterpret_cast<F>(dlsym(lib, name));
  return f != nullptr;
}

Graphviz Load() {
  Graphviz g;
  // The soname the build linked against first; the unversioned name where a newer Graphviz
  // bumped it.
  void* lib = nullptr;
  for (const char* name : {THREADLENS_GVC_SONAME, "libgvc.so"}) {
    lib = dlopen(name, RTLD_NOW | RTLD_GLOBAL);  // global: its layout plugins link to it
    if (lib) break;
  }
  if (!lib) {
    const char* why = dlerror();
    g.failure = std::string("Graphviz (libgvc) could not be loaded: ") + (why ? why : "") +
                "; install Graphviz (Debian: apt-get install libgvc6) to draw graphs";
    return g;
  }
  // dlsym on the handle searches libgvc's dependencies too: the ag* calls are libcgraph's.
  const bool ok = Bind(lib, "gvContext", g.context) && Bind(lib, "gvLayout", g.layout) &&
                  Bind(lib, "gvRenderData", g.render_data) &&
                  Bind(lib, "gvFreeRenderData", g.free_render_data) &&
                  Bind(lib, "gvFreeLayout", g.free_layout) &&
                  Bind(lib, "agseterrf", g.set_error_function) &&
                  Bind(lib, "agmemread", g.read) && Bind(lib, "agclose", g.close);
  if (!ok) {
    g.failure = "Graphviz (libgvc) lacks a function threadlens draws with";
    return g;
  }
  g.gvc = g.context();  // loading plugins is slow: one context for the process
  if (!g.gvc) g.failure = "Graphviz could not start (gvContext failed)";
  return g;
}

std::mutex graphviz_mutex;  // Graphviz keeps global state; one layout at a time.
std::string graphviz_errors;

int CollectGraphvizError(char* msg) {
  graphviz_errors += msg;
  return 0;
}

}  // namespace

std::string RenderSvg(const std::string& dot) {
  std::lock_guard<std::mutex> lock(graphviz_mutex);
  static const Graphviz gv = Load();
  if (!gv.gvc) throw Error(gv.failure, kExitBadInput);
  graphviz_errors.clear();
  gv.set_error_function(CollectGraphvizError);
  Agraph_t* g = gv.read(dot.c_str());
  if (g == nullptr)
    throw Error("graphviz could not read a graph: " + graphviz_errors, kExitInternal);
  std::string svg;
  if (gv.layout(gv.gvc, g, "dot") != 0) {
    gv.close(g);
    throw Error("graphviz layout failed: " + graphviz_errors, kExitInternal);
  }
  char* data = nullptr;
  unsigned int length = 0;
  int rc = gv.render_data(gv.gvc, g, "svg", &data, &length);
  if (rc == 0 && data != nullptr) svg.assign(data, length);
  if (data != nullptr) gv.free_render_data(data);
  gv.free_layout(gv.gvc, g);
  gv.close(g);
  if (rc != 0) throw Error("graphviz could not render SVG: " + graphviz_errors, kExitInternal);
  // Inline SVG in HTML wants the bare element: drop the XML prolog, doctype and comments.
  if (auto pos = svg.find("<svg"); pos != std::string::npos) svg.erase(0, pos);
  return svg;
}

}  // namespace threadlens::reports
