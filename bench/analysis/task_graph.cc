// Bench program for the shadow memory of many small objects: the shape of a task library.
// The main thread builds a graph of tasks (a few fields each, written one by one) in chains,
// then two workers run them: each takes the next ready task from a shared queue under a
// mutex, reads its fields, writes its result and makes its successor ready. Every task lives
// until the end, so the shadow holds every task's lines at once, most of them written by one
// thread and read by another.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Task {
  std::string name;
  int chain = 0, step = 0;
  double weight = 0;
  long result = 0;
  std::atomic<int> pending{0};  // predecessors not run yet
  Task* next = nullptr;
  std::vector<int> inputs;
};

std::mutex mu;
std::deque<Task*> ready;
std::atomic<int> left{0};

void Run(Task* t) {
  long sum = t->chain * 31 + t->step;
  for (int v : t->inputs) sum += v;
  t->result = sum + static_cast<long>(t->weight) + static_cast<long>(t->name.size());
  if (Task* n = t->next; n && n->pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    std::lock_guard<std::mutex> lock(mu);
    ready.push_back(n);
  }
  left.fetch_sub(1, std::memory_order_release);
}

void Worker() {
  while (left.load(std::memory_order_acquire) > 0) {
    Task* t = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!ready.empty()) {
        t = ready.front();
        ready.pop_front();
      }
    }
    if (t) {
      Run(t);
    } else {
      std::this_thread::yield();
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int tasks = argc > 1 ? std::atoi(argv[1]) : 20000;
  constexpr int kChain = 16;
  std::vector<std::unique_ptr<Task>> graph;
  graph.reserve(tasks);
  for (int i = 0; i < tasks; ++i) {
    auto t = std::make_unique<Task>();
    t->name = "task-" + std::to_string(i);
    t->chain = i / kChain;
    t->step = i % kChain;
    t->weight = 0.5 * i;
    for (int k = 0; k < 1 + i % 3; ++k) t->inputs.push_back(i + k);
    if (t->step > 0) {
      t->pending.store(1, std::memory_order_relaxed);
      graph.back()->next = t.get();
    }
    graph.push_back(std::move(t));
  }
  left.store(tasks, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mu);
    for (auto& t : graph) {
      if (t->step == 0) ready.push_back(t.get());
    }
  }
  std::thread a(Worker), b(Worker);
  a.join();
  b.join();
  long total = 0;
  for (auto& t : graph) total += t->result;
  std::printf("%ld\n", total);
}
