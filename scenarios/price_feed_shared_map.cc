// Scenario price_feed_shared_map: the websocket thread writes the last price per symbol into a
// global map that the trading loop in the main thread polls. The fix is price_feed_queue.cc.
//
// STORY: WebSocketThread writes last_price[symbol] while MainThread reads the map, no lock
// EXPECT: race variables=last_price
// EXPECT: race threads=WebSocketThread,MainThread
// (the second: the map's bucket array, a heap block the writer allocates on rehash)
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "threadlens/threadlens.h"

namespace {

using namespace std::chrono_literals;

// What the exchange sends; stands in for frames read off a websocket.
const std::vector<std::string> kFrames = {
    R"({"e":"trade","s":"BTCUSDT","p":"43250.10","q":"0.002"})",
    R"({"e":"trade","s":"ETHUSDT","p":"2251.35","q":"0.150"})",
    R"({"e":"trade","s":"BTCUSDT","p":"43248.00","q":"0.010"})",
    R"({"e":"trade","s":"SOLUSDT","p":"61.02","q":"3.000"})",
    R"({"e":"trade","s":"BTCUSDT","p":"43190.55","q":"0.004"})",
    R"({"e":"trade","s":"ETHUSDT","p":"2249.90","q":"0.300"})",
    R"({"e":"trade","s":"BTCUSDT","p":"43120.00","q":"0.021"})",
    R"({"e":"trade","s":"SOLUSDT","p":"60.87","q":"1.500"})",
    R"({"e":"trade","s":"BTCUSDT","p":"43155.25","q":"0.007"})",
    R"({"e":"trade","s":"ETHUSDT","p":"2252.10","q":"0.050"})",
};

// Shared by the feed and the trading loop, with nothing guarding it: the bug.
std::unordered_map<std::string, double> last_price;

void RunFeed() {
  threadlens_name_thread("WebSocketThread");
  for (const std::string& frame : kFrames) {
    nlohmann::json message = nlohmann::json::parse(frame);
    std::string symbol = message.at("s").get<std::string>();
    double price = std::stod(message.at("p").get<std::string>());
    last_price[symbol] = price;  // may rehash while the main thread is inside find()
    std::this_thread::sleep_for(2ms);
  }
}

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
  threadlens_name_variable(&last_price, sizeof last_price, "last_price");

  std::thread feed(RunFeed);

  // The trading logic: poll the latest BTC price and decide.
  int buys = 0;
  for (int round = 0; round < 12; ++round) {
    auto it = last_price.find("BTCUSDT");
    if (it != last_price.end() && it->second < 43200.0) ++buys;
    std::this_thread::sleep_for(2ms);
  }
  feed.join();

  std::printf("symbols seen: %zu, buy signals: %d\n", last_price.size(), buys);
  return 0;
}
