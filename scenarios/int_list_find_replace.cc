// Scenario int_list_find_replace: the tutorial's IntListThreadsafe. find_and_replace() holds the
// list's lock and calls indices_of(), which takes it again; a recursive mutex makes that fine,
// and several threads edit the list safely.
//
// STORY: FindAndReplace() calls IndicesOf() under one recursive mutex; three editors
// EXPECT: clean
#include <cstdio>
#include <latch>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "threadlens/threadlens.h"

namespace {

class IntListThreadsafe {
 public:
  explicit IntListThreadsafe(std::vector<int> values) : inner_list_(std::move(values)) {
    threadlens_name_lock(&lock_, "list_lock");
  }

  std::vector<size_t> IndicesOf(int to_find) {
    std::lock_guard<std::recursive_mutex> guard(lock_);
    std::vector<size_t> indices;
    for (size_t i = 0; i < inner_list_.size(); ++i) {
      if (inner_list_[i] == to_find) indices.push_back(i);
    }
    return indices;
  }

  void FindAndReplace(int to_replace, int replace_with) {
    std::lock_guard<std::recursive_mutex> guard(lock_);
    for (size_t index : IndicesOf(to_replace)) inner_list_[index] = replace_with;
  }

  std::vector<int> Snapshot() {
    std::lock_guard<std::recursive_mutex> guard(lock_);
    return inner_list_;
  }

 private:
  std::recursive_mutex lock_;
  std::vector<int> inner_list_;
};

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
  IntListThreadsafe list({1, 2, 1, 2, 1, 3, 3, 1});

  constexpr int kEditors = 3;
  std::vector<std::thread> editors;
  std::latch start(kEditors);  // the editors start together, to contend for the list
  const int replacements[kEditors][2] = {{1, 2}, {2, 3}, {3, 1}};
  for (int e = 0; e < kEditors; ++e) {
    editors.emplace_back([&list, &replacements, &start, e] {
      std::string name = "Editor-" + std::to_string(e + 1);
      threadlens_name_thread(name.c_str());
      start.arrive_and_wait();
      for (int round = 0; round < 50; ++round) {
        list.FindAndReplace(replacements[e][0], replacements[e][1]);
      }
    });
  }
  for (std::thread& editor : editors) editor.join();

  for (int value : list.Snapshot()) std::printf("%d ", value);
  std::printf("\n");
  return 0;
}
