// Witness steps as JSON text (see witness_json.h).
#include "witness_json.h"

#include <nlohmann/json.hpp>

namespace threadlens {
namespace {

using json = nlohmann::json;

// As the dump writes a string: plain ASCII directly, anything else through the library.
void AppendString(std::string& out, const std::string& s) {
  bool plain = true;
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      plain = false;
      break;
    }
  }
  if (plain) {
    out += '"';
    out += s;
    out += '"';
    return;
  }
  out += json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

void AppendSteps(std::string& out, const std::vector<WitnessStep>& steps, int indent,
                 size_t depth) {
  if (steps.empty()) {
    out += "[]";
    return;
  }
  const bool pretty = indent >= 0;
  const std::string in1 = pretty ? std::string(depth + indent, ' ') : "";
  const std::string in2 = pretty ? std::string(depth + 2 * indent, ' ') : "";
  const char* nl = pretty ? "\n" : "";
  const char* colon = pretty ? ": " : ":";
  out += '[';
  out += nl;
  for (size_t i = 0; i < steps.size(); ++i) {
    const WitnessStep& w = steps[i];
    // Keys in the library's order (sorted).
    auto key = [&](const char* k, bool first) {
      if (!first) {
        out += ',';
        out += nl;
      }
      out += in2;
      out += '"';
      out += k;
      out += '"';
      out += colon;
    };
    out += in1;
    out += '{';
    out += nl;
    key("event_index", true);
    out += std::to_string(w.event_index);
    key("object", false);
    AppendString(out, w.object);
    key("op", false);
    AppendString(out, w.op);
    key("site", false);
    AppendString(out, w.site);
    key("thread", false);
    AppendString(out, w.thread);
    key("tid", false);
    out += std::to_string(w.tid);
    out += nl;
    out += in1;
    out += '}';
    if (i + 1 < steps.size()) out += ',';
    out += nl;
  }
  if (pretty) out += std::string(depth, ' ');
  out += ']';
}

}  // namespace

std::string WitnessPlaceholder(size_t k) { return "\x01witness " + std::to_string(k); }

std::string SpliceWitnesses(const std::string& dumped,
                            const std::vector<const std::vector<WitnessStep>*>& witnesses,
                            int indent) {
  if (witnesses.empty()) return dumped;
  std::string out;
  out.reserve(dumped.size() + witnesses.size() * 4096);
  size_t from = 0;
  const std::string key = indent >= 0 ? "\"witness\": " : "\"witness\":";
  for (size_t k = 0; k < witnesses.size(); ++k) {
    // The placeholder as dumped, right after the key (a string value cannot hold an
    // unescaped quote, so nothing else matches key and placeholder together).
    const std::string token = key + "\"\\u0001witness " + std::to_string(k) + "\"";
    const size_t at = dumped.find(token, from);
    if (at == std::string::npos) break;
    const size_t line = dumped.rfind('\n', at);
    const size_t depth = indent >= 0 && line != std::string::npos
                             ? dumped.find_first_not_of(' ', line + 1) - (line + 1)
                             : 0;
    out.append(dumped, from, at + key.size() - from);
    AppendSteps(out, *witnesses[k], indent, depth);
    from = at + token.size();
  }
  out.append(dumped, from, std::string::npos);
  return out;
}

}  // namespace threadlens
