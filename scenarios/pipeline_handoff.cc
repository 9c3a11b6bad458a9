// Scenario pipeline_handoff: the tutorial's single-message pipeline. The producer and the
// consumer take turns on one slot; each turn is handed over by a semaphore the other thread
// releases, and a sentinel ends the run. The broken variant is pipeline_handoff_broken.cc.
//
// STORY: one-message slot handed over with two binary semaphores and a sentinel
// EXPECT: clean
#include <cstdio>
#include <random>
#include <semaphore>
#include <thread>

#include "threadlens/threadlens.h"

namespace {

constexpr int kSentinel = -1;

// Python's Lock may be released by any thread, so the tutorial hands turns over with two
// locks. A std::mutex must be unlocked by its owner; the C++ tool for "released by the other
// thread" is a binary semaphore.
class Pipeline {
 public:
  Pipeline() { threadlens_name_variable(&message_, sizeof message_, "message"); }

  void SetMessage(int message) {
    producer_lock_.acquire();  // wait until the consumer took the previous message
    message_ = message;
    consumer_lock_.release();  // the consumer's turn
  }

  int GetMessage() {
    consumer_lock_.acquire();  // wait for a message
    int message = message_;
    producer_lock_.release();  // the producer's turn
    return message;
  }

 private:
  int message_ = 0;
  std::binary_semaphore producer_lock_{1};
  std::binary_semaphore consumer_lock_{0};  // the tutorial acquires it in __init__
};

void Produce(Pipeline& pipeline) {
  threadlens_name_thread("Producer");
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> network(1, 101);
  for (int i = 0; i < 10; ++i) {
    int message = network(rng);  // pretend it came from the network
    std::printf("Producer got message: %d\n", message);
    pipeline.SetMessage(message);
  }
  pipeline.SetMessage(kSentinel);
}

void Consume(Pipeline& pipeline) {
  threadlens_name_thread("Consumer");
  for (int message = pipeline.GetMessage(); message != kSentinel; message = pipeline.GetMessage()) {
    std::printf("Consumer storing message: %d\n", message);  // pretend it goes to a database
  }
}

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
  Pipeline pipeline;
  std::thread producer(Produce, std::ref(pipeline));
  std::thread consumer(Consume, std::ref(pipeline));
  producer.join();
  consumer.join();
  return 0;
}
